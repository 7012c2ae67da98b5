/**
 * Scoped approvals on a real redis-server: the reviewer picks a scope within the policy's `max_scope`
 * (refused when wider, or when the policy allows none); a counted grant is redeemed exactly N times however
 * many redemptions race (from separate connections, as separate instances would); a window grant any number
 * of times until it ends; with a quorum, the narrowest scope any approver chose; always only the same action
 * digest (another table, or another actor, is a mismatch and spends nothing); the trail records the scope.
 */

import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import type Redis from "ioredis";
import { ApprovalEventBus } from "../../src/approvals/approval-events";
import { grantLimits, scopeWithin } from "../../src/approvals/approval-scope";
import { ApprovalService } from "../../src/approvals/approval-service";
import { RedisApprovalStore } from "../../src/approvals/redis-approval-store";
import type { ApprovalRequirements, ApprovalScope } from "../../src/engine/decision-contract";
import { GrantService } from "../../src/grants/grant-service";
import { signingKeyFrom, type GrantSigningKey } from "../../src/grants/grant-signing-key";
import { useRedisServer } from "../support/redis-server";
import { alice, dave, EventLog, exportRequest, oneDba, TestClock, twoSecurity, carol } from "./approval-fixtures";

const redis = useRedisServer({ flushBetweenTests: true });
let key: GrantSigningKey;

beforeAll(async () => {
  key = await signingKeyFrom(generateKeyPairSync("ed25519").privateKey);
});

function world(conn: Redis, clock: TestClock) {
  const events = new EventLog();
  const bus = new ApprovalEventBus([events]);
  const grants = new GrantService({ redis: conn, key, clock, events: bus });
  const service = new ApprovalService({ store: new RedisApprovalStore(conn), clock, events: bus, grants });
  return { service, grants, events };
}

const request = exportRequest().request;
const presented = { actor: request.actor, action: request.action, resource: request.resource };

async function approvedGrant(w: ReturnType<typeof world>, requirements: ApprovalRequirements, scope: unknown): Promise<string> {
  const { approval } = await w.service.createFromDecision(exportRequest({ requirements }));
  await w.service.castVerdict({ approvalId: approval.id, reviewer: alice, verdict: "approve", scope, channel: "api" });
  const read = await w.service.get({ approvalId: approval.id, viewer: exportRequest().caller });
  return read.grant!.token;
}

it("a counted grant is redeemed exactly N times by 12 racing redemptions on separate connections", async () => {
  const clock = new TestClock(Date.now());
  const w = world(redis.connect(), clock);
  const token = await approvedGrant(w, { ...oneDba, max_scope: { count: 5 } }, { count: 3 });
  const racers = Array.from({ length: 12 }, () => new GrantService({ redis: redis.connect(), key, clock }));
  const results = await Promise.allSettled(racers.map((g) => g.redeem(token, presented, { caller: "svc:ci", via: "redeem" })));
  const spent = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<GrantService["redeem"]>>> => r.status === "fulfilled");
  expect(spent.map((r) => r.value.use).sort()).toEqual([1, 2, 3]);
  expect(spent.every((r) => r.value.maxUses === 3)).toBe(true);
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  expect(refused).toHaveLength(9);
  expect(refused.every((r) => (r.reason as { code: string }).code === "COUNTERSIGN_GRANT_REPLAYED")).toBe(true);
  expect(w.events.ofType("grant.issued")[0]).toMatchObject({ maxUses: 3 });
});

it("a scoped grant covers only the same action digest: another table or another actor spends nothing", async () => {
  const clock = new TestClock(Date.now());
  const w = world(redis.connect(), clock);
  const token = await approvedGrant(w, { ...oneDba, max_scope: { count: 2 } }, { count: 2 });
  await expect(
    w.grants.redeem(token, { ...presented, action: { name: "db.export", params: { table: "payments" } } }),
  ).rejects.toMatchObject({ code: "COUNTERSIGN_GRANT_MISMATCH" });
  await expect(w.grants.redeem(token, { ...presented, actor: { id: "agent:other", type: "ai_agent" } })).rejects.toMatchObject({
    code: "COUNTERSIGN_GRANT_MISMATCH",
  });
  expect((await w.grants.redeem(token, presented)).use).toBe(1);
  expect((await w.grants.redeem(token, presented)).use).toBe(2);
  await expect(w.grants.redeem(token, presented)).rejects.toMatchObject({
    code: "COUNTERSIGN_GRANT_REPLAYED",
    message: "the grant's 2 uses are spent",
  });
});

it("a window grant is redeemed any number of times until its window ends", async () => {
  const clock = new TestClock(Date.now());
  const w = world(redis.connect(), clock);
  const token = await approvedGrant(w, { ...oneDba, max_scope: { window_seconds: 3600 } }, { window_seconds: 600 });
  for (let i = 1; i <= 7; i++) expect(await w.grants.redeem(token, presented)).toMatchObject({ use: i, maxUses: null });
  clock.advance(601_000);
  await expect(w.grants.redeem(token, presented)).rejects.toMatchObject({ code: "COUNTERSIGN_GRANT_EXPIRED" });
});

it("refuses a scope wider than the policy allows, a scope on a deny, a malformed scope; without max_scope only once", async () => {
  const clock = new TestClock(Date.now());
  const w = world(redis.connect(), clock);
  const { approval } = await w.service.createFromDecision(exportRequest({ requirements: { ...oneDba, max_scope: { count: 3 } } }));
  const cast = (scope: unknown, verdict = "approve") =>
    w.service.castVerdict({ approvalId: approval.id, reviewer: alice, verdict, scope, channel: "api" });
  await expect(cast({ count: 4 })).rejects.toMatchObject({
    code: "COUNTERSIGN_SCOPE_TOO_WIDE",
    message: "a scope of 4 uses is wider than this request allows (3 uses)",
  });
  await expect(cast({ window_seconds: 60 })).rejects.toMatchObject({ code: "COUNTERSIGN_SCOPE_TOO_WIDE" }); // any number of uses > 3
  await expect(cast({ count: 2 }, "deny")).rejects.toMatchObject({ code: "COUNTERSIGN_INVALID_APPROVAL_REQUEST" });
  await expect(cast({ count: 0 })).rejects.toMatchObject({ code: "COUNTERSIGN_INVALID_APPROVAL_REQUEST" });
  await expect(cast("forever")).rejects.toMatchObject({ code: "COUNTERSIGN_INVALID_APPROVAL_REQUEST" });
  expect((await w.service.read(approval.id))?.verdicts).toEqual([]); // refusals changed nothing

  const plain = await w.service.createFromDecision(
    exportRequest({ decisionId: "dec_p", request: { ...request, action: { name: "db.export", params: { table: "x" } } } }),
  );
  await expect(
    w.service.castVerdict({ approvalId: plain.approval.id, reviewer: alice, verdict: "approve", scope: { count: 2 }, channel: "api" }),
  ).rejects.toMatchObject({
    code: "COUNTERSIGN_SCOPE_TOO_WIDE",
  });
  expect(
    (await w.service.castVerdict({ approvalId: plain.approval.id, reviewer: alice, verdict: "approve", scope: "once", channel: "api" }))
      .status,
  ).toBe("approved");
});

it("with a quorum, the grant gets the narrowest scope any approver chose", async () => {
  const clock = new TestClock(Date.now());
  const w = world(redis.connect(), clock);
  const { approval } = await w.service.createFromDecision(
    exportRequest({ requirements: { ...twoSecurity, max_scope: { count: 10, window_seconds: 3600 } } }),
  );
  await w.service.castVerdict({
    approvalId: approval.id,
    reviewer: carol,
    verdict: "approve",
    scope: { count: 10, window_seconds: 3600 },
    channel: "api",
  });
  await w.service.castVerdict({ approvalId: approval.id, reviewer: dave, verdict: "approve", scope: { count: 2 }, channel: "api" });
  const read = await w.service.get({ approvalId: approval.id, viewer: exportRequest().caller });
  expect(read.grant!.maxUses).toBe(2);
  expect(read.grant!.expiresAt - clock.ms).toBeLessThanOrEqual(300_000); // dave's count keeps the grant ttl, not carol's hour
});

it("property: a scope within max_scope never yields a grant wider than max_scope", () => {
  const scope: fc.Arbitrary<ApprovalScope> = fc
    .record({
      count: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
      window_seconds: fc.option(fc.integer({ min: 1, max: 7200 }), { nil: undefined }),
    })
    .map((s) => ({
      ...(s.count === undefined ? {} : { count: s.count }),
      ...(s.window_seconds === undefined ? {} : { window_seconds: s.window_seconds }),
    }));
  fc.assert(
    fc.property(scope, fc.array(scope, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 3600 }), (max, picks, ttl) => {
      const requirements: ApprovalRequirements = { ...oneDba, grant_ttl_seconds: ttl, max_scope: max };
      const allowed = picks.filter((p) => scopeWithin(p, max, ttl));
      if (allowed.length === 0) return;
      const limits = grantLimits(
        requirements,
        allowed.map((p, i) => ({
          reviewerId: `user:r${i}`,
          verdict: "approve" as const,
          channel: "api" as const,
          roles: ["dba"],
          at: 0,
          scope: p,
        })),
      );
      const maxUses = max.count ?? (max.window_seconds !== undefined ? null : 1);
      if (maxUses !== null) expect(limits.uses !== null && limits.uses <= maxUses).toBe(true);
      expect(limits.lifetimeSeconds).toBeLessThanOrEqual(max.window_seconds ?? ttl);
    }),
  );
});
