/**
 * Several service instances (each with its own Redis connection) sharing one redis-server: expiry exactly
 * once, verdicts through any instance, 50 concurrent verdicts, concurrent idempotent creation, and
 * long-polls woken by a change made elsewhere.
 */

import { useRedisServer } from "../support/redis-server";
import type { Participant } from "../../src/approvals/approval-request";
import { evaluateQuorum } from "../../src/approvals/approval-state-machine";
import { ExpirySweeper } from "../../src/approvals/expiry-sweeper";
import type { Scheduler } from "../../src/approvals/scheduler";
import { caller, carol, exportRequest, instance, TestClock, twoSecurity, type Instance } from "./approval-fixtures";

const redisServer = useRedisServer({ flushBetweenTests: true });

let clock: TestClock;
let a: Instance;
let b: Instance;

beforeEach(() => {
  clock = new TestClock();
  a = instance(redisServer.connect(), clock);
  b = instance(redisServer.connect(), clock);
});

afterEach(async () => {
  await Promise.all([a.close(), b.close()]);
});

const reviewers = (n: number, roles = ["security"]): Participant[] => Array.from({ length: n }, (_, i) => ({ id: `user:r${i}`, roles }));
const variant = (i: number): ReturnType<typeof exportRequest> =>
  exportRequest({ request: { ...exportRequest().request, resource: { type: "database", id: `prod/t${i}` } } });

/** A scheduler whose tasks the test runs by hand. */
class ManualScheduler implements Scheduler {
  readonly tasks: (() => Promise<void>)[] = [];
  every(_intervalMs: number, task: () => Promise<void>): () => void {
    this.tasks.push(task);
    return () => this.tasks.splice(this.tasks.indexOf(task), 1);
  }
  async tick(): Promise<void> {
    await Promise.all(this.tasks.map((t) => t()));
  }
}

describe("two instances sharing one Redis", () => {
  it("expires each due request exactly once, whichever instances sweep", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await (i % 2 ? a : b).service.createFromDecision(variant(i))).approval.id);
    clock.advance(3600_000);
    const scheduler = new ManualScheduler();
    const sweepers = [new ExpirySweeper(a.service, { scheduler }), new ExpirySweeper(b.service, { scheduler })];
    sweepers.forEach((s) => s.start());
    await Promise.all([scheduler.tick(), a.service.expireDue(), b.service.expireDue(), scheduler.tick()]);
    sweepers.forEach((s) => s.stop());
    const expiredEvents = [...a.events.ofType("approval.finalized"), ...b.events.ofType("approval.finalized")];
    expect(expiredEvents.every((e) => e.status === "expired" && e.cause === "expiry")).toBe(true);
    expect(expiredEvents.map((e) => e.approval.id).sort()).toEqual([...ids].sort());
    for (const id of ids) expect((await a.store.get(id))?.status).toBe("expired");
  });

  it("records a verdict through B on a request created through A, with B announcing it", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest());
    const after = await b.service.castVerdict({
      approvalId: approval.id,
      reviewer: { id: "user:alice", roles: ["dba"] },
      verdict: "approve",
      channel: "api",
    });
    expect(after.status).toBe("approved");
    expect(b.events.ofType("approval.finalized")).toHaveLength(1);
    expect(a.events.ofType("approval.finalized")).toHaveLength(0);
    expect((await a.service.get({ approvalId: approval.id, viewer: caller })).approval.status).toBe("approved");
  });

  it("gives exactly one final state and the right count under 50 concurrent verdicts", async () => {
    const quorum3 = { ...twoSecurity, quorum: 3 };
    const { approval } = await a.service.createFromDecision(exportRequest({ requirements: quorum3 }));
    const results = await Promise.allSettled(
      reviewers(50).map((reviewer, i) =>
        (i % 2 ? a : b).service.castVerdict({ approvalId: approval.id, reviewer, verdict: "approve", channel: "api" }),
      ),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(3);
    expect(refused).toHaveLength(47);
    expect(refused.every((r) => r.reason.code === "COUNTERSIGN_ALREADY_DECIDED")).toBe(true);
    const final = await a.store.get(approval.id);
    expect(final?.status).toBe("approved");
    expect(final?.verdicts).toHaveLength(3);
    expect(final?.version).toBe(4);
    const finalized = [...a.events.ofType("approval.finalized"), ...b.events.ofType("approval.finalized")];
    expect(finalized).toHaveLength(1);
    const recorded = [...a.events.ofType("approval.verdict"), ...b.events.ofType("approval.verdict")];
    expect(recorded).toHaveLength(3);
  });

  it("stays consistent when approvals and denials race", async () => {
    const quorum5 = { ...twoSecurity, quorum: 5 };
    const { approval } = await a.service.createFromDecision(exportRequest({ requirements: quorum5 }));
    await Promise.allSettled(
      reviewers(50).map((reviewer, i) =>
        (i % 2 ? a : b).service.castVerdict({
          approvalId: approval.id,
          reviewer,
          verdict: i % 7 === 3 ? "deny" : "approve",
          channel: "api",
        }),
      ),
    );
    const final = await a.store.get(approval.id);
    expect(final && evaluateQuorum(final.requirements, final.verdicts).outcome).toBe(final?.status);
    expect(["approved", "denied"]).toContain(final?.status);
    expect([...a.events.ofType("approval.finalized"), ...b.events.ofType("approval.finalized")]).toHaveLength(1);
  });

  it("records one verdict when the same reviewer's verdict is delivered 50 times at once", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest({ requirements: twoSecurity }));
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 ? a : b).service.castVerdict({ approvalId: approval.id, reviewer: carol, verdict: "approve", channel: "teams" }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected" && r.reason.code === "COUNTERSIGN_ALREADY_VOTED")).toHaveLength(49);
    const final = await a.store.get(approval.id);
    expect(final).toMatchObject({ status: "pending", version: 2 });
    expect(final?.verdicts).toHaveLength(1);
  });

  it("creates one request when both instances receive the same creation at once", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).service.createFromDecision(exportRequest({ idempotencyKey: "same", decisionId: `dec_${i}` })),
      ),
    );
    expect(new Set(results.map((r) => r.approval.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(a.events.ofType("approval.created").length + b.events.ofType("approval.created").length).toBe(1);
  });
});

describe("long-poll", () => {
  it("wakes a waiter on A as soon as B approves", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest());
    const started = Date.now();
    const waiting = a.service.waitForChange({ approvalId: approval.id, viewer: caller, timeoutMs: 20_000 });
    setTimeout(() => {
      void b.service.castVerdict({
        approvalId: approval.id,
        reviewer: { id: "user:alice", roles: ["dba"] },
        verdict: "approve",
        channel: "api",
      });
    }, 150);
    const result = await waiting;
    expect(result.changed).toBe(true);
    expect(result.approval.status).toBe("approved");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("wakes a waiter when another instance's sweeper expires the request", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest());
    const waiting = a.service.waitForChange({ approvalId: approval.id, viewer: caller, timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 100));
    clock.advance(3600_000);
    await b.service.expireDue();
    await expect(waiting).resolves.toMatchObject({ changed: true, approval: { status: "expired" } });
  });

  it("returns at once when the request already changed since the version the client knows", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest({ requirements: twoSecurity }));
    await b.service.castVerdict({ approvalId: approval.id, reviewer: carol, verdict: "approve", channel: "api" });
    const started = Date.now();
    const result = await a.service.waitForChange({ approvalId: approval.id, viewer: caller, timeoutMs: 20_000, sinceVersion: 1 });
    expect(result).toMatchObject({ changed: true, approval: { version: 2, status: "pending" } });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("ends a wait at once, unchanged, when its signal aborts (client gone, shutdown)", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest());
    const abort = new AbortController();
    const started = Date.now();
    const waiting = a.service.waitForChange({ approvalId: approval.id, viewer: caller, timeoutMs: 20_000, signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    await expect(waiting).resolves.toMatchObject({ changed: false, approval: { status: "pending", version: 1 } });
    expect(Date.now() - started).toBeLessThan(5000);
    const aborted = AbortSignal.abort();
    await expect(
      a.service.waitForChange({ approvalId: approval.id, viewer: caller, timeoutMs: 20_000, signal: aborted }),
    ).resolves.toMatchObject({ changed: false });
  });

  it("times out unchanged, and only the caller or eligible reviewers may wait", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest());
    await expect(a.service.waitForChange({ approvalId: approval.id, viewer: caller, timeoutMs: 200 })).resolves.toMatchObject({
      changed: false,
      approval: { status: "pending", version: 1 },
    });
    await expect(a.service.waitForChange({ approvalId: approval.id, viewer: carol, timeoutMs: 200 })).rejects.toMatchObject({
      code: "COUNTERSIGN_APPROVAL_NOT_FOUND",
    });
  });
});
