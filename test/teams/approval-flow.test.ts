/**
 * Approval cards over the real Bot Framework protocol: the notifier posts a request's card to its routed
 * channel, reviewers click Approve or Deny (Universal Actions invokes POSTed to /api/messages), the card is
 * updated in place for everyone, refusals change nothing, and masked values never leave the service.
 */

import "./support/network-guard";
import { createHash } from "node:crypto";
import type { Response } from "supertest";
import { canonicalJson } from "../../src/json/canonical-json";
import { APPROVE_VERB, DENY_VERB, REFRESH_VERB } from "../../src/teams/card-verbs";
import type { ApprovalCardState } from "../../src/teams/ports";
import { useRedisServer } from "../support/redis-server";
import { startBotHarness, type BotHarness } from "./support/bot-harness";
import { REVIEWERS, TENANT, type NewApproval } from "./support/in-memory-approvals";
import { APPROVALS_CHANNEL, cardAction, DBA_CHANNEL, reviewerClick, reviewerMessage, STRANGER } from "./support/teams-activities";

const redis = useRedisServer({ flushBetweenTests: true });
let h: BotHarness;

beforeEach(async () => {
  h = await startBotHarness(redis);
  // The default channel in the Platform team's approvals channel; the DBA team subscribes `db`.
  await h.send(reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.bob, "subscribe approvals"));
  await h.send(reviewerMessage(DBA_CHANNEL, h.connector.serviceUrl, REVIEWERS.dave, "subscribe db"));
  h.connector.reset();
});

afterEach(async () => {
  expect(h.connector.unknown).toEqual([]);
  await h.close();
});

const dbExport: NewApproval = {
  request: {
    actor: { id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: "user:alice" },
    action: { name: "db.export", params: { table: "customers", rows: 10000 } },
    resource: { type: "database", id: "prod/customers", environment: "production" },
    context: { reason: "quarterly report", ticket: "OPS-1234" },
  },
  requirements: { quorum: 1, roles: ["dba"] },
  policyReasons: ["db.export from production needs one dba"],
};

const iamChange: NewApproval = {
  request: {
    actor: { id: "svc:ci", type: "service" },
    action: { name: "iam.role.grant", params: { role: "admin", principal: "user:erin" } },
    resource: { type: "iam", id: "aws/prod", environment: "production" },
    context: { reason: "on-call rotation", ticket: "SEC-77" },
  },
  requirements: { quorum: 2, roles: ["security"] },
  policyReasons: ["IAM role changes need two distinct approvers from security"],
};

type Card = {
  body: Record<string, unknown>[];
  actions: { verb: string; title: string; data: Record<string, unknown> }[];
  refresh?: unknown;
  version: string;
};

function cardOf(body: unknown): Card {
  const activity = body as { attachments?: { contentType: string; content: Card }[] };
  const attachment = activity.attachments?.[0];
  expect(attachment?.contentType).toBe("application/vnd.microsoft.card.adaptive");
  return attachment!.content;
}

function cardText(card: Card): string {
  return JSON.stringify(card.body);
}

function invokeCard(res: Response): Card {
  expect(res.status).toBe(200);
  expect(res.body.type).toBe("application/vnd.microsoft.card.adaptive");
  return res.body.value as Card;
}

function invokeMessage(res: Response): string {
  expect(res.status).toBe(200);
  expect(res.body.type).toBe("application/vnd.microsoft.activity.message");
  return res.body.value as string;
}

async function postCard(input: NewApproval, channel?: string): Promise<{ state: ApprovalCardState; activityId: string }> {
  const state = h.approvals.create(input);
  await h.bot.notifier.onApprovalCreated(state, channel);
  const posted = await h.store.card(state.id);
  expect(posted).not.toBeNull();
  return { state, activityId: posted!.activityId };
}

function click(
  conversation: typeof APPROVALS_CHANNEL,
  who: (typeof REVIEWERS)[keyof typeof REVIEWERS],
  verb: string,
  approvalId: string,
  activityId: string,
  comment?: string,
) {
  return h.send(
    reviewerClick(
      conversation,
      h.connector.serviceUrl,
      who,
      verb,
      { approvalId, ...(comment === undefined ? {} : { comment }) },
      { replyToId: activityId },
    ),
  );
}

describe("posting", () => {
  it("posts the card of a new request to the channel its policy routes it to", async () => {
    const { state, activityId } = await postCard(dbExport, "db");

    const posts = h.connector.posts();
    expect(posts).toHaveLength(1);
    expect(posts[0]!.conversationId).toBe(DBA_CHANNEL.id);
    expect(activityId).toMatch(/^act-\d+$/);
    const card = cardOf(posts[0]!.body);
    expect(card.version).toBe("1.5");
    const text = cardText(card);
    for (const shown of [
      "Alice's agent wants to db.export prod/customers",
      "On behalf of: Alice (user:alice)",
      "Environment: production",
      "waiting for: 1 dba",
      "agent:deploy-bot (ai_agent)",
      "user:alice",
      "database prod/customers",
      "production",
      "quarterly report",
      "OPS-1234",
      "db.export from production needs one dba",
      "1 distinct approver with role dba",
      "2025-01-31 14:00 UTC",
      "2025-01-31 15:00 UTC",
      "customers",
      "10000",
      state.id,
    ]) {
      expect(text).toContain(shown);
    }
    expect(card.actions.map((a) => [a.title, a.verb, a.data["approvalId"]])).toEqual([
      ["Approve", APPROVE_VERB, state.id],
      ["Deny", DENY_VERB, state.id],
    ]);
    expect(card.refresh).toMatchObject({ action: { type: "Action.Execute", verb: REFRESH_VERB, data: { approvalId: state.id } } });
    expect(text).toContain('"type":"Input.Text","id":"comment"');
  });

  it("posts to the default channel when the policy names none", async () => {
    await postCard(iamChange);
    expect(h.connector.posts()[0]!.conversationId).toBe(APPROVALS_CHANNEL.id);
  });

  it("falls back to the default channel when nobody subscribed the routed one, and logs it", async () => {
    await postCard(iamChange, "nobody-listens");
    expect(h.connector.posts()[0]!.conversationId).toBe(APPROVALS_CHANNEL.id);
    expect(h.logger.entries.some((e) => e.level === "warn" && e.message.includes("not subscribed"))).toBe(true);
  });

  it("posts once, even when told twice", async () => {
    const state = h.approvals.create(dbExport);
    await h.bot.notifier.onApprovalCreated(state, "db");
    await h.bot.notifier.onApprovalCreated(state, "db");
    expect(h.connector.posts()).toHaveLength(1);
  });

  it("logs and gives up, without throwing, when no channel is subscribed at all", async () => {
    await h.store.unsubscribe("approvals", APPROVALS_CHANNEL.id);
    const state = h.approvals.create(iamChange);
    await expect(h.bot.notifier.onApprovalCreated(state)).resolves.toBe("no-channel");
    expect(h.connector.calls).toEqual([]);
    expect(h.logger.entries.some((e) => e.level === "error" && e.meta["code"] === "COUNTERSIGN_TEAMS_NO_CHANNEL")).toBe(true);
  });

  it("never fails the approval when Teams is down: the post is logged and released for a later try", async () => {
    const state = h.approvals.create(iamChange);
    // botbuilder's pipeline tries four times in all.
    h.connector.failNext("POST", 503, 4);
    await expect(h.bot.notifier.onApprovalCreated(state)).resolves.toBe("failed");
    expect(h.logger.entries.some((e) => e.meta["code"] === "COUNTERSIGN_TEAMS_POST_FAILED")).toBe(true);
    expect(await h.store.card(state.id)).toBeNull();
    await h.bot.notifier.onApprovalCreated(state);
    expect(await h.store.card(state.id)).not.toBeNull();
  });

  it("survives throttling (botbuilder's pipeline retries a 429)", async () => {
    h.connector.failNext("POST", 429);
    await postCard(iamChange);
    expect(h.connector.posts()).toHaveLength(2);
  });
});

describe("verdicts from Teams", () => {
  it("an eligible reviewer's approval records the verdict, answers with the new card and updates the posted card for all", async () => {
    const { state, activityId } = await postCard(dbExport, "db");

    const res = await click(DBA_CHANNEL, REVIEWERS.dave, APPROVE_VERB, state.id, activityId, "  looks fine  ");
    const answered = invokeCard(res);

    expect(h.approvals.verdictCalls).toEqual([
      { approvalId: state.id, reviewer: { id: "user:dave", roles: ["dba", "security"] }, verdict: "approve", comment: "looks fine" },
    ]);
    expect((await h.approvals.get(state.id))?.status).toBe("approved");

    const updates = h.connector.updates();
    expect(updates).toHaveLength(1);
    expect(updates[0]!.conversationId).toBe(DBA_CHANNEL.id);
    expect(updates[0]!.activityId).toBe(activityId);
    const updated = cardOf(updates[0]!.body);
    expect(updated).toEqual(answered);
    expect(updated.actions).toEqual([]);
    expect(updated.refresh).toBeUndefined();
    const text = cardText(updated);
    expect(text).toContain("✅ Approved");
    expect(text).toContain("Approved by Dave");
    expect(text).toContain("looks fine");
    expect(text).not.toContain("Input.Text");
  });

  it("a deny decides at once and shows who denied and why", async () => {
    const { state, activityId } = await postCard(iamChange);
    const card = invokeCard(await click(APPROVALS_CHANNEL, REVIEWERS.carol, DENY_VERB, state.id, activityId, "not during the freeze"));
    expect(cardText(card)).toContain("⛔ Denied");
    expect(cardText(card)).toContain("Denied by Carol");
    expect(cardText(card)).toContain("not during the freeze");
    expect((await h.approvals.get(state.id))?.status).toBe("denied");
    expect(h.connector.updates()).toHaveLength(1);
  });

  it("refuses self-approval with a message to the clicking user and changes nothing", async () => {
    const { state, activityId } = await postCard(dbExport, "db");
    // Alice is a dba, but the agent acts on her behalf.
    const message = invokeMessage(await click(DBA_CHANNEL, REVIEWERS.alice, APPROVE_VERB, state.id, activityId));
    expect(message).toContain("requesters cannot review their own request");
    expect(message).toContain("COUNTERSIGN_SELF_APPROVAL");
    expect(await h.approvals.get(state.id)).toEqual(state);
    expect(h.connector.updates()).toEqual([]);
    expect(h.connector.posts()).toHaveLength(1);
  });

  it("refuses a reviewer without a required role and changes nothing", async () => {
    const { state, activityId } = await postCard(dbExport, "db");
    const message = invokeMessage(await click(DBA_CHANNEL, REVIEWERS.bob, APPROVE_VERB, state.id, activityId));
    expect(message).toContain("COUNTERSIGN_NOT_ELIGIBLE");
    expect(await h.approvals.get(state.id)).toEqual(state);
    expect(h.connector.updates()).toEqual([]);
  });

  it("refuses a Teams user who is not a configured reviewer, whatever their display name, without asking the core", async () => {
    const { state, activityId } = await postCard(dbExport, "db");
    const res = await h.send(
      cardAction(DBA_CHANNEL, h.connector.serviceUrl, STRANGER, APPROVE_VERB, { approvalId: state.id }, { replyToId: activityId }),
    );
    expect(invokeMessage(res)).toContain("COUNTERSIGN_TEAMS_UNKNOWN_REVIEWER");
    expect(h.approvals.verdictCalls).toEqual([]);
    expect(h.connector.updates()).toEqual([]);
  });

  it("never identifies a reviewer by the Teams-scoped from.id", async () => {
    const { state, activityId } = await postCard(dbExport, "db");
    // Dave's Teams id and name, but no Azure AD object id.
    const res = await h.send(
      cardAction(
        DBA_CHANNEL,
        h.connector.serviceUrl,
        { id: REVIEWERS.dave.teamsId, name: "Dave" },
        APPROVE_VERB,
        { approvalId: state.id },
        { replyToId: activityId },
      ),
    );
    expect(invokeMessage(res)).toContain("COUNTERSIGN_TEAMS_UNKNOWN_REVIEWER");
    expect(h.approvals.verdictCalls).toEqual([]);
  });

  it("refuses a reviewer from another tenant when tenants are restricted", async () => {
    await h.close();
    h = await startBotHarness(redis, { teams: { allowed_tenants: [TENANT] } });
    await h.send(reviewerMessage(DBA_CHANNEL, h.connector.serviceUrl, REVIEWERS.dave, "subscribe db"));
    const { state, activityId } = await postCard(dbExport, "db");
    const foreign = { ...DBA_CHANNEL, tenantId: "07e47000-0000-4000-8000-000000000000" };
    const res = await h.send(
      reviewerClick(foreign, h.connector.serviceUrl, REVIEWERS.dave, APPROVE_VERB, { approvalId: state.id }, { replyToId: activityId }),
    );
    expect(invokeMessage(res)).toContain("COUNTERSIGN_TEAMS_TENANT_NOT_ALLOWED");
    expect(h.approvals.verdictCalls).toEqual([]);
    expect(h.connector.updates()).toEqual([]);
  });

  it("needs two distinct approvers for a quorum of two, updating the card after each", async () => {
    const { state, activityId } = await postCard(iamChange);

    const first = invokeCard(await click(APPROVALS_CHANNEL, REVIEWERS.bob, APPROVE_VERB, state.id, activityId, "ok from bob"));
    expect(cardText(first)).toContain("⏳ Pending: 1 of 2 approvals");
    expect(first.actions.map((a) => a.verb)).toEqual([APPROVE_VERB, DENY_VERB]);
    expect((await h.approvals.get(state.id))?.status).toBe("pending");
    expect(h.connector.updates()).toHaveLength(1);

    const again = invokeMessage(await click(APPROVALS_CHANNEL, REVIEWERS.bob, APPROVE_VERB, state.id, activityId));
    expect(again).toContain("COUNTERSIGN_ALREADY_VOTED");
    expect(h.connector.updates()).toHaveLength(1);

    const second = invokeCard(await click(APPROVALS_CHANNEL, REVIEWERS.carol, APPROVE_VERB, state.id, activityId));
    expect(cardText(second)).toContain("✅ Approved");
    expect(cardText(second)).toContain("Approved by Bob, Carol");
    expect(cardText(second)).toContain("ok from bob");
    expect((await h.approvals.get(state.id))?.status).toBe("approved");

    const updates = h.connector.updates();
    expect(updates).toHaveLength(2);
    expect(updates.every((u) => u.activityId === activityId)).toBe(true);
    expect(cardOf(updates[1]!.body)).toEqual(second);
  });

  it("tells a late clicker the request is decided and brings a stale card up to date", async () => {
    const { state, activityId } = await postCard(iamChange);
    const denied = h.approvals.verdict({
      approvalId: state.id,
      reviewer: { id: "user:dave", roles: ["dba", "security"] },
      verdict: "deny",
    });
    expect(denied.ok).toBe(true);
    // The API verdict's card update never happened (say, Teams was unreachable then).
    const message = invokeMessage(await click(APPROVALS_CHANNEL, REVIEWERS.carol, APPROVE_VERB, state.id, activityId));
    expect(message).toContain("COUNTERSIGN_ALREADY_DECIDED");
    const updates = h.connector.updates();
    expect(updates).toHaveLength(1);
    expect(cardText(cardOf(updates[0]!.body))).toContain("⛔ Denied");
  });

  it("answers a click on a card without an approval id with a message", async () => {
    const res = await h.send(reviewerClick(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.bob, APPROVE_VERB, {}));
    expect(invokeMessage(res)).toContain("COUNTERSIGN_TEAMS_BAD_ACTION");
    expect(h.approvals.verdictCalls).toEqual([]);
  });
});

describe("changes from elsewhere", () => {
  it("an API verdict updates the posted card", async () => {
    const { state, activityId } = await postCard(dbExport, "db");
    const result = h.approvals.verdict({
      approvalId: state.id,
      reviewer: { id: "user:dave", roles: ["dba"] },
      verdict: "approve",
      comment: "via the API",
    });
    expect(result.ok).toBe(true);
    await h.bot.notifier.onApprovalChanged((result as { state: ApprovalCardState }).state);

    const updates = h.connector.updates();
    expect(updates).toHaveLength(1);
    expect(updates[0]!.activityId).toBe(activityId);
    const card = cardOf(updates[0]!.body);
    expect(cardText(card)).toContain("✅ Approved");
    expect(cardText(card)).toContain("via the API");
    expect(card.actions).toEqual([]);
  });

  it("expiry updates the card to expired, with no live buttons", async () => {
    const { state, activityId } = await postCard(iamChange);
    h.clock.advance(3_600_000);
    const expired = h.approvals.expire(state.id)!;
    await h.bot.notifier.onApprovalChanged(expired);
    const updates = h.connector.updates();
    expect(updates.map((u) => u.activityId)).toEqual([activityId]);
    const card = cardOf(updates[0]!.body);
    expect(cardText(card)).toContain("⌛ Expired without a decision");
    expect(cardText(card)).toContain("Expired at 2025-01-31 15:00 UTC before enough reviewers approved.");
    expect(card.actions).toEqual([]);
  });

  it("a cancellation updates the card with who cancelled and why", async () => {
    const { state } = await postCard(iamChange);
    await h.bot.notifier.onApprovalChanged(h.approvals.cancel(state.id, "svc:ci", "rolled back instead"));
    const card = cardOf(h.connector.updates()[0]!.body);
    expect(cardText(card)).toContain("Cancelled by svc:ci");
    expect(cardText(card)).toContain("rolled back instead");
  });

  it("never replaces a card with an older state, and skips a repeat of the same one", async () => {
    const { state } = await postCard(iamChange);
    const one = h.approvals.verdict({ approvalId: state.id, reviewer: { id: "user:bob", roles: ["security"] }, verdict: "approve" });
    const two = h.approvals.verdict({ approvalId: state.id, reviewer: { id: "user:carol", roles: ["security"] }, verdict: "approve" });
    const v2 = (one as { state: ApprovalCardState }).state;
    const v3 = (two as { state: ApprovalCardState }).state;
    await h.bot.notifier.onApprovalChanged(v3);
    await h.bot.notifier.onApprovalChanged(v2);
    await h.bot.notifier.onApprovalChanged(v3);
    const updates = h.connector.updates();
    expect(updates).toHaveLength(1);
    expect(cardText(cardOf(updates[0]!.body))).toContain("✅ Approved");
  });

  it("survives a failed update, and logs one that keeps failing without throwing", async () => {
    const { state } = await postCard(iamChange);
    h.connector.failNext("PUT", 503);
    await h.bot.notifier.onApprovalChanged(h.approvals.cancel(state.id, "svc:ci"));
    expect(h.connector.updates()).toHaveLength(2);

    const other = await postCard(dbExport, "db");
    h.connector.failNext("PUT", 503, 4);
    await expect(h.bot.notifier.onApprovalChanged(h.approvals.cancel(other.state.id, "svc:ci"))).resolves.toBeUndefined();
    expect(h.logger.entries.some((e) => e.meta["code"] === "COUNTERSIGN_TEAMS_UPDATE_FAILED")).toBe(true);
    // The failed version is not recorded as shown, so the next attempt updates the card.
    await h.bot.notifier.onApprovalChanged((await h.approvals.get(other.state.id))!);
    expect(
      h.connector
        .updates()
        .filter((u) => u.activityId === other.activityId)
        .at(-1),
    ).toBeDefined();
    expect((await h.store.card(other.state.id))?.renderedVersion).toBe(2);
  });
});

describe("what the reviewer was shown", () => {
  it("records the version, the digest and the card itself as clicked, and the hidden pointers, also for a card that has since changed", async () => {
    const { state, activityId } = await postCard({
      ...iamChange,
      request: { ...iamChange.request, context: { ...iamChange.request.context, token: "tok_abc" } },
      mask: ["/context/token"],
    });
    const posted = cardOf(h.connector.posts()[0]!.body);
    const digest = createHash("sha256").update(canonicalJson(posted), "utf8").digest("hex");
    const approve = posted.actions.find((a) => a.verb === APPROVE_VERB)!;
    expect(Object.keys(approve.data).sort()).toEqual(["approvalId", "renderedAt", "version"]);
    const send = (who: (typeof REVIEWERS)[keyof typeof REVIEWERS]) =>
      h.send(
        reviewerClick(
          APPROVALS_CHANNEL,
          h.connector.serviceUrl,
          who,
          APPROVE_VERB,
          { ...approve.data, comment: "ok" },
          { replyToId: activityId },
        ),
      );
    invokeCard(await send(REVIEWERS.bob));
    // Carol clicks the card as first posted (version 1), after Bob's verdict moved the request to version 2.
    invokeCard(await send(REVIEWERS.carol));
    expect(h.approvals.verdictCalls.map((c) => c.shown)).toEqual([
      { version: state.version, digest, hidden: ["/context/token"], view: canonicalJson(posted) },
      { version: state.version, digest, hidden: ["/context/token"], view: canonicalJson(posted) },
    ]);
    // The card itself is kept (it goes into the trail), masked as it was sent.
    expect(h.approvals.verdictCalls[0]!.shown!.view).not.toContain("tok_abc");
  });
});

describe("refresh", () => {
  it("answers Teams' automatic refresh with the current card", async () => {
    const { state, activityId } = await postCard(iamChange);
    h.approvals.verdict({ approvalId: state.id, reviewer: { id: "user:bob", roles: ["security"] }, verdict: "approve" });
    const res = await h.send(
      cardAction(
        APPROVALS_CHANNEL,
        h.connector.serviceUrl,
        STRANGER,
        REFRESH_VERB,
        { approvalId: state.id },
        { replyToId: activityId, trigger: "automatic" },
      ),
    );
    expect(cardText(invokeCard(res))).toContain("⏳ Pending: 1 of 2 approvals");
    // The viewer saw an out-of-date card: it is brought up to date for everyone.
    expect(h.connector.updates()).toHaveLength(1);
  });

  it("does not show a request's card in a conversation it was not posted to", async () => {
    const { state } = await postCard(iamChange);
    const res = await h.send(
      cardAction(DBA_CHANNEL, h.connector.serviceUrl, STRANGER, REFRESH_VERB, { approvalId: state.id }, { trigger: "automatic" }),
    );
    expect(invokeMessage(res)).toContain("COUNTERSIGN_TEAMS_CARD_ELSEWHERE");
  });
});

describe("masking", () => {
  const SECRET_QUERY = "SELECT ssn, card_number FROM customers WHERE vip";
  const SECRET_PASSWORD = "hunter2-prod-db-password";
  const SECRET_TOKEN = "ghp_masked0token0value0123456789";

  const masked: NewApproval = {
    request: {
      actor: { id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: "user:alice", session_token: SECRET_TOKEN },
      action: { name: "db.query", params: { query: SECRET_QUERY, database: "customers" } },
      resource: { type: "database", id: "prod/customers", environment: "production" },
      context: { reason: "incident INC-9", ticket: "INC-9", db_password: SECRET_PASSWORD, region: "eu-west-1" },
    },
    requirements: { quorum: 1, roles: ["dba"] },
    // A careless policy echoes a masked value in its reasons.
    policyReasons: [`ad-hoc query on production: ${SECRET_QUERY}`],
    mask: ["/action/params/query", "/context/db_password", "/actor/session_token"],
  };

  it("never sends a masked value to Teams, in any payload, through the whole life of a card", async () => {
    const { state, activityId } = await postCard(masked, "db");
    const refreshed = await h.send(
      cardAction(
        DBA_CHANNEL,
        h.connector.serviceUrl,
        STRANGER,
        REFRESH_VERB,
        { approvalId: state.id },
        { replyToId: activityId, trigger: "automatic" },
      ),
    );
    const approved = await click(DBA_CHANNEL, REVIEWERS.dave, APPROVE_VERB, state.id, activityId, "fine");

    const outbound = [h.outboundText(), refreshed.text, approved.text].join("\n");
    expect(h.connector.posts()).toHaveLength(1);
    expect(h.connector.updates()).toHaveLength(1);
    for (const secret of [SECRET_QUERY, SECRET_PASSWORD, SECRET_TOKEN]) expect(outbound).not.toContain(secret);
    // The masked fields are shown as masked; the rest is shown.
    const card = cardText(cardOf(h.connector.posts()[0]!.body));
    expect(card).toContain("[MASKED]");
    expect(card).toContain("eu-west-1");
    expect(card).toContain("customers");
    expect(card).toContain("ad-hoc query on production: [MASKED]");
  });
});
