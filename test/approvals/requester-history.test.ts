/**
 * The requester history ("my requests") on a real redis-server: every request a person asked for is
 * reachable through the cursor, newest first, however many there are and however they interleave with
 * others'; decided and cancelled requests stay listed with their status; a request withdrawn before it was
 * recorded, or gone by retention, leaves the history; requests stored before the history existed are
 * listed by the one-time pass.
 */

import type Redis from "ioredis";
import { ApprovalKeys } from "../../src/approvals/approval-keys";
import type { ApprovalRequestCore } from "../../src/approvals/approval-request";
import { ApprovalService } from "../../src/approvals/approval-service";
import { RedisApprovalStore } from "../../src/approvals/redis-approval-store";
import { useRedisServer } from "../support/redis-server";
import { caller, dave, exportRequest, instance, oneDba, TestClock } from "./approval-fixtures";

const redis = useRedisServer({ flushBetweenTests: true });
const keys = new ApprovalKeys();

/** A request asked for by `svc:ci` (owned by erin) through an agent acting for `onBehalfOf`. */
function core(id: string, onBehalfOf: string, createdAt: number, expiresAt = createdAt + 3_600_000): ApprovalRequestCore {
  return {
    id,
    request: {
      actor: { id: "agent:bulk", type: "ai_agent", on_behalf_of: onBehalfOf },
      action: { name: "db.export", params: { id } },
      resource: { type: "database", id: "prod/customers" },
      context: {},
    },
    requirements: oneDba,
    requesters: { callerId: "svc:ci", callerOwner: "user:erin", actorId: "agent:bulk", onBehalfOf },
    decisionId: `dec_${id}`,
    policy: null,
    reasons: [],
    actionDigest: `digest-${id}`,
    createdAt,
    expiresAt,
    mask: [],
  };
}

/** Every id `requester`'s history lists, page by page, through the service's cursor. */
async function pageThrough(service: ApprovalService, requester: string, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await service.requestedBy({ requester, limit, ...(cursor === undefined ? {} : { cursor }) });
    pages++;
    expect(page.approvals.length).toBeLessThanOrEqual(limit);
    ids.push(...page.approvals.map((a) => a.id));
    if (page.nextCursor === null) return { ids, pages };
    expect(page.approvals).toHaveLength(limit);
    cursor = page.nextCursor;
  }
}

async function listed(conn: Redis, requester: string, id: string): Promise<{ requested: string | null; until: string | null }> {
  return {
    requested: await conn.zscore(keys.requestedIndex(requester), id),
    until: await conn.zscore(keys.requestedUntilIndex(requester), id),
  };
}

describe("the requester history", () => {
  it("pages through exactly one requester's 2,500 requests among others', newest first, none missing or repeated", async () => {
    const conn = redis.connect();
    const store = new RedisApprovalStore(conn);
    const now = Date.UTC(2026, 10, 21, 12);
    const service = new ApprovalService({ store, clock: { nowNs: () => BigInt(now) * 1_000_000n } });
    const cores: ApprovalRequestCore[] = [];
    // 7,500 requests, three per millisecond (ties are ordered by id), alice's every third among bob's and carol's.
    for (let i = 0; i < 7_500; i++) {
      const who = ["user:alice", "user:bob", "user:carol"][(i * 7) % 3] as string;
      cores.push(core(`apr_${(i * 7919) % 7_500}`.padEnd(9, "x"), who, now - 10_000 + Math.floor(i / 3)));
    }
    for (let start = 0; start < cores.length; start += 1_000) {
      const batch = cores.slice(start, start + 1_000);
      await Promise.all(batch.map((c) => store.create(c, now)));
      await Promise.all(batch.map((c) => store.markRecorded(c.id)));
    }
    const newestFirst = (who: string): string[] =>
      cores
        .filter((c) => c.requesters.onBehalfOf === who)
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
        .map((c) => c.id);
    const alice = newestFirst("user:alice");
    expect(alice).toHaveLength(2_500);

    const byPage = await pageThrough(service, "user:alice", 25);
    expect(byPage.ids).toEqual(alice);
    expect(new Set(byPage.ids).size).toBe(2_500);
    expect(byPage.pages).toBe(100); // a full last page says "no more" itself: no empty page after it
    // An odd page size, and the identity spelled differently (the same canonical id).
    expect((await pageThrough(service, "USER:Alice", 7)).ids).toEqual(alice);
    // The caller's owner asked for every one of them.
    const erin = await pageThrough(service, "user:erin", 1_000);
    expect(erin.ids).toHaveLength(7_500);
    expect(new Set(erin.ids).size).toBe(7_500);
    // Someone who asked for nothing has an empty history.
    expect(await service.requestedBy({ requester: "user:dave" })).toEqual({ approvals: [], nextCursor: null });
  }, 120_000);

  it("keeps decided and cancelled requests listed with their status, and leaves out one not yet recorded", async () => {
    const clock = new TestClock();
    const a = instance(redis.connect(), clock);
    const ask = async (ticket: string): Promise<string> =>
      (
        await a.service.createFromDecision(
          exportRequest({
            request: { ...exportRequest().request, action: { name: "db.export", params: { table: "customers", ticket } } },
          }),
        )
      ).approval.id;
    const approved = await ask("T-1");
    clock.advance(1);
    const denied = await ask("T-2");
    clock.advance(1);
    const cancelled = await ask("T-3");
    clock.advance(1);
    const pending = await ask("T-4");
    await a.service.castVerdict({ approvalId: approved, reviewer: dave, verdict: "approve", channel: "api" });
    await a.service.castVerdict({ approvalId: denied, reviewer: dave, verdict: "deny", channel: "api" });
    await a.service.cancel({ approvalId: cancelled, caller, reason: "not needed" });
    // A request whose creating decision is not recorded yet is nobody's to see.
    clock.advance(1);
    const hidden = core("apr_unrecorded", "user:mallory", clock.ms);
    await a.store.create(hidden, clock.ms);

    for (const requester of ["user:mallory", "svc:ci", "user:erin", "agent:deploy-bot"]) {
      const page = await a.service.requestedBy({ requester });
      expect(page.approvals.map((r) => [r.id, r.status])).toEqual([
        [pending, "pending"],
        [cancelled, "cancelled"],
        [denied, "denied"],
        [approved, "approved"],
      ]);
      expect(page.nextCursor).toBeNull();
    }
    // The creating caller's own grant is not part of the list.
    expect((await a.service.requestedBy({ requester: "svc:ci" })).approvals.every((r) => r.grant === undefined)).toBe(true);
    // A bad cursor is refused with the list's code.
    await expect(a.service.requestedBy({ requester: "svc:ci", cursor: "nonsense" })).rejects.toMatchObject({
      code: "COUNTERSIGN_INVALID_APPROVAL_REQUEST",
    });
    await a.close();
  });

  it("drops a request withdrawn before it was recorded, in the same step that removes it", async () => {
    const conn = redis.connect();
    const store = new RedisApprovalStore(conn);
    const now = Date.UTC(2026, 10, 21, 12);
    await store.create(core("apr_kept", "user:alice", now - 1), now);
    await store.markRecorded("apr_kept");
    await store.create(core("apr_gone", "user:alice", now), now);
    expect((await listed(conn, "user:alice", "apr_gone")).requested).not.toBeNull();
    expect(await store.withdraw("apr_gone")).toBe(true);
    for (const who of ["user:alice", "svc:ci", "user:erin", "agent:bulk"]) {
      expect(await listed(conn, who, "apr_gone")).toEqual({ requested: null, until: null });
    }
    const page = await store.requestedBy({ requester: "user:alice", after: null, limit: 10, nowMs: now });
    expect(page.approvals.map((r) => r.id)).toEqual(["apr_kept"]);
  });

  it("sheds a request gone by retention: when a page meets it, and when the requester asks again", async () => {
    const conn = redis.connect();
    const clock = new TestClock();
    const store = new RedisApprovalStore(conn, { retentionSeconds: 1 });
    const service = new ApprovalService({ store, clock });
    const ask = async (id: string, who: string): Promise<void> => {
      await store.create(core(id, who, clock.ms, clock.ms + 60_000), clock.ms);
      await store.markRecorded(id);
    };
    await ask("apr_a1", "user:alice");
    await ask("apr_b1", "user:bob");
    // Due to be gone at its expiry plus the retention.
    expect(Number((await listed(conn, "user:alice", "apr_a1")).until)).toBe(clock.ms + 60_000 + 1_000);
    await service.cancel({ approvalId: "apr_a1", caller: { id: "svc:ci", roles: [] } });
    await service.cancel({ approvalId: "apr_b1", caller: { id: "svc:ci", roles: [] } });
    expect((await service.requestedBy({ requester: "user:alice" })).approvals.map((r) => r.status)).toEqual(["cancelled"]);

    // The retention TTL (1 s, real time) removes both records; no script runs then.
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(await conn.exists(keys.record("apr_a1"), keys.record("apr_b1"))).toBe(0);
    // A page that meets alice's gone request drops it from her history.
    expect(await service.requestedBy({ requester: "user:alice" })).toEqual({ approvals: [], nextCursor: null });
    expect(await listed(conn, "user:alice", "apr_a1")).toEqual({ requested: null, until: null });
    // Bob never reads his list; his next request, once the old one is due, sheds it in the creating step.
    expect((await listed(conn, "user:bob", "apr_b1")).requested).not.toBeNull();
    clock.advance(61_001);
    await ask("apr_b2", "user:bob");
    expect(await listed(conn, "user:bob", "apr_b1")).toEqual({ requested: null, until: null });
    expect((await service.requestedBy({ requester: "user:bob" })).approvals.map((r) => r.id)).toEqual(["apr_b2"]);

    // A record still there when it was due (finalized late, e.g. by a sweeper that was down) stays listed,
    // due again one retention later.
    await ask("apr_b3", "user:bob");
    clock.advance(61_001 + 5_000);
    await ask("apr_b4", "user:bob");
    expect(Number((await listed(conn, "user:bob", "apr_b3")).until)).toBe(clock.ms + 1_000);
    expect((await service.requestedBy({ requester: "user:bob" })).approvals.map((r) => r.id)).toEqual(["apr_b4", "apr_b3", "apr_b2"]);
  });

  it("lists requests stored before the history existed, once per deployment", async () => {
    const conn = redis.connect();
    const now = Date.UTC(2026, 10, 21, 12);
    const store = new RedisApprovalStore(conn);
    await store.create(core("apr_old_pending", "user:alice", now - 2), now);
    await store.markRecorded("apr_old_pending");
    await store.create(core("apr_old_cancelled", "user:alice", now - 1), now);
    await store.markRecorded("apr_old_cancelled");
    await store.cancel("apr_old_cancelled", { by: "svc:ci" }, now);
    // As an older version stored them: no history keys, no `hist` field.
    for (const id of ["apr_old_pending", "apr_old_cancelled"]) await conn.hdel(keys.record(id), "hist");
    const historyKeys = await conn.keys("countersign:approvals:requested*");
    await conn.del(...historyKeys);
    expect((await store.requestedBy({ requester: "user:alice", after: null, limit: 10, nowMs: now })).approvals).toEqual([]);

    expect(await store.indexHistory(now)).toBe(2);
    const page = await store.requestedBy({ requester: "user:alice", after: null, limit: 10, nowMs: now });
    expect(page.approvals.map((r) => [r.id, r.status])).toEqual([
      ["apr_old_cancelled", "cancelled"],
      ["apr_old_pending", "pending"],
    ]);
    // The cancelled one is due when its retention TTL ends; the pending one at its expiry plus the retention.
    const ttl = await conn.pttl(keys.record("apr_old_cancelled"));
    expect(Number((await listed(conn, "user:alice", "apr_old_cancelled")).until)).toBeGreaterThan(now + ttl - 1_000);
    expect(Number((await listed(conn, "user:alice", "apr_old_pending")).until)).toBe(now - 2 + 3_600_000 + 30 * 24 * 3_600_000);
    // Once done, it does not run again.
    expect(await store.indexHistory(now)).toBe(0);
  });
});
