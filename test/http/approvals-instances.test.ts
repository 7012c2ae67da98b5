/**
 * Two service instances (two `assembleService` apps, each with its own Redis connections, sweeper and
 * clock-sharing) on one real redis-server: a verdict through B on a request created through A, the grant
 * read on A and spent on B; long-polls on A woken promptly by a verdict on B, timing out with the current
 * state, answering at once past `since_version`, capped to the configured maximum, and ended by shutdown;
 * both sweepers running, a due request expires once.
 */

import { useRedisServer } from "../support/redis-server";
import { approvalClient, approvalIdOf } from "./approval-client";
import {
  approvalTestService,
  AUTH,
  eventually,
  exportBody,
  iamBody,
  ManualClock,
  removeTempDirs,
  tempDir,
  writeBundle,
  type TestService,
} from "./service-harness";

const redis = useRedisServer();
const clock = new ManualClock();
let bundlesDir: string;
let a: TestService;
let b: TestService;
let onA: ReturnType<typeof approvalClient>;
let onB: ReturnType<typeof approvalClient>;

/** Fast sweeps, so expiry shows within a test. */
const fastSweeps = (c: Parameters<NonNullable<Parameters<typeof approvalTestService>[0]["configure"]>>[0]) => ({
  ...c,
  approvals: { ...c.approvals, sweepIntervalMs: 50 },
});

beforeAll(async () => {
  bundlesDir = tempDir();
  await writeBundle(bundlesDir, "example", { revision: "instances-1" });
  a = await approvalTestService({ bundlesDir, redisUrl: redis.url, clock, configure: fastSweeps });
  b = await approvalTestService({ bundlesDir, redisUrl: redis.url, clock, configure: fastSweeps });
  onA = approvalClient(a.app);
  onB = approvalClient(b.app);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
  removeTempDirs();
});

let n = 0;
const freshExport = () => exportBody({ action: { name: "db.export", params: { table: `t${++n}` } } });

describe("one request, two instances", () => {
  it("takes a verdict through B on a request created through A; A hands out the grant; B spends it once", async () => {
    const body = freshExport();
    const id = approvalIdOf(await onA.decide(AUTH.caller, body));
    expect((await onB.read(AUTH.caller, id)).body.status).toBe("pending");
    const verdict = await onB.verdict(AUTH.alice, id, { verdict: "approve" });
    expect(verdict.body.status).toBe("approved");
    const read = await onA.read(AUTH.caller, id);
    expect(read.body).toMatchObject({ status: "approved", grant: expect.any(String) });
    expect((await onB.read(AUTH.caller, id)).body.grant).toBe(read.body.grant);
    expect((await onB.decide(AUTH.caller, { ...body, grant: read.body.grant })).body).toMatchObject({ outcome: "allow" });
    expect((await onA.decide(AUTH.caller, { ...body, grant: read.body.grant })).body).toMatchObject({
      outcome: "deny",
      code: "COUNTERSIGN_GRANT_REPLAYED",
    });
  });
});

describe("long-polling GET /v1/approvals/{id}?wait=", () => {
  it("returns well before the wait when a verdict arrives through the other instance, with the grant", async () => {
    const id = approvalIdOf(await onA.decide(AUTH.caller, freshExport()));
    const started = Date.now();
    const waiting = onA.read(AUTH.caller, id, "?wait=10");
    await new Promise((r) => setTimeout(r, 300));
    const verdictAt = Date.now();
    expect((await onB.verdict(AUTH.alice, id, { verdict: "approve" })).status).toBe(200);
    const res = await waiting;
    const after = Date.now() - verdictAt;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "approved", version: 2, grant: expect.any(String) });
    expect(after).toBeLessThan(2000);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("times out with the current state when nothing changes", async () => {
    const id = approvalIdOf(await onA.decide(AUTH.caller, freshExport()));
    const started = Date.now();
    const res = await onA.read(AUTH.caller, id, "?wait=1");
    const took = Date.now() - started;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: "pending", version: 1 });
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(3000);
  });

  it("answers at once when the request is already past since_version, and waits for the next change otherwise", async () => {
    const id = approvalIdOf(await onA.decide(AUTH.caller, iamBody({ action: { name: "iam.role.grant", params: { role: `r${++n}` } } })));
    await onB.verdict(AUTH.bob, id, { verdict: "approve" });
    let started = Date.now();
    const past = await onA.read(AUTH.caller, id, "?wait=10&since_version=1");
    expect(past.body).toMatchObject({ version: 2, status: "pending" });
    expect(Date.now() - started).toBeLessThan(1000);

    started = Date.now();
    const next = onA.read(AUTH.carol, id, "?wait=10&since_version=2");
    await new Promise((r) => setTimeout(r, 200));
    await onB.verdict(AUTH.carol, id, { verdict: "approve" });
    expect((await next).body).toMatchObject({ version: 3, status: "approved" });
    expect((await next).body.grant).toBeUndefined(); // carol is a reviewer: never the grant
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("caps the wait to approvals.max_wait_seconds", async () => {
    const capped = await approvalTestService({
      bundlesDir,
      redisUrl: redis.url,
      clock,
      configure: (c) => ({ ...c, approvals: { ...c.approvals, maxWaitSeconds: 1 } }),
    });
    try {
      const api = approvalClient(capped.app);
      const id = approvalIdOf(await api.decide(AUTH.caller, freshExport()));
      const started = Date.now();
      const res = await api.read(AUTH.caller, id, "?wait=30");
      expect(res.body.status).toBe("pending");
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await capped.close();
    }
  });

  it("ends waits in flight at once when the instance shuts down", async () => {
    const stopping = await approvalTestService({ bundlesDir, redisUrl: redis.url, clock });
    const api = approvalClient(stopping.app);
    const id = approvalIdOf(await api.decide(AUTH.caller, freshExport()));
    const started = Date.now();
    const waiting = api.read(AUTH.caller, id, "?wait=30");
    await new Promise((r) => setTimeout(r, 300));
    stopping.endLongPolls();
    const res = await waiting;
    expect(res.body).toMatchObject({ status: "pending", version: 1 });
    expect(Date.now() - started).toBeLessThan(3000);
    await stopping.close();
  });
});

describe("expiry with both sweepers running", () => {
  it("expires a due request once, waking a long-poll on either instance", async () => {
    const id = approvalIdOf(await onA.decide(AUTH.caller, freshExport()));
    const waiting = onB.read(AUTH.caller, id, "?wait=10");
    await new Promise((r) => setTimeout(r, 200));
    clock.advance(3600_000);
    const res = await waiting;
    expect(res.body).toMatchObject({ status: "expired", version: 2 });
    const expiredLines = await eventually(() => {
      const lines = [...a.log.lines(), ...b.log.lines()].filter((l) => l["message"] === "approval expired" && l["approval_id"] === id);
      return lines.length > 0 ? lines : undefined;
    }, "the expiry log line");
    await new Promise((r) => setTimeout(r, 300)); // several more sweeps on both instances
    expect([...a.log.lines(), ...b.log.lines()].filter((l) => l["message"] === "approval expired" && l["approval_id"] === id)).toHaveLength(
      expiredLines.length,
    );
    expect(expiredLines).toHaveLength(1);
    expect((await onA.verdict(AUTH.alice, id, { verdict: "approve" })).body.error.code).toBe("COUNTERSIGN_ALREADY_DECIDED");
  });
});
