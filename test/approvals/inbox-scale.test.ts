/**
 * The reviewer inbox at any size, on a real redis-server: with 100,000 pending requests every reviewer pages
 * through exactly the requests they may decide (none missing, none ineligible, none they voted on or asked
 * for), through the cursor, and a page reads only about as many records as it lists.
 */

import { ApprovalKeys } from "../../src/approvals/approval-keys";
import type { ApprovalRequest, ApprovalRequestCore, Participant } from "../../src/approvals/approval-request";
import { ApprovalService } from "../../src/approvals/approval-service";
import { RedisApprovalStore } from "../../src/approvals/redis-approval-store";
import { verdictEligibility } from "../../src/approvals/reviewer-eligibility";
import type { ApprovalRequirements } from "../../src/engine/decision-contract";
import { useRedisServer } from "../support/redis-server";
import { alice, bob, carol, dave, oneDba, twoSecurity, dbaAndSecurity } from "./approval-fixtures";

const redis = useRedisServer();

const TOTAL = 100_000;
const now = Date.now();
const clock = { nowNs: () => BigInt(now) * 1_000_000n };

/** The i-th request: mostly security work ahead of a few DBA exports, some asked for by reviewers themselves. */
function core(i: number): ApprovalRequestCore {
  const requirements: ApprovalRequirements = i % 97 === 0 ? oneDba : i % 11 === 0 ? dbaAndSecurity : twoSecurity;
  const onBehalfOf = i % 13 === 0 ? "user:carol" : i % 17 === 0 ? "user:dave" : "user:mallory";
  return {
    id: `apr_${String(i).padStart(6, "0")}`,
    request: {
      actor: { id: "agent:bulk", type: "ai_agent", on_behalf_of: onBehalfOf },
      action: { name: "iam.role.grant", params: { n: i } },
      resource: { type: "iam", id: `role-${i}` },
      context: {},
    },
    requirements,
    requesters: { callerId: "svc:ci", actorId: "agent:bulk", onBehalfOf },
    decisionId: `dec_${i}`,
    policy: null,
    reasons: ["bulk"],
    actionDigest: `digest-${i}`,
    createdAt: now - TOTAL + i, // one per millisecond, oldest first
    expiresAt: now + 3_600_000,
    mask: [],
  };
}

let store: RedisApprovalStore;
let service: ApprovalService;
const cores: ApprovalRequestCore[] = [];
/** The requests as stored once bob has voted, read back once. */
const stored: ApprovalRequest[] = [];

beforeAll(async () => {
  const conn = redis.connect();
  store = new RedisApprovalStore(conn);
  service = new ApprovalService({ store, clock });
  for (let start = 0; start < TOTAL; start += 2000) {
    const batch = Array.from({ length: Math.min(2000, TOTAL - start) }, (_, j) => core(start + j));
    cores.push(...batch);
    await Promise.all(batch.map((c) => store.create(c, now)));
    await Promise.all(batch.map((c) => store.markRecorded(c.id)));
  }
  // bob votes on the oldest 1,000 quorum-2 security requests: they stay pending, and leave his inbox.
  const voted = cores.filter((c) => c.requirements === twoSecurity).slice(0, 1000);
  for (const c of voted) {
    const result = await service.castVerdict({ approvalId: c.id, reviewer: bob, verdict: "approve", channel: "api" });
    expect(result.status).toBe("pending");
  }
  for (let start = 0; start < TOTAL; start += 5000) {
    const got = await Promise.all(cores.slice(start, start + 5000).map((c) => store.get(c.id)));
    stored.push(...got.filter((a): a is ApprovalRequest => a !== null));
  }
}, 600_000);

/** Every id a reviewer's inbox lists, page by page. */
async function pageThrough(reviewer: Participant, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await service.inbox({ reviewer, limit, ...(cursor === undefined ? {} : { cursor }) });
    pages++;
    ids.push(...page.approvals.map((a) => a.id));
    if (page.nextCursor === null) return { ids, pages };
    expect(page.approvals).toHaveLength(limit);
    cursor = page.nextCursor;
  }
}

describe("the inbox with 100,000 pending requests", () => {
  it.each([
    ["alice (dba)", alice],
    ["bob (security), who voted on 1,000 of them", bob],
    ["carol (security), who asked for some", carol],
    ["dave (dba and security), who asked for some", dave],
  ])(
    "lists exactly what %s may decide, through the cursor, in order",
    async (_who, reviewer) => {
      const expected = stored.filter((a) => verdictEligibility(a, reviewer, now).eligible).map((a) => a.id);
      const { ids } = await pageThrough(reviewer, 500);
      expect(ids.length).toBe(expected.length);
      expect(ids).toEqual(expected);
    },
    300_000,
  );

  it("shows a DBA the exports queued behind tens of thousands of security requests on the first page", async () => {
    const first = await service.inbox({ reviewer: alice, limit: 20 });
    expect(first.approvals).toHaveLength(20);
    expect(
      first.approvals.every((a) => a.requirements.reviewers.roles?.includes("dba") || a.requirements.reviewers.groups !== undefined),
    ).toBe(true);
  });

  it("reads about as many records as a page lists, however large the backlog", async () => {
    const conn = redis.connect();
    const hgetalls = async (): Promise<number> => {
      const info = await conn.info("commandstats");
      return Number(/cmdstat_hgetall:calls=(\d+)/.exec(info)?.[1] ?? 0);
    };
    const before = await hgetalls();
    const page = await service.inbox({ reviewer: alice, limit: 50 });
    expect(page.approvals).toHaveLength(50);
    const read = (await hgetalls()) - before;
    expect(read).toBeLessThanOrEqual(2 * 50 + 8);
  });

  it("refuses a cursor it did not hand out", async () => {
    await expect(service.inbox({ reviewer: alice, cursor: "not-a-cursor" })).rejects.toMatchObject({
      code: "COUNTERSIGN_INVALID_APPROVAL_REQUEST",
    });
  });

  it("lists requests stored before the indexes existed once they are indexed", async () => {
    const conn = redis.connect();
    const keys = new ApprovalKeys();
    const old = core(TOTAL + 1);
    await store.create({ ...old, id: "apr_legacy", createdAt: now - TOTAL - 10 }, now); // the oldest: first in the inbox
    await store.markRecorded("apr_legacy");
    // As an older version stored it: no inbox indexes.
    await conn.zrem(keys.roleIndex("security"), "apr_legacy");
    await conn.zrem(keys.requesterIndex("user:mallory"), "apr_legacy");
    await conn.hdel(keys.record("apr_legacy"), "idx");
    const listed = async (): Promise<boolean> =>
      (await service.inbox({ reviewer: carol, limit: 5 })).approvals.some((a) => a.id === "apr_legacy");
    expect(await listed()).toBe(false);
    expect(await store.indexUnindexed()).toBe(1);
    expect(await listed()).toBe(true);
    expect(await store.indexUnindexed()).toBe(0);
  }, 300_000);
});
