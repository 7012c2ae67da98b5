/**
 * Final-state callbacks end to end against a real redis-server and a local HTTP receiver on 127.0.0.1:
 * signed bodies, retries with exponential backoff on the injected clock, giving up after the last attempt,
 * one delivery with two dispatchers, callbacks on expiry, and URLs refused before anything is fetched.
 */

import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type Redis from "ioredis";
import { useRedisServer } from "../support/redis-server";
import { ApprovalKeys } from "../../src/approvals/approval-keys";
import { CallbackDispatcher, type CallbackBody } from "../../src/callbacks/callback-dispatcher";
import { RedisCallbackOutbox } from "../../src/callbacks/callback-outbox";
import { HttpCallbackSender } from "../../src/callbacks/callback-sender";
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyCallbackSignature } from "../../src/callbacks/callback-signature";
import { CallbackUrlPolicy } from "../../src/callbacks/callback-url-policy";
import { alice, exportRequest, instance, TestClock, type Instance } from "../approvals/approval-fixtures";

const redisServer = useRedisServer({ flushBetweenTests: true });
const SECRET = "test-callback-secret-0123456789";

interface Received {
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** A receiver that answers the first `failures` requests with 500, then 204. */
class Receiver {
  readonly received: Received[] = [];
  failures = 0;
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      this.received.push({ body: Buffer.concat(chunks).toString("utf8"), headers: req.headers });
      res.statusCode = this.received.length <= this.failures ? 500 : 204;
      res.end();
    });
  });
  port = 0;
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
  get url(): string {
    return `http://127.0.0.1:${this.port}/countersign`;
  }
}

let redis: Redis;
let clock: TestClock;
let receiver: Receiver;
let policy: CallbackUrlPolicy;
let a: Instance;

function dispatcher(over: Partial<ConstructorParameters<typeof CallbackDispatcher>[0]> = {}): CallbackDispatcher {
  return new CallbackDispatcher({
    outbox: new RedisCallbackOutbox(redis),
    approvals: a.store,
    sender: new HttpCallbackSender(policy, 2000),
    secret: SECRET,
    clock,
    events: a.events,
    initialBackoffMs: 1000,
    maxAttempts: 5,
    runOnFinal: false,
    ...over,
  });
}

beforeAll(() => {
  redis = redisServer.connect();
});

beforeEach(async () => {
  receiver = new Receiver();
  await receiver.start();
  clock = new TestClock();
  policy = new CallbackUrlPolicy({
    allowedHosts: [`127.0.0.1:${receiver.port}`],
    privateNetworkHosts: [`127.0.0.1:${receiver.port}`],
    allowHttpLoopback: true,
  });
  a = instance(redis, clock, { callbackUrls: policy });
});

afterEach(async () => {
  await a.close();
  await receiver.stop();
});

describe("callback delivery", () => {
  it("posts a signed body on the final state, retrying with exponential backoff until it succeeds", async () => {
    receiver.failures = 2;
    const { approval } = await a.service.createFromDecision(exportRequest({ callbackUrl: receiver.url }));
    const d = dispatcher();
    expect(await d.runOnce()).toBe(0);
    expect(receiver.received).toHaveLength(0);

    await a.service.castVerdict({ approvalId: approval.id, reviewer: alice, verdict: "approve", comment: "fine", channel: "api" });
    expect(await d.runOnce()).toBe(0); // attempt 1: 500
    expect(await d.runOnce()).toBe(0); // not due yet
    clock.advance(999);
    expect(await d.runOnce()).toBe(0);
    expect(receiver.received).toHaveLength(1);
    clock.advance(1);
    expect(await d.runOnce()).toBe(0); // attempt 2 after 1 s: 500
    clock.advance(1999);
    expect(await d.runOnce()).toBe(0);
    clock.advance(1);
    expect(await d.runOnce()).toBe(1); // attempt 3 after 2 more s: 204
    expect(receiver.received).toHaveLength(3);
    expect(await d.runOnce()).toBe(0);
    expect(receiver.received).toHaveLength(3);

    for (const [i, r] of receiver.received.entries()) {
      expect(verifyCallbackSignature(r.body, SECRET, r.headers[SIGNATURE_HEADER.toLowerCase()] as string)).toBe(true);
      expect(verifyCallbackSignature(r.body, "another-secret-0123456789", r.headers[SIGNATURE_HEADER.toLowerCase()] as string)).toBe(false);
      const body = JSON.parse(r.body) as CallbackBody;
      expect(r.headers[TIMESTAMP_HEADER.toLowerCase()]).toBe(String(body.timestamp));
      expect(r.headers[DELIVERY_HEADER.toLowerCase()]).toBe(approval.id);
      expect(r.headers["content-type"]).toBe("application/json");
      expect(body).toMatchObject({
        approval_id: approval.id,
        status: "approved",
        decision_id: "dec_1",
        actor_id: "agent:deploy-bot",
        action: "db.export",
        verdicts: [{ reviewer_id: "user:alice", verdict: "approve", comment: "fine", channel: "api" }],
        delivery: { id: approval.id, attempt: i + 1 },
      });
      expect(r.body).not.toContain("select *");
    }
    expect(a.events.ofType("callback.delivered")).toMatchObject([{ approvalId: approval.id, attempts: 3 }]);
    expect(await redis.zcard(new ApprovalKeys().callbacksDue)).toBe(0);
  });

  it("gives up after the last attempt and says so", async () => {
    receiver.failures = 100;
    const { approval } = await a.service.createFromDecision(exportRequest({ callbackUrl: receiver.url }));
    await a.service.cancel({ approvalId: approval.id, caller: exportRequest().caller });
    const d = dispatcher({ maxAttempts: 3 });
    for (let i = 0; i < 10; i++) {
      await d.runOnce();
      clock.advance(10_000);
    }
    expect(receiver.received).toHaveLength(3);
    expect(JSON.parse(receiver.received[0]?.body ?? "{}")).toMatchObject({ status: "cancelled", cancellation: { by: "svc:ci" } });
    expect(a.events.ofType("callback.failed")).toMatchObject([{ approvalId: approval.id, attempts: 3, detail: "HTTP 500" }]);
    expect(await redis.zcard(new ApprovalKeys().callbacksDue)).toBe(0);
  });

  it("calls back on expiry, once, with two dispatchers running", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest({ callbackUrl: receiver.url }));
    clock.advance(3600_000);
    await a.service.expireDue();
    const b = instance(redisServer.connect(), clock);
    try {
      const other = new CallbackDispatcher({
        outbox: new RedisCallbackOutbox(redisServer.connect()),
        approvals: b.store,
        sender: new HttpCallbackSender(policy, 2000),
        secret: SECRET,
        clock,
        runOnFinal: false,
      });
      const delivered = await Promise.all([dispatcher().runOnce(), other.runOnce(), dispatcher().runOnce(), other.runOnce()]);
      expect(delivered.reduce((x, y) => x + y, 0)).toBe(1);
    } finally {
      await b.close();
    }
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]?.body ?? "{}")).toMatchObject({ approval_id: approval.id, status: "expired" });
  });

  it("delivers at once when wired as a listener of the instance that finalizes", async () => {
    const d = dispatcher({ runOnFinal: true });
    const wired = instance(redis, clock, { callbackUrls: policy, events: d });
    try {
      const { approval } = await wired.service.createFromDecision(exportRequest({ callbackUrl: receiver.url }));
      await wired.service.castVerdict({ approvalId: approval.id, reviewer: alice, verdict: "deny", channel: "api" });
      for (let i = 0; i < 50 && receiver.received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(receiver.received).toHaveLength(1);
      expect(JSON.parse(receiver.received[0]?.body ?? "{}")).toMatchObject({ status: "denied" });
    } finally {
      await wired.close();
    }
  });
});

describe("refused callback URLs", () => {
  it("rejects a host outside the allow-list at creation, stores nothing and fetches nothing", async () => {
    const other = new Receiver();
    await other.start();
    try {
      await expect(a.service.createFromDecision(exportRequest({ callbackUrl: other.url }))).rejects.toMatchObject({
        code: "COUNTERSIGN_CALLBACK_NOT_ALLOWED",
        status: 400,
        message: `callback host 127.0.0.1:${other.port} is not on the allow-list`,
      });
      await expect(
        a.service.createFromDecision(exportRequest({ callbackUrl: `http://localhost:${receiver.port}/x` })),
      ).rejects.toMatchObject({
        code: "COUNTERSIGN_CALLBACK_NOT_ALLOWED",
      });
      expect(await redis.dbsize()).toBe(0);
      expect(other.received).toHaveLength(0);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await other.stop();
    }
  });

  it("refuses at delivery a host that now resolves to a private address (DNS rebinding), without connecting", async () => {
    let answer = "93.184.216.34";
    const rebinding = new CallbackUrlPolicy({ allowedHosts: ["hooks.example.com"] }, async () => [{ address: answer, family: 4 }]);
    const b = instance(redis, clock, { callbackUrls: rebinding });
    try {
      const { approval } = await b.service.createFromDecision(exportRequest({ callbackUrl: "https://hooks.example.com/cb" }));
      await b.service.castVerdict({ approvalId: approval.id, reviewer: alice, verdict: "approve", channel: "api" });
      answer = "10.0.0.7";
      const d = dispatcher({ sender: new HttpCallbackSender(rebinding, 500), events: b.events });
      expect(await d.runOnce()).toBe(0);
      expect(b.events.ofType("callback.failed")).toMatchObject([
        {
          approvalId: approval.id,
          attempts: 1,
          detail: "refused: callback host hooks.example.com resolves to a non-public address (10.0.0.7)",
        },
      ]);
    } finally {
      await b.close();
    }
  });
});
