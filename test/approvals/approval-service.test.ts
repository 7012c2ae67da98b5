/**
 * The approval use cases against a real redis-server: creation and idempotency, every transition, every
 * refusal (with no state change), quorum and groups, visibility, the reviewer inbox and bad input.
 */

import { createHash } from "node:crypto";
import type Redis from "ioredis";
import { useRedisServer } from "../support/redis-server";
import { ApprovalKeys } from "../../src/approvals/approval-keys";
import { renderApprovalView } from "../../src/approvals/approval-view";
import { RedisApprovalStore } from "../../src/approvals/redis-approval-store";
import { findFreePort } from "../../src/redis/embedded-redis";
import { openRedis } from "../../src/redis/redis-connection";
import type { Participant } from "../../src/approvals/approval-request";
import {
  alice,
  bob,
  caller,
  carol,
  dave,
  dbaAndSecurity,
  erin,
  exportRequest,
  frank,
  instance,
  TestClock,
  twoSecurity,
  type Instance,
} from "./approval-fixtures";

const redisServer = useRedisServer({ flushBetweenTests: true });

let redis: Redis;
let clock: TestClock;
let a: Instance;

beforeAll(() => {
  redis = redisServer.connect();
});

beforeEach(() => {
  clock = new TestClock();
  a = instance(redis, clock);
});

afterEach(async () => {
  await a.close();
});

/** The raw Redis hash of a request, to prove nothing changed. */
async function raw(id: string): Promise<Record<string, string>> {
  return redis.hgetall(new ApprovalKeys().record(id));
}

describe("creating a request", () => {
  it("withdraws a new request whose decision cannot be recorded, before anyone hears of it", async () => {
    const failure = new Error("audit unavailable");
    const seen: boolean[] = [];
    await expect(
      a.service.createFromDecision({
        ...exportRequest(),
        idempotencyKey: "withdrawn-1",
        beforeAnnounce: async (_approval, created) => {
          seen.push(created);
          throw failure;
        },
      }),
    ).rejects.toBe(failure);
    expect(seen).toEqual([true]);
    expect(a.events.ofType("approval.created")).toHaveLength(0);
    // Nothing is left: no record, no index entry, no idempotency or pending-action key.
    expect(await redis.zcard(new ApprovalKeys().pendingIndex)).toBe(0);
    expect(await redis.zcard(new ApprovalKeys().expiryIndex)).toBe(0);
    expect(await redis.keys("*")).toEqual([]);
    // The same request can be opened again afterwards, and is announced once recorded.
    const again = await a.service.createFromDecision({
      ...exportRequest(),
      idempotencyKey: "withdrawn-1",
      beforeAnnounce: async () => undefined,
    });
    expect(again.created).toBe(true);
    expect(a.events.ofType("approval.created")).toHaveLength(1);
  });

  it("stores the whole request, requesters, requirements, digest and times, and announces it", async () => {
    const { approval, created } = await a.service.createFromDecision(exportRequest());
    expect(created).toBe(true);
    expect(approval).toMatchObject({
      status: "pending",
      version: 1,
      requesters: { callerId: "svc:ci", callerOwner: "user:erin", actorId: "agent:deploy-bot", onBehalfOf: "user:mallory" },
      decisionId: "dec_1",
      policy: { bundle: "countersign", revision: "rev-1" },
      reasons: ["exports from production need a dba"],
      createdAt: clock.ms,
      expiresAt: clock.ms + 3600_000,
      verdicts: [],
      mask: ["/action/params/query"],
    });
    expect(approval.actionDigest).toMatch(/^[0-9a-f]{64}$/);
    const stored = await a.store.get(approval.id);
    expect(stored).toEqual(approval);
    expect(await a.service.read(approval.id)).toEqual(approval);
    expect(await a.service.read("apr_unknown")).toBeNull();
    expect(a.events.ofType("approval.created")).toHaveLength(1);
    expect(await redis.zscore(new ApprovalKeys().expiryIndex, approval.id)).toBe(String(clock.ms + 3600_000));
  });

  it("returns the existing request for the same idempotency key from the same caller", async () => {
    const first = await a.service.createFromDecision(exportRequest({ idempotencyKey: "k-1" }));
    clock.advance(1000);
    const again = await a.service.createFromDecision(exportRequest({ idempotencyKey: "k-1", decisionId: "dec_2" }));
    expect(again).toEqual({ created: false, approval: first.approval });
    expect(a.events.ofType("approval.created")).toHaveLength(1);
  });

  it("returns the pending request for the same action from the same caller, even without a key", async () => {
    const first = await a.service.createFromDecision(exportRequest());
    const again = await a.service.createFromDecision(exportRequest({ decisionId: "dec_2" }));
    expect(again.created).toBe(false);
    expect(again.approval.id).toBe(first.approval.id);
  });

  it("creates a new request once the earlier one is final or expired", async () => {
    const first = await a.service.createFromDecision(exportRequest());
    await a.service.cancel({ approvalId: first.approval.id, caller });
    const second = await a.service.createFromDecision(exportRequest());
    expect(second.created).toBe(true);
    clock.advance(3600_000);
    const third = await a.service.createFromDecision(exportRequest());
    expect(third.created).toBe(true);
    expect(new Set([first.approval.id, second.approval.id, third.approval.id]).size).toBe(3);
  });

  it("keeps different callers apart for the same action", async () => {
    const first = await a.service.createFromDecision(exportRequest());
    const other = await a.service.createFromDecision(exportRequest({ caller: { id: "svc:other", roles: [] } }));
    expect(other.created).toBe(true);
    expect(other.approval.id).not.toBe(first.approval.id);
  });

  it("refuses an idempotency key reused for a different action", async () => {
    await a.service.createFromDecision(exportRequest({ idempotencyKey: "k-1" }));
    const different = exportRequest({ idempotencyKey: "k-1" });
    await expect(
      a.service.createFromDecision({ ...different, request: { ...different.request, resource: { type: "database", id: "prod/orders" } } }),
    ).rejects.toMatchObject({ code: "COUNTERSIGN_IDEMPOTENCY_KEY_REUSED", status: 422 });
  });

  it("creates one request when identical creations race", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => a.service.createFromDecision(exportRequest({ idempotencyKey: "race" }))),
    );
    expect(new Set(results.map((r) => r.approval.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await redis.zcard(new ApprovalKeys().pendingIndex)).toBe(1);
  });

  it("refuses a reason_required request without context.reason", async () => {
    const input = exportRequest({ requirements: { ...twoSecurity, reason_required: true } });
    await expect(
      a.service.createFromDecision({ ...input, request: { ...input.request, context: { ticket: "OPS-1" } } }),
    ).rejects.toMatchObject({
      code: "COUNTERSIGN_REASON_REQUIRED",
      status: 400,
    });
    await expect(
      a.service.createFromDecision({ ...input, request: { ...input.request, context: { reason: "  " } } }),
    ).rejects.toMatchObject({
      code: "COUNTERSIGN_REASON_REQUIRED",
    });
    expect(await redis.dbsize()).toBe(0);
    await expect(a.service.createFromDecision(input)).resolves.toMatchObject({ created: true });
  });

  it("refuses malformed requests and unusable requirements without storing anything", async () => {
    const input = exportRequest();
    await expect(a.service.createFromDecision({ ...input, request: { ...input.request, actor: { id: "" } } })).rejects.toMatchObject({
      code: "COUNTERSIGN_INVALID_APPROVAL_REQUEST",
      details: { field: "actor.id" },
    });
    await expect(a.service.createFromDecision({ ...input, requirements: { ...input.requirements, reviewers: {} } })).rejects.toMatchObject({
      code: "COUNTERSIGN_APPROVAL_REQUIREMENTS_INVALID",
    });
    await expect(a.service.createFromDecision({ ...input, idempotencyKey: "x".repeat(300) })).rejects.toMatchObject({
      code: "COUNTERSIGN_INVALID_APPROVAL_REQUEST",
    });
    await expect(a.service.createFromDecision({ ...input, callbackUrl: "https://hooks.example.com/x" })).rejects.toMatchObject({
      code: "COUNTERSIGN_CALLBACK_NOT_ALLOWED",
    });
    expect(await redis.dbsize()).toBe(0);
  });
});

describe("verdicts and transitions", () => {
  it("pending → approved with one eligible approval", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest());
    clock.advance(5000);
    const after = await a.service.castVerdict({
      approvalId: approval.id,
      reviewer: alice,
      verdict: "approve",
      comment: "ok",
      channel: "api",
    });
    expect(after).toMatchObject({ status: "approved", version: 2, decidedAt: clock.ms });
    expect(after.verdicts).toEqual([
      { reviewerId: "user:alice", verdict: "approve", comment: "ok", channel: "api", roles: ["dba"], at: clock.ms },
    ]);
    expect(a.events.ofType("approval.verdict")).toHaveLength(1);
    expect(a.events.ofType("approval.finalized")).toMatchObject([{ status: "approved", cause: "verdict" }]);
    expect(await redis.zcard(new ApprovalKeys().pendingIndex)).toBe(0);
    expect(await redis.zcard(new ApprovalKeys().expiryIndex)).toBe(0);
    expect(await redis.pttl(new ApprovalKeys().record(approval.id))).toBeGreaterThan(0);
  });

  it("keeps the view a reviewer was shown when it hashes to the recorded digest, and refuses one that does not, changing nothing", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest());
    const view = JSON.stringify({ shown: "the card", version: 1 });
    const digest = createHash("sha256").update(view, "utf8").digest("hex");
    await expect(
      a.service.castVerdict({
        approvalId: approval.id,
        reviewer: alice,
        verdict: "approve",
        channel: "teams",
        shown: { version: 1, digest, view: `${view} ` },
      }),
    ).rejects.toMatchObject({ code: "COUNTERSIGN_INVALID_APPROVAL_REQUEST", message: "shown.view does not hash to shown.digest" });
    expect((await a.service.read(approval.id))!.verdicts).toEqual([]);
    const after = await a.service.castVerdict({
      approvalId: approval.id,
      reviewer: alice,
      verdict: "approve",
      channel: "teams",
      shown: { version: 1, digest, hidden: [], view },
    });
    expect(after.verdicts[0]!.shown).toEqual({ version: 1, digest, hidden: [], view });
    expect(a.events.ofType("approval.verdict")).toMatchObject([{ verdict: { shown: { digest, view } } }]);
  });

  it("pending → denied on one eligible deny", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest());
    const after = await a.service.castVerdict({
      approvalId: approval.id,
      reviewer: frank,
      verdict: "deny",
      comment: "no",
      channel: "teams",
    });
    expect(after.status).toBe("denied");
    expect(a.events.ofType("approval.finalized")).toMatchObject([{ status: "denied" }]);
  });

  it("pending → cancelled by the creating caller only", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest());
    await expect(a.service.cancel({ approvalId: approval.id, caller: alice })).rejects.toMatchObject({
      code: "COUNTERSIGN_NOT_REQUESTER",
      status: 403,
    });
    await expect(a.service.cancel({ approvalId: approval.id, caller: bob })).rejects.toMatchObject({
      code: "COUNTERSIGN_APPROVAL_NOT_FOUND",
    });
    const after = await a.service.cancel({ approvalId: approval.id, caller, reason: "not needed" });
    expect(after).toMatchObject({ status: "cancelled", cancellation: { by: "svc:ci", reason: "not needed" } });
    expect(a.events.ofType("approval.finalized")).toMatchObject([{ status: "cancelled", cause: "cancel" }]);
    await expect(a.service.cancel({ approvalId: approval.id, caller })).rejects.toMatchObject({
      code: "COUNTERSIGN_ALREADY_DECIDED",
      status: 409,
    });
  });

  it("pending → expired by the sweeper, then refuses verdicts with 410", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest());
    clock.advance(3600_000 - 1);
    expect(await a.service.expireDue()).toEqual([]);
    clock.advance(1);
    const expired = await a.service.expireDue();
    expect(expired.map((e) => [e.id, e.status])).toEqual([[approval.id, "expired"]]);
    expect(a.events.ofType("approval.finalized")).toMatchObject([{ status: "expired", cause: "expiry" }]);
    await expect(
      a.service.castVerdict({ approvalId: approval.id, reviewer: alice, verdict: "approve", channel: "api" }),
    ).rejects.toMatchObject({
      code: "COUNTERSIGN_ALREADY_DECIDED",
    });
  });

  it("expires a due request on a verdict even before any sweep, refusing it with COUNTERSIGN_EXPIRED", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest());
    clock.advance(3600_000);
    await expect(
      a.service.castVerdict({ approvalId: approval.id, reviewer: alice, verdict: "approve", channel: "api" }),
    ).rejects.toMatchObject({
      code: "COUNTERSIGN_EXPIRED",
      status: 410,
    });
    expect((await a.store.get(approval.id))?.status).toBe("expired");
    expect(a.events.ofType("approval.finalized")).toHaveLength(1);
    expect(await a.service.expireDue()).toEqual([]);
  });

  it("final states accept no further change", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest());
    await a.service.castVerdict({ approvalId: approval.id, reviewer: alice, verdict: "approve", channel: "api" });
    const before = await raw(approval.id);
    await expect(
      a.service.castVerdict({ approvalId: approval.id, reviewer: frank, verdict: "deny", channel: "api" }),
    ).rejects.toMatchObject({
      code: "COUNTERSIGN_ALREADY_DECIDED",
      status: 409,
    });
    await expect(a.service.cancel({ approvalId: approval.id, caller })).rejects.toMatchObject({ code: "COUNTERSIGN_ALREADY_DECIDED" });
    clock.advance(7200_000);
    expect(await a.service.expireDue()).toEqual([]);
    expect(await raw(approval.id)).toEqual(before);
  });

  it.each<[string, Participant]>([
    ["the actor", { id: "agent:deploy-bot", roles: ["dba"] }],
    ["the on_behalf_of human", { id: "user:mallory", roles: ["dba"] }],
    ["the caller principal", { id: "svc:ci", roles: ["dba"] }],
    ["the caller's owner", erin],
  ])("refuses approval by %s with 403 and changes nothing", async (_who, reviewer) => {
    const { approval } = await a.service.createFromDecision(exportRequest());
    const before = await raw(approval.id);
    await expect(a.service.castVerdict({ approvalId: approval.id, reviewer, verdict: "approve", channel: "api" })).rejects.toMatchObject({
      code: "COUNTERSIGN_SELF_APPROVAL",
      status: 403,
    });
    await expect(a.service.castVerdict({ approvalId: approval.id, reviewer, verdict: "deny", channel: "teams" })).rejects.toMatchObject({
      code: "COUNTERSIGN_SELF_APPROVAL",
    });
    expect(await raw(approval.id)).toEqual(before);
    expect(a.events.ofType("approval.verdict_refused")).toMatchObject([
      { code: "COUNTERSIGN_SELF_APPROVAL", reviewerId: reviewer.id, channel: "api" },
      { code: "COUNTERSIGN_SELF_APPROVAL", channel: "teams" },
    ]);
  });

  it("refuses a second verdict by the same person and counts them once", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest({ requirements: twoSecurity }));
    await a.service.castVerdict({ approvalId: approval.id, reviewer: bob, verdict: "approve", channel: "api" });
    const before = await raw(approval.id);
    await expect(
      a.service.castVerdict({ approvalId: approval.id, reviewer: bob, verdict: "approve", channel: "teams" }),
    ).rejects.toMatchObject({
      code: "COUNTERSIGN_ALREADY_VOTED",
      status: 409,
    });
    await expect(
      a.service.castVerdict({
        approvalId: approval.id,
        reviewer: { id: "USER:BOB", roles: ["security"] },
        verdict: "deny",
        channel: "api",
      }),
    ).rejects.toMatchObject({ code: "COUNTERSIGN_ALREADY_VOTED" });
    expect(await raw(approval.id)).toEqual(before);
    expect((await a.store.get(approval.id))?.status).toBe("pending");
  });

  it("approves on a quorum of 2 distinct approvers", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest({ requirements: twoSecurity }));
    const one = await a.service.castVerdict({ approvalId: approval.id, reviewer: bob, verdict: "approve", channel: "api" });
    expect(one.status).toBe("pending");
    const two = await a.service.castVerdict({ approvalId: approval.id, reviewer: carol, verdict: "approve", channel: "teams" });
    expect(two.status).toBe("approved");
    expect(two.verdicts.map((v) => v.reviewerId)).toEqual(["user:bob", "user:carol"]);
  });

  it("needs both groups (AND), with a person in both groups counting once overall", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest({ requirements: dbaAndSecurity }));
    expect((await a.service.castVerdict({ approvalId: approval.id, reviewer: alice, verdict: "approve", channel: "api" })).status).toBe(
      "pending",
    );
    expect((await a.service.castVerdict({ approvalId: approval.id, reviewer: frank, verdict: "approve", channel: "api" })).status).toBe(
      "pending",
    );
    expect((await a.service.castVerdict({ approvalId: approval.id, reviewer: carol, verdict: "approve", channel: "api" })).status).toBe(
      "approved",
    );

    const second = await a.service.createFromDecision(exportRequest({ requirements: dbaAndSecurity, idempotencyKey: "two" }));
    expect(second.created).toBe(true);
    expect(
      (await a.service.castVerdict({ approvalId: second.approval.id, reviewer: dave, verdict: "approve", channel: "api" })).status,
    ).toBe("pending");
    expect(
      (await a.service.castVerdict({ approvalId: second.approval.id, reviewer: bob, verdict: "approve", channel: "api" })).status,
    ).toBe("approved");
  });

  it("refuses a reviewer without an eligible role with a clear 403 reason", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest());
    const before = await raw(approval.id);
    await expect(
      a.service.castVerdict({ approvalId: approval.id, reviewer: carol, verdict: "approve", channel: "api" }),
    ).rejects.toMatchObject({
      code: "COUNTERSIGN_NOT_ELIGIBLE",
      status: 403,
      message: "user:carol has none of the roles this request needs (dba)",
    });
    expect(await raw(approval.id)).toEqual(before);
  });

  it("lets a deny win after approvals short of quorum", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest({ requirements: twoSecurity }));
    await a.service.castVerdict({ approvalId: approval.id, reviewer: bob, verdict: "approve", channel: "api" });
    const after = await a.service.castVerdict({
      approvalId: approval.id,
      reviewer: carol,
      verdict: "deny",
      comment: "too broad",
      channel: "api",
    });
    expect(after.status).toBe("denied");
  });

  it("lets a reviewer policy restrict, never relax", async () => {
    const restricted = instance(redis, clock, {
      reviewerPolicy: {
        check: async (_req, reviewer) =>
          reviewer.id === "user:frank" ? { allowed: false, reason: "frank is on leave" } : { allowed: true },
      },
    });
    try {
      const { approval } = await restricted.service.createFromDecision(exportRequest());
      await expect(
        restricted.service.castVerdict({ approvalId: approval.id, reviewer: frank, verdict: "approve", channel: "api" }),
      ).rejects.toMatchObject({
        code: "COUNTERSIGN_REVIEWER_POLICY_REFUSED",
        message: "frank is on leave",
      });
      await expect(
        restricted.service.castVerdict({ approvalId: approval.id, reviewer: erin, verdict: "approve", channel: "api" }),
      ).rejects.toMatchObject({
        code: "COUNTERSIGN_SELF_APPROVAL",
      });
      await expect(
        restricted.service.castVerdict({ approvalId: approval.id, reviewer: alice, verdict: "approve", channel: "api" }),
      ).resolves.toMatchObject({
        status: "approved",
      });
    } finally {
      await restricted.close();
    }
  });
});

describe("bad input", () => {
  it("unknown approval id → 404", async () => {
    await expect(
      a.service.castVerdict({ approvalId: "apr_nope", reviewer: alice, verdict: "approve", channel: "api" }),
    ).rejects.toMatchObject({
      code: "COUNTERSIGN_APPROVAL_NOT_FOUND",
      status: 404,
    });
    await expect(a.service.get({ approvalId: "apr_nope", viewer: caller })).rejects.toMatchObject({
      code: "COUNTERSIGN_APPROVAL_NOT_FOUND",
    });
    expect(await redis.dbsize()).toBe(0);
  });

  it.each([["yes"], [""], [null], [1], [{ verdict: "approve" }]])("malformed verdict %p → 400, no change", async (verdict) => {
    const { approval } = await a.service.createFromDecision(exportRequest());
    const before = await raw(approval.id);
    await expect(a.service.castVerdict({ approvalId: approval.id, reviewer: alice, verdict, channel: "api" })).rejects.toMatchObject({
      code: "COUNTERSIGN_INVALID_VERDICT",
      status: 400,
    });
    expect(await raw(approval.id)).toEqual(before);
  });

  it("a comment over the limit → 400, no change; at the limit it is kept", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest({ requirements: twoSecurity }));
    const before = await raw(approval.id);
    await expect(
      a.service.castVerdict({ approvalId: approval.id, reviewer: bob, verdict: "approve", comment: "é".repeat(2001), channel: "api" }),
    ).rejects.toMatchObject({ code: "COUNTERSIGN_COMMENT_TOO_LONG", status: 400, details: { limit: 2000 } });
    await expect(
      a.service.castVerdict({ approvalId: approval.id, reviewer: bob, verdict: "approve", comment: 42, channel: "api" }),
    ).rejects.toMatchObject({
      code: "COUNTERSIGN_INVALID_APPROVAL_REQUEST",
    });
    expect(await raw(approval.id)).toEqual(before);
    const ok = await a.service.castVerdict({
      approvalId: approval.id,
      reviewer: bob,
      verdict: "approve",
      comment: "é".repeat(2000),
      channel: "api",
    });
    expect(ok.verdicts[0]?.comment).toHaveLength(2000);
  });
});

describe("reading and the inbox", () => {
  it("shows the request to its caller and to eligible reviewers, and to no one else", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest());
    await expect(a.service.get({ approvalId: approval.id, viewer: caller })).resolves.toMatchObject({ viewer: "requester" });
    await expect(a.service.get({ approvalId: approval.id, viewer: alice })).resolves.toMatchObject({ viewer: "reviewer" });
    for (const viewer of [bob, erin, { id: "user:mallory", roles: ["dba"] }, { id: "svc:other", roles: [] }]) {
      await expect(a.service.get({ approvalId: approval.id, viewer })).rejects.toMatchObject({ code: "COUNTERSIGN_APPROVAL_NOT_FOUND" });
    }
  });

  it("renders masked fields for reviewers and the whole request for its caller", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest());
    const forReviewer = renderApprovalView(await a.service.get({ approvalId: approval.id, viewer: alice }));
    expect((forReviewer.request.action.params as { query: string }).query).toBe("[MASKED]");
    expect(forReviewer).toMatchObject({
      id: approval.id,
      status: "pending",
      progress: { approvals: 0, quorum: 1 },
      expires_at: new Date(approval.expiresAt).toISOString(),
    });
    const forCaller = renderApprovalView(await a.service.get({ approvalId: approval.id, viewer: caller }));
    expect((forCaller.request.action.params as { query: string }).query).toBe("select *");
  });

  it("lists what a reviewer may decide now", async () => {
    const one = await a.service.createFromDecision(exportRequest());
    const two = await a.service.createFromDecision(
      exportRequest({
        requirements: twoSecurity,
        idempotencyKey: "sec",
        request: { ...exportRequest().request, resource: { id: "iam/role" } },
      }),
    );
    const three = await a.service.createFromDecision(
      exportRequest({ requirements: twoSecurity, request: { ...exportRequest().request, resource: { id: "iam/other" } } }),
    );
    await a.service.castVerdict({ approvalId: three.approval.id, reviewer: carol, verdict: "approve", channel: "api" });
    const ids = async (p: Participant): Promise<string[]> => (await a.service.inbox({ reviewer: p })).approvals.map((r) => r.id);
    expect(await ids(alice)).toEqual([one.approval.id]);
    expect(await ids(carol)).toEqual([two.approval.id]);
    expect(await ids(dave)).toEqual([one.approval.id, two.approval.id, three.approval.id]);
    expect(await ids(erin)).toEqual([]);
    clock.advance(3600_000);
    expect(await ids(dave)).toEqual([]);
  });
});

describe("when Redis is unreachable", () => {
  it("answers COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE (503)", async () => {
    const down = openRedis(`redis://127.0.0.1:${await findFreePort()}`, {
      enableOfflineQueue: false,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    down.on("error", () => undefined);
    try {
      const store = new RedisApprovalStore(down);
      await expect(store.get("apr_x")).rejects.toMatchObject({ code: "COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE", status: 503 });
    } finally {
      down.disconnect();
    }
  });
});
