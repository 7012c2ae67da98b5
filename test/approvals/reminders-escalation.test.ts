/**
 * Reminders and escalation on a real redis-server, driven by the sweeper's `remindAndEscalate` as every
 * instance runs it: each reminder and each rung is sent exactly once across instances; missed intervals give
 * one reminder; an escalation's roles may then review (and see the request in their inbox) but the rules on
 * who may review are unchanged (no self-approval); nothing is sent past expiry or after a decision; the
 * notification outbox receives `remind` and `escalate` entries; the policy contract refuses bad ladders.
 */

import type Redis from "ioredis";
import { ApprovalKeys } from "../../src/approvals/approval-keys";
import type { Participant } from "../../src/approvals/approval-request";
import { ApprovalService } from "../../src/approvals/approval-service";
import { ApprovalEventBus } from "../../src/approvals/approval-events";
import { RedisApprovalStore } from "../../src/approvals/redis-approval-store";
import type { ApprovalRequirements } from "../../src/engine/decision-contract";
import { validateDecision } from "../../src/engine/decision-validator";
import { useRedisServer } from "../support/redis-server";
import { alice, EventLog, exportRequest, oneDba, TestClock } from "./approval-fixtures";

const redis = useRedisServer({ flushBetweenTests: true });
const keys = new ApprovalKeys();

const ladder: ApprovalRequirements = {
  ...oneDba,
  remind_after_seconds: 600,
  escalate: [
    { after_seconds: 1200, roles: ["cto"] },
    { after_seconds: 2400, channel: "execs" },
  ],
};

const cto: Participant = { id: "user:cora", roles: ["cto"] };
/** The human the agent acts for also holds the escalation role: escalation never lets her approve. */
const mallory: Participant = { id: "user:mallory", roles: ["cto"] };

function instance(conn: Redis, clock: TestClock): { service: ApprovalService; events: EventLog } {
  const events = new EventLog();
  let n = 0;
  const prefix = Math.random().toString(36).slice(2, 8);
  const service = new ApprovalService({
    store: new RedisApprovalStore(conn, { notifications: true }),
    clock,
    ids: { newId: () => `apr_${prefix}_${++n}` },
    events: new ApprovalEventBus([events]),
  });
  return { service, events };
}

async function outbox(): Promise<string[]> {
  return (await redis.connect().xrange(keys.notify, "-", "+")).map(([, f]) => {
    const m: Record<string, string> = {};
    for (let i = 0; i + 1 < f.length; i += 2) m[f[i]!] = f[i + 1]!;
    return m["n"] === undefined ? m["k"]! : `${m["k"]}:${m["n"]}`;
  });
}

it("reminds once per interval and climbs the ladder once per rung, across two instances", async () => {
  const clock = new TestClock();
  const one = instance(redis.connect(), clock);
  const two = instance(redis.connect(), clock);
  const { approval } = await one.service.createFromDecision(exportRequest({ requirements: ladder }));
  const both = async () => Promise.all([one.service.remindAndEscalate(), two.service.remindAndEscalate()]);
  const sent = () =>
    [...one.events.events, ...two.events.events].filter((e) => e.type === "approval.reminded" || e.type === "approval.escalated");

  await both();
  expect(sent()).toEqual([]); // nothing is due yet

  clock.advance(600_000);
  await both();
  await both();
  expect(sent().map((e) => e.type)).toEqual(["approval.reminded"]);

  // cora (cto) may not review before the escalation...
  await expect(
    one.service.castVerdict({ approvalId: approval.id, reviewer: cto, verdict: "approve", channel: "api" }),
  ).rejects.toMatchObject({ code: "COUNTERSIGN_NOT_ELIGIBLE" });
  expect((await one.service.inbox({ reviewer: cto })).approvals).toEqual([]);

  clock.advance(600_000); // 20 min: the second reminder and the first rung
  await both();
  const events = sent();
  expect(events.map((e) => e.type).sort()).toEqual(["approval.escalated", "approval.reminded", "approval.reminded"]);
  const escalated = events.find((e) => e.type === "approval.escalated");
  expect(escalated).toMatchObject({ level: 1, approval: { escalation: { level: 1, roles: ["cto"] } } });

  // ...and may after it, seeing it in her inbox; the person the agent acts for still may not, whatever her roles.
  expect((await two.service.inbox({ reviewer: cto })).approvals.map((a) => a.id)).toEqual([approval.id]);
  await expect(
    two.service.castVerdict({ approvalId: approval.id, reviewer: mallory, verdict: "approve", channel: "api" }),
  ).rejects.toMatchObject({ code: "COUNTERSIGN_SELF_APPROVAL" });
  expect(await outbox()).toEqual(["created", "remind:1", "escalate:1", "remind:2"]);

  const approved = await two.service.castVerdict({ approvalId: approval.id, reviewer: cto, verdict: "approve", channel: "api" });
  expect(approved.status).toBe("approved");
  expect(approved.verdicts[0]).toMatchObject({ reviewerId: "user:cora", roles: ["cto"] });

  // Decided: nothing more is sent, and the request leaves the timers and the escalated role's inbox.
  clock.advance(3_000_000);
  const before = sent().length;
  await both();
  expect(sent()).toHaveLength(before);
  expect(await redis.connect().zcard(keys.timers)).toBe(0);
  expect(await redis.connect().zcard(keys.roleIndex("cto"))).toBe(0);
});

it("missed intervals give one reminder that counts them; nothing is sent at or past expiry", async () => {
  const clock = new TestClock();
  const { service, events } = instance(redis.connect(), clock);
  await service.createFromDecision(exportRequest({ requirements: { ...oneDba, ttl_seconds: 1800, remind_after_seconds: 300 } }));
  clock.advance(1_000_000); // three intervals and a bit
  await service.remindAndEscalate();
  expect(events.ofType("approval.reminded").map((e) => e.reminder)).toEqual([3]);
  clock.advance(200_000); // 1 200 s: the fourth
  await service.remindAndEscalate();
  expect(events.ofType("approval.reminded").map((e) => e.reminder)).toEqual([3, 4]);
  clock.advance(600_000); // 1 800 s: expired — the reminder due at 1 500 s is never sent after expiry
  await service.expireDue();
  await service.remindAndEscalate();
  expect(events.ofType("approval.reminded").map((e) => e.reminder)).toEqual([3, 4]);
  expect(await redis.connect().zcard(keys.timers)).toBe(0);
});

it("a request without reminders or escalation never enters the timers", async () => {
  const clock = new TestClock();
  const { service } = instance(redis.connect(), clock);
  await service.createFromDecision(exportRequest());
  expect(await redis.connect().zcard(keys.timers)).toBe(0);
});

it("the policy contract: reminders and ladders are checked, with errors that say what is wrong", () => {
  const base = { outcome: "require_approval", approval: { quorum: 1, reviewers: { roles: ["dba"] }, ttl_seconds: 3600 } };
  const problem = (approval: Record<string, unknown>) => {
    const v = validateDecision({ ...base, approval: { ...base.approval, ...approval } });
    return v.ok ? null : v.problem;
  };
  expect(problem({ remind_after_seconds: 0 })).toBe("approval.remind_after_seconds must be a positive integer, got number 0");
  expect(problem({ escalate: [{ after_seconds: 600 }] })).toBe("approval.escalate[0] must add roles or name a channel");
  expect(
    problem({
      escalate: [
        { after_seconds: 600, roles: ["cto"] },
        { after_seconds: 300, channel: "x" },
      ],
    }),
  ).toMatch(/escalate\[1\]\.after_seconds \(300\) must be greater/);
  expect(
    problem({
      reviewers: { groups: [{ roles: ["dba"], quorum: 1 }] },
      quorum: undefined,
      escalate: [{ after_seconds: 60, roles: ["cto"] }],
    }),
  ).toMatch(/groups cannot be widened/);
  expect(
    problem({
      escalate: [
        { after_seconds: 60, roles: ["cto"] },
        { after_seconds: 120, channel: "execs" },
      ],
      remind_after_seconds: 300,
    }),
  ).toBeNull();
  const ok = validateDecision({
    ...base,
    approval: { ...base.approval, remind_after_seconds: 300, escalate: [{ after_seconds: 60, channel: "execs" }] },
  });
  expect(ok.ok && ok.decision.approval).toMatchObject({ remind_after_seconds: 300, escalate: [{ after_seconds: 60, channel: "execs" }] });
});

it("alice (dba) is reminded about, and can still decide, an escalated request", async () => {
  const clock = new TestClock();
  const { service } = instance(redis.connect(), clock);
  const { approval } = await service.createFromDecision(exportRequest({ requirements: ladder }));
  clock.advance(1_300_000);
  await service.remindAndEscalate();
  expect((await service.inbox({ reviewer: alice })).approvals.map((a) => a.id)).toEqual([approval.id]);
  expect((await service.castVerdict({ approvalId: approval.id, reviewer: alice, verdict: "deny", channel: "api" })).status).toBe("denied");
});
