/**
 * The bot against the real approval core: `ApprovalService` on a real Redis store, its events driving the
 * notifier, verdicts from Teams cards going through the same use case (and rules) as API verdicts, through
 * the adapter the composition root wires (`src/teams/approval-core-adapter.ts`).
 */

import "./support/network-guard";
import type { Response } from "supertest";
import { ApprovalEventBus } from "../../src/approvals/approval-events";
import { ApprovalService, type CreateApprovalInput } from "../../src/approvals/approval-service";
import { RedisApprovalStore } from "../../src/approvals/redis-approval-store";
import type { ApprovalRequirements } from "../../src/engine/decision-contract";
import { APPROVE_VERB, DENY_VERB } from "../../src/teams/card-verbs";
import { useRedisServer } from "../support/redis-server";
import { ApprovalCorePort, teamsNotificationSink } from "../../src/teams/approval-core-adapter";
import { ApprovalKeys } from "../../src/approvals/approval-keys";
import { NotificationDispatcher } from "../../src/approvals/notification-dispatcher";
import { startBotHarness, type BotHarness } from "./support/bot-harness";
import { REVIEWERS } from "./support/in-memory-approvals";
import { APPROVALS_CHANNEL, DBA_CHANNEL, reviewerClick, reviewerMessage, type TestConversation } from "./support/teams-activities";

const redis = useRedisServer({ flushBetweenTests: true });
const NAMES = Object.fromEntries(Object.values(REVIEWERS).map((r) => [r.id, r.name]));
let h: BotHarness;
let service: ApprovalService;
let dispatcher: NotificationDispatcher;

/** Runs the notification outbox's dispatcher once, as each instance's dispatcher does continuously. */
async function deliver(): Promise<void> {
  await dispatcher.runOnce();
}

beforeEach(async () => {
  let n = 0;
  h = await startBotHarness(redis, {
    approvals: (clock) => {
      const store = new RedisApprovalStore(redis.connect(), { notifications: true });
      service = new ApprovalService({
        store,
        clock: { nowNs: () => BigInt(clock.now()) * 1_000_000n },
        ids: { newId: () => `apr_core_${++n}` },
        events: new ApprovalEventBus([], (err) => {
          throw err;
        }),
      });
      dispatcher = new NotificationDispatcher({
        redis: redis.connect(),
        keys: new ApprovalKeys(),
        read: (id) => store.get(id),
        sink: teamsNotificationSink(
          () => h.bot.notifier,
          NAMES,
          () => h.clock.now(),
        ),
        consumer: "test",
      });
      return new ApprovalCorePort(service, NAMES);
    },
  });
  await h.send(reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.bob, "subscribe approvals"));
  await h.send(reviewerMessage(DBA_CHANNEL, h.connector.serviceUrl, REVIEWERS.dave, "subscribe db"));
  h.connector.reset();
});

afterEach(async () => {
  expect(h.connector.unknown).toEqual([]);
  await h.close();
});

const SECRET_QUERY = "select ssn from customers where vip = true";

function requirements(overrides: Partial<ApprovalRequirements> = {}): ApprovalRequirements {
  return { quorum: 1, reviewers: { roles: ["dba"] }, ttl_seconds: 3600, grant_ttl_seconds: 300, reason_required: false, ...overrides };
}

function decision(overrides: Partial<CreateApprovalInput> = {}): CreateApprovalInput {
  return {
    caller: { id: "svc:ci", roles: [] },
    request: {
      actor: { id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: "user:alice" },
      action: { name: "db.export", params: { table: "customers", query: SECRET_QUERY } },
      resource: { type: "database", id: "prod/customers", environment: "production" },
      context: { reason: "quarterly report", ticket: "OPS-1234" },
    },
    decisionId: "dec_1",
    policy: { bundle: "countersign", revision: "rev-1" },
    reasons: ["db.export from production needs one dba"],
    requirements: requirements({ channel: "db" }),
    mask: ["/action/params/query"],
    ...overrides,
  };
}

async function created(input: CreateApprovalInput): Promise<{ id: string; activityId: string }> {
  const { approval } = await service.createFromDecision(input);
  await deliver();
  const posted = await h.store.card(approval.id);
  expect(posted).not.toBeNull();
  return { id: approval.id, activityId: posted!.activityId };
}

function click(
  conversation: TestConversation,
  who: (typeof REVIEWERS)[keyof typeof REVIEWERS],
  verb: string,
  id: string,
  activityId: string,
  comment?: string,
): Promise<Response> {
  return h.send(
    reviewerClick(
      conversation,
      h.connector.serviceUrl,
      who,
      verb,
      { approvalId: id, ...(comment === undefined ? {} : { comment }) },
      { replyToId: activityId },
    ),
  );
}

function cardJson(body: unknown): string {
  return JSON.stringify((body as { attachments: { content: unknown }[] }).attachments[0]!.content);
}

it("a require_approval decision posts its card to the policy's channel; an eligible reviewer's click approves it through the core", async () => {
  const { id, activityId } = await created(decision());
  expect(h.connector.posts().map((p) => p.conversationId)).toEqual([DBA_CHANNEL.id]);

  const res = await click(DBA_CHANNEL, REVIEWERS.dave, APPROVE_VERB, id, activityId, "ok");
  expect(res.body.type).toBe("application/vnd.microsoft.card.adaptive");
  const stored = await service.read(id);
  expect(stored?.status).toBe("approved");
  expect(stored?.verdicts.map((v) => [v.reviewerId, v.verdict, v.channel, v.comment])).toEqual([["user:dave", "approve", "teams", "ok"]]);
  // The click updated the card once; the outbox's delivery of the same change found it already current.
  await deliver();
  const updates = h.connector.updates();
  expect(updates).toHaveLength(1);
  expect(updates[0]!.activityId).toBe(activityId);
  expect(cardJson(updates[0]!.body)).toContain("Approved by Dave (dba)");
});

it("the core's refusals (self-approval through on_behalf_of, wrong role) reach the clicking user and change nothing", async () => {
  const { id, activityId } = await created(decision());
  const self = await click(DBA_CHANNEL, REVIEWERS.alice, APPROVE_VERB, id, activityId);
  expect(self.body.type).toBe("application/vnd.microsoft.activity.message");
  expect(self.body.value).toContain("COUNTERSIGN_SELF_APPROVAL");
  const role = await click(DBA_CHANNEL, REVIEWERS.bob, APPROVE_VERB, id, activityId);
  expect(role.body.value).toContain("COUNTERSIGN_NOT_ELIGIBLE");
  const stored = await service.read(id);
  expect(stored?.status).toBe("pending");
  expect(stored?.version).toBe(1);
  expect(h.connector.updates()).toEqual([]);
});

it("a quorum of two needs two distinct reviewers", async () => {
  const { id, activityId } = await created(decision({ requirements: requirements({ quorum: 2, reviewers: { roles: ["security"] } }) }));
  expect(h.connector.posts().map((p) => p.conversationId)).toEqual([APPROVALS_CHANNEL.id]);
  await click(APPROVALS_CHANNEL, REVIEWERS.bob, APPROVE_VERB, id, activityId);
  expect((await click(APPROVALS_CHANNEL, REVIEWERS.bob, APPROVE_VERB, id, activityId)).body.value).toContain("COUNTERSIGN_ALREADY_VOTED");
  expect((await service.read(id))?.status).toBe("pending");
  await click(APPROVALS_CHANNEL, REVIEWERS.carol, APPROVE_VERB, id, activityId);
  expect((await service.read(id))?.status).toBe("approved");
  await deliver();
  const updates = h.connector.updates();
  expect(updates).toHaveLength(2);
  expect(cardJson(updates[0]!.body)).toContain("1 of 2 approvals");
  expect(cardJson(updates[1]!.body)).toContain("Approved by Bob (security), Carol (security)");
});

it("an API verdict and an expiry update the card through the notification outbox", async () => {
  const a = await created(decision());
  await service.castVerdict({
    approvalId: a.id,
    reviewer: { id: "user:dave", roles: ["dba"] },
    verdict: "deny",
    comment: "not today",
    channel: "api",
  });
  expect(h.connector.updates()).toEqual([]); // nothing is sent inside the verdict
  await deliver();
  expect(h.connector.updates().map((u) => u.activityId)).toEqual([a.activityId]);
  expect(cardJson(h.connector.updates()[0]!.body)).toContain("Denied by Dave (dba)");

  const b = await created(
    decision({ decisionId: "dec_2", request: { ...decision().request, action: { name: "db.export", params: { table: "orders" } } } }),
  );
  h.clock.advance(3_600_001);
  await service.expireDue();
  await deliver();
  const last = h.connector.updates().at(-1)!;
  expect(last.activityId).toBe(b.activityId);
  expect(cardJson(last.body)).toContain("⌛ Expired");
  // The requester's side of the expiry, said once under the card.
  const notices = h.connector.posts().filter((p) => p.conversationId === `${DBA_CHANNEL.id};messageid=${b.activityId}`);
  expect(notices.map((p) => (p.body as { text: string }).text)).toEqual([
    expect.stringMatching(/^⌛ Expired: db\.export on prod\/customers got no decision in 1 h; svc:ci has been told/),
  ]);
  expect((await click(DBA_CHANNEL, REVIEWERS.dave, DENY_VERB, b.id, b.activityId)).body.value).toMatch(
    /COUNTERSIGN_(EXPIRED|ALREADY_DECIDED)/,
  );
});

it("reminders reply under the card; an escalation to a channel posts the card there too, and its buttons work", async () => {
  const { id, activityId } = await created(
    decision({
      requirements: requirements({ channel: "db", remind_after_seconds: 600, escalate: [{ after_seconds: 1200, channel: "approvals" }] }),
    }),
  );
  const thread = `${DBA_CHANNEL.id};messageid=${activityId}`;
  const threadTexts = () =>
    h.connector
      .posts()
      .filter((p) => p.conversationId === thread)
      .map((p) => (p.body as { text: string }).text);

  h.clock.advance(600_000);
  await service.remindAndEscalate();
  await deliver();
  await service.remindAndEscalate(); // sent once, however often the sweeper runs
  await deliver();
  expect(threadTexts()).toEqual([
    "⏰ Reminder: db.export on prod/customers is still waiting for 1 more approval (dba). Requested 10 min ago; expires in 50 min.",
  ]);

  h.clock.advance(600_000);
  await service.remindAndEscalate();
  await deliver();
  expect(threadTexts()).toHaveLength(3);
  expect(threadTexts()[1]).toMatch(/^⏰ Reminder 2:/);
  expect(threadTexts()[2]).toMatch(
    /^⬆️ Escalated \(level 1\): db\.export on prod\/customers has waited 20 min; posted to approvals\. Still needed: 1 more approval \(dba\)/,
  );
  const copies = h.connector.posts().filter((p) => p.conversationId === APPROVALS_CHANNEL.id);
  expect(copies).toHaveLength(1);
  expect(cardJson(copies[0]!.body)).toContain(id);

  // A click on the copy acts on the request like one on the first card.
  await click(APPROVALS_CHANNEL, REVIEWERS.dave, APPROVE_VERB, id, "act-copy");
  expect((await service.read(id))?.status).toBe("approved");
  expect(h.outboundText()).not.toContain(SECRET_QUERY);
});

it("masked values never leave the service", async () => {
  const { id, activityId } = await created(decision());
  await click(DBA_CHANNEL, REVIEWERS.dave, APPROVE_VERB, id, activityId);
  expect(h.outboundText()).not.toContain(SECRET_QUERY);
  expect(h.outboundText()).toContain("[MASKED]");
});

it("a scoped approval: the card offers the policy's widest scope, and the reviewer's pick reaches the core", async () => {
  const { id, activityId } = await created(decision({ requirements: requirements({ channel: "db", max_scope: { count: 3 } }) }));
  const posted = cardJson(h.connector.posts().find((p) => p.conversationId === DBA_CHANNEL.id)!.body);
  expect(posted).toContain('"id":"scope"');
  expect(posted).toContain("Up to 3 uses of this exact call");
  const res = await h.send(
    reviewerClick(
      DBA_CHANNEL,
      h.connector.serviceUrl,
      REVIEWERS.dave,
      APPROVE_VERB,
      { approvalId: id, scope: JSON.stringify({ count: 3 }) },
      { replyToId: activityId },
    ),
  );
  expect(res.status).toBe(200);
  const stored = await service.read(id);
  expect(stored?.status).toBe("approved");
  expect(stored?.verdicts[0]?.scope).toEqual({ count: 3 });
});

it("a break-glass review's card says the action ran without approval, with the justification", async () => {
  const { approval } = await service.createFromDecision({ ...decision(), breakGlass: { justification: "prod down, INC-42" } });
  await deliver();
  const card = cardJson(h.connector.posts().at(-1)!.body);
  expect(card).toContain("🚨 Break-glass: db.export ran without approval");
  expect(card).toContain("Justification: prod down, INC-42");
  expect(approval.requirements.ttl_seconds).toBeGreaterThanOrEqual(7 * 24 * 3600);
});

it("a policy's summary and risk reach the card through the core, the summary with masked values hidden", async () => {
  await created({ ...decision(), summary: `Alice's agent exports customers with ${SECRET_QUERY}`, risk: "critical" });
  const body = (h.connector.posts().at(-1)!.body as { attachments: { content: { body: { text?: string }[] } }[] }).attachments[0]!.content
    .body;
  expect(body[0]!.text).toBe("Alice's agent exports customers with [MASKED]");
  expect(body[1]!.text).toBe("🔴 Critical risk · Environment: production");
  expect(h.outboundText()).not.toContain(SECRET_QUERY);
});
