/**
 * Final-state callbacks over real HTTP, with the example development configuration (loopback receivers on
 * any port allowed, plain http to loopback in development only): a `callback_url` on /v1/decide is POSTed
 * when the request is approved, signed with HMAC-SHA256 over the raw body, and retried with backoff after
 * failures; expiry calls back too; a host outside the allow-list (or plain http elsewhere) is refused with
 * 400 on decide and nothing is stored.
 */

import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { verifyCallbackSignature } from "../../src/callbacks/callback-signature";
import { DEVELOPMENT_CALLBACK_SECRET } from "../../src/config/development-keys";
import { useRedisServer } from "../support/redis-server";
import { approvalClient, approvalIdOf } from "./approval-client";
import {
  approvalTestService,
  AUTH,
  eventually,
  exportBody,
  removeTempDirs,
  tempDir,
  writeBundle,
  type ManualClock,
  type TestService,
} from "./service-harness";

/** One delivery as the receiver saw it. */
interface Delivery {
  readonly raw: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: {
    approval_id: string;
    status: string;
    delivery: { id: string; attempt: number };
    timestamp: number;
    verdicts: { reviewer_id: string }[];
  };
}

const redis = useRedisServer();
let service: TestService & { clock: ManualClock };
let api: ReturnType<typeof approvalClient>;
let receiver: http.Server;
let hookUrl: string;
const deliveries: Delivery[] = [];
/** Status codes the receiver answers with, in order; 200 once they run out. */
let script: number[] = [];

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      deliveries.push({ raw, headers: req.headers, body: JSON.parse(raw) as Delivery["body"] });
      res.statusCode = script.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/countersign-hook`;

  const dir = tempDir();
  await writeBundle(dir, "example", { revision: "callbacks-1" });
  service = await approvalTestService({
    bundlesDir: dir,
    redisUrl: redis.url,
    configure: (c) => ({
      ...c,
      approvals: {
        ...c.approvals,
        sweepIntervalMs: 50,
        callbacks: { ...c.approvals.callbacks!, initialBackoffMs: 100, maxBackoffMs: 400 },
      },
    }),
  });
  api = approvalClient(service.app);
});
afterAll(async () => {
  await service.close();
  await new Promise((r) => receiver.close(r));
  removeTempDirs();
});
beforeEach(() => {
  deliveries.length = 0;
  script = [];
});

let n = 0;
const freshExport = (patch: Record<string, unknown> = {}) =>
  exportBody({ action: { name: "db.export", params: { table: `t${++n}` } }, ...patch });

describe("callbacks", () => {
  it("POSTs the final state signed with HMAC-SHA256, retrying with backoff after failures", async () => {
    script = [500, 503];
    const id = approvalIdOf(await api.decide(AUTH.caller, freshExport({ callback_url: hookUrl })));
    expect(deliveries).toEqual([]);
    await api.verdict(AUTH.alice, id, { verdict: "approve", comment: "fine" });
    await eventually(() => (deliveries.length >= 3 ? true : undefined), "three delivery attempts");
    await new Promise((r) => setTimeout(r, 300));
    expect(deliveries).toHaveLength(3); // delivered on the third attempt, then never again

    deliveries.forEach((d, i) => {
      expect(verifyCallbackSignature(d.raw, DEVELOPMENT_CALLBACK_SECRET, d.headers["x-countersign-signature"] as string)).toBe(true);
      expect(verifyCallbackSignature(d.raw, "some-other-secret-entirely", d.headers["x-countersign-signature"] as string)).toBe(false);
      expect(d.headers["x-countersign-delivery"]).toBe(id);
      expect(d.headers["content-type"]).toBe("application/json");
      expect(Number(d.headers["x-countersign-timestamp"])).toBe(d.body.timestamp);
      expect(d.body).toMatchObject({
        approval_id: id,
        status: "approved",
        delivery: { id, attempt: i + 1 },
        verdicts: [{ reviewer_id: "user:alice" }],
      });
    });
    expect(service.log.lines().some((l) => l["message"] === "callback delivered" && l["approval_id"] === id && l["attempts"] === 3)).toBe(
      true,
    );
  });

  it("calls back when a request expires", async () => {
    const id = approvalIdOf(await api.decide(AUTH.caller, freshExport({ callback_url: hookUrl })));
    service.clock.advance(3600_000);
    await eventually(() => deliveries.find((d) => d.body.approval_id === id), "the expiry callback");
    expect(deliveries.find((d) => d.body.approval_id === id)?.body).toMatchObject({ status: "expired", verdicts: [] });
  });

  it.each([
    ["a host outside the allow-list", "https://hooks.attacker.example/steal", /not on the allow-list/],
    ["plain http to a host that is not loopback", "http://hooks.attacker.example/steal", /must use https/],
    ["cloud metadata", "http://169.254.169.254/latest/meta-data", /must use https/],
    ["credentials in the URL", "http://user:pw@127.0.0.1:9/hook", /credentials/],
    ["not a URL", "hook", /not a valid URL/],
  ])("refuses %s with 400 on decide, storing nothing", async (_what, url, message) => {
    const before = (await api.inbox(AUTH.alice)).body.approvals.length;
    const res = await api.decide(AUTH.caller, freshExport({ callback_url: url }));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: "COUNTERSIGN_CALLBACK_NOT_ALLOWED",
      message: expect.stringMatching(message),
      details: { field: "callback_url" },
    });
    expect((await api.inbox(AUTH.alice)).body.approvals).toHaveLength(before);
  });

  it("ignores callback_url when the policy needs no approval", async () => {
    const res = await api.decide(
      AUTH.caller,
      freshExport({
        resource: { type: "database", id: "staging/x", environment: "staging" },
        callback_url: "https://hooks.attacker.example/x",
      }),
    );
    expect(res.body).toMatchObject({ outcome: "allow" });
  });
});
