/**
 * The client SDK (`countersign/client`) against the real service on a real redis-server: `decide`,
 * `guard` running only when allowed (at once, or after a reviewer approves and the grant is redeemed with
 * the same request), throwing typed errors on deny, on a reviewer's deny and on an unreachable service;
 * `waitForApproval` with a timeout and an abort; `verifyCallback` accepting only a correctly signed, recent
 * delivery.
 */

import { createHmac } from "node:crypto";
import { Countersign, CountersignError, verifyCallback } from "../../src/client";
import { useRedisServer } from "../support/redis-server";
import { approvalTestService, removeTempDirs, tempDir, writeBundle, type ManualClock, type TestService } from "../http/service-harness";
import { listenOnLoopback, reviewer } from "../mcp/gateway-harness";

const redis = useRedisServer();
let service: TestService & { clock: ManualClock };
let listening: Awaited<ReturnType<typeof listenOnLoopback>>;
let client: Countersign;

beforeAll(async () => {
  const dir = tempDir("countersign-client-");
  await writeBundle(dir, "example", { revision: "client-1" });
  service = await approvalTestService({ bundlesDir: dir, redisUrl: redis.url });
  listening = await listenOnLoopback(service.app);
  client = new Countersign({ url: listening.url, token: "dev-caller-key", pollSeconds: 1 });
});
afterAll(async () => {
  await listening?.close();
  await service?.close();
  removeTempDirs();
});

let n = 0;
const deploy = () => ({
  actor: { id: "agent:deploy-bot", type: "ai_agent" as const, on_behalf_of: "user:mallory" },
  action: { name: "deploy.release", params: { version: `1.${++n}.0` } },
  resource: { type: "service", id: "checkout", environment: "production" },
});

describe("the client SDK", () => {
  it("guard runs at once on allow", async () => {
    const ran = await client.guard({ ...deploy(), actor: { id: "svc:ci", type: "ci" } }, ({ decision }) => decision.outcome);
    expect(ran).toBe("allow");
  });

  it("guard throws COUNTERSIGN_CLIENT_DENIED on a deny and never runs", async () => {
    const run = jest.fn();
    const err = await client
      .guard({ ...deploy(), action: { name: "db.drop" }, resource: { type: "database", id: "x", environment: "production" } }, run)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CountersignError);
    expect(err).toMatchObject({ code: "COUNTERSIGN_CLIENT_DENIED", message: "destructive action on production is not allowed" });
    expect(run).not.toHaveBeenCalled();
  });

  it("guard waits for a reviewer, redeems the grant with the same request, and runs once", async () => {
    const request = deploy();
    const run = jest.fn(async () => "deployed");
    const guarded = client.guard(request, run);
    const bob = reviewer(listening.url);
    const item = await bob.held("deploy.release", request.action.params);
    await bob.verdict(item.id, "approve");
    expect(await guarded).toBe("deployed");
    expect(run).toHaveBeenCalledTimes(1);
    expect((run.mock.calls[0] as unknown as [{ decision: { grant: { approval_id: string } } }])[0].decision.grant.approval_id).toBe(
      item.id,
    );
  });

  it("guard throws with the reviewer's deny", async () => {
    const request = deploy();
    const guarded = client.guard(request, () => "never").catch((e: unknown) => e);
    const bob = reviewer(listening.url);
    const item = await bob.held("deploy.release", request.action.params);
    await bob.verdict(item.id, "deny", "freeze");
    expect(await guarded).toMatchObject({
      code: "COUNTERSIGN_CLIENT_DENIED",
      message: `approval ${item.id} was denied by user:bob: freeze`,
    });
  });

  it("waitForApproval stops at its timeout and on abort; cancel withdraws", async () => {
    const decision = await client.decide(deploy());
    const id = decision.approval?.id as string;
    await expect(client.waitForApproval(id, { timeoutMs: 1200 })).rejects.toMatchObject({ code: "COUNTERSIGN_CLIENT_TIMEOUT" });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 200);
    await expect(client.waitForApproval(id, { signal: abort.signal })).rejects.toMatchObject({ code: "COUNTERSIGN_CLIENT_ABORTED" });
    expect((await client.cancel(id, "no longer needed")).status).toBe("cancelled");
    expect((await client.waitForApproval(id)).status).toBe("cancelled");
  });

  it("carries the service's error codes, and fails closed when the service is unreachable", async () => {
    await expect(new Countersign({ url: listening.url, token: "wrong" }).decide(deploy())).rejects.toMatchObject({
      code: "COUNTERSIGN_UNAUTHENTICATED",
      status: 401,
    });
    await expect(client.getApproval("apr_00000000000000000000000000000000")).rejects.toMatchObject({
      code: "COUNTERSIGN_APPROVAL_NOT_FOUND",
      status: 404,
    });
    const run = jest.fn();
    await expect(new Countersign({ url: "http://127.0.0.1:9", token: "k" }).guard(deploy(), run)).rejects.toMatchObject({
      code: "COUNTERSIGN_CLIENT_UNREACHABLE",
    });
    expect(run).not.toHaveBeenCalled();
  });

  it("verifyCallback accepts a correctly signed recent delivery and nothing else", () => {
    const secret = "a-shared-secret-of-some-length";
    const now = 1_750_000_000_000;
    const ts = Math.floor(now / 1000);
    const body = JSON.stringify({ approval_id: "apr_1", status: "approved", timestamp: ts });
    const sig = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    const headers = { "X-Countersign-Signature": sig, "X-Countersign-Timestamp": String(ts), "X-Countersign-Delivery": "d-1" };
    expect(verifyCallback(headers, body, secret, { nowMs: now })).toEqual({ body: JSON.parse(body), deliveryId: "d-1", timestamp: ts });
    expect(verifyCallback(new Headers(headers), Buffer.from(body), secret, { nowMs: now })).not.toBeNull();
    expect(verifyCallback(headers, body.replace("approved", "denied"), secret, { nowMs: now })).toBeNull();
    expect(verifyCallback(headers, body, "another-secret-of-some-length", { nowMs: now })).toBeNull();
    expect(verifyCallback(headers, body, secret, { nowMs: now + 600_000 })).toBeNull();
    expect(verifyCallback({ ...headers, "X-Countersign-Timestamp": String(ts + 1) }, body, secret, { nowMs: now })).toBeNull();
    expect(verifyCallback({}, body, secret, { nowMs: now })).toBeNull();
  });
});
