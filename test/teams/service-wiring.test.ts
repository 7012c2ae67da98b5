/**
 * The Teams bot as the service wires it (`assembleService` with a `teams:` section, on a real redis-server):
 * `/api/messages` on the service's own app, ahead of API-key authentication; a require_approval decision
 * posts its card to the routed channel on the fake Bot Connector; a reviewer's Approve click goes through the
 * approval core (the state read back through the API) and updates the card in place; an API verdict updates
 * the card too; the audit trail records the Teams verdict with channel `teams`; masked values never leave.
 */

import "./support/network-guard";
import { createHash } from "node:crypto";
import request from "supertest";
import { canonicalJson } from "../../src/json/canonical-json";
import { APPROVE_VERB } from "../../src/teams/card-verbs";
import { ConversationKeys, RedisConversationStore } from "../../src/teams/conversation-store";
import { approvalClient, approvalIdOf } from "../http/approval-client";
import {
  approvalTestService,
  AUTH,
  eventually,
  exportBody,
  removeTempDirs,
  tempDir,
  writeBundle,
  type TestService,
} from "../http/service-harness";
import { useRedisServer } from "../support/redis-server";
import { startFakeBotConnector, type FakeBotConnector } from "./support/fake-bot-connector";
import { REVIEWERS } from "./support/in-memory-approvals";
import { APPROVALS_CHANNEL, reviewerClick, reviewerMessage } from "./support/teams-activities";
import { storedEntries } from "../audit/audit-fixtures";

const redis = useRedisServer({ flushBetweenTests: true });
let bundlesDir: string;
let connector: FakeBotConnector;
let service: TestService;

const SECRET_QUERY = "select card_number from payments where owner='SECRET-QUERY-teams'";

/** A display name configured for one of the example identities (`identities[].display_name`). */
const DISPLAY_NAMES: Record<string, string> = { "user:alice": "Alice Example" };

beforeAll(async () => {
  bundlesDir = tempDir();
  await writeBundle(bundlesDir, "example", { revision: "teams-1" });
});

beforeEach(async () => {
  connector = await startFakeBotConnector();
  service = await approvalTestService({
    bundlesDir,
    redisUrl: redis.url,
    configure: (c) => ({
      ...c,
      server: { ...c.server, publicUrl: "https://countersign.test" },
      identities: c.identities.map((i) => (DISPLAY_NAMES[i.id] === undefined ? i : { ...i, displayName: DISPLAY_NAMES[i.id]! })),
      teams: { default_channel: "approvals", emulator_url: connector.serviceUrl },
    }),
  });
  const subscribed = await send(reviewerMessage(APPROVALS_CHANNEL, connector.serviceUrl, REVIEWERS.bob, "subscribe approvals"));
  expect(subscribed.status).toBe(200);
  connector.reset();
});

afterEach(async () => {
  expect(connector.unknown).toEqual([]);
  await service.close();
  await connector.close();
});

afterAll(() => removeTempDirs());

/** POSTs an activity to the service's own /api/messages (no Countersign API key: the bot authenticates on its own). */
function send(activity: Record<string, unknown>) {
  return request(service.app).post("/api/messages").set("content-type", "application/json").send(JSON.stringify(activity));
}

function cardOf(body: unknown): { actions: { title: string; data: Record<string, unknown> }[] } & Record<string, unknown> {
  return (body as { attachments: { content: { actions: { title: string; data: Record<string, unknown> }[] } & Record<string, unknown> }[] })
    .attachments[0]!.content;
}

function cardJson(body: unknown): string {
  return JSON.stringify(cardOf(body));
}

function outbound(): string {
  return connector.calls.map((c) => `${c.path}\n${c.raw}`).join("\n");
}

async function openApproval(table: string): Promise<{ id: string; activityId: string }> {
  const api = approvalClient(service.app);
  const id = approvalIdOf(
    await api.decide(AUTH.caller, exportBody({ action: { name: "db.export", params: { table, query: SECRET_QUERY } } })),
  );
  // The card record the service keeps on its own Redis connection, under the approvals key prefix; the
  // notification outbox posts it off the request path, soon after the decision.
  const cards = new RedisConversationStore(redis.connect(), new ConversationKeys("countersign:teams:"));
  const card = await eventually(async () => (await cards.card(id)) ?? undefined, "the card posted");
  return { id, activityId: card.activityId };
}

it("posts the card of a require_approval decision; a Teams Approve updates the card and the approval; the trail records channel teams", async () => {
  const { id, activityId } = await openApproval("customers");
  const posts = connector.posts();
  expect(posts).toHaveLength(1);
  expect(posts[0]!.conversationId).toBe(APPROVALS_CHANNEL.id);
  const posted = cardOf(posts[0]!.body);
  expect(JSON.stringify(posted)).toContain("user:mallory's agent wants to db.export prod/customers");
  expect(JSON.stringify(posted)).toContain(`"url":"https://countersign.test/console/requests/${id}"`);

  // Teams sends the clicked button's data (from the card) merged with the card's input values.
  const approve = posted.actions.find((a) => a.title === "Approve")!;
  const click = await send(
    reviewerClick(
      APPROVALS_CHANNEL,
      connector.serviceUrl,
      REVIEWERS.alice,
      APPROVE_VERB,
      { ...approve.data, comment: "checked" },
      { replyToId: activityId },
    ),
  );
  expect(click.status).toBe(200);
  expect(click.body.type).toBe("application/vnd.microsoft.card.adaptive");

  const read = await approvalClient(service.app).read(AUTH.caller, id);
  expect(read.body).toMatchObject({ status: "approved" });
  // The click updated the card; the outbox's later delivery of the same change finds it current and sends nothing.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const updates = connector.updates();
  expect(updates).toHaveLength(1);
  expect(updates.map((u) => u.activityId)).toContain(activityId);
  expect(cardJson(updates.at(-1)!.body)).toContain("Approved by Alice Example (dba)");

  const entries = await storedEntries(redis.connect());
  expect(entries.find((e) => e["type"] === "approval.verdict")).toMatchObject({
    approval_id: id,
    reviewer: "user:alice",
    channel: "teams",
    comment: "checked",
  });
  // What the reviewer was shown: the digest of exactly the card JSON Teams received, and the pointer it hid.
  const sentDigest = createHash("sha256").update(canonicalJson(posted), "utf8").digest("hex");
  expect(entries.find((e) => e["type"] === "approval.verdict")!["shown"]).toEqual({
    version: 1,
    digest: sentDigest,
    hidden: ["/action/params/query"],
    view: canonicalJson(posted),
  });
  expect((read.body as { verdicts: { shown?: unknown }[] }).verdicts[0]!.shown).toEqual({
    version: 1,
    digest: sentDigest,
    hidden: ["/action/params/query"],
  });

  expect(outbound()).not.toContain(SECRET_QUERY);
  expect(outbound()).toContain("[MASKED]");
});

it("an API verdict updates the posted card in place", async () => {
  const { id, activityId } = await openApproval("orders");
  const denied = await approvalClient(service.app).verdict(AUTH.alice, id, { verdict: "deny", comment: "not today" });
  expect(denied.status).toBe(200);
  const updates = await eventually(() => (connector.updates().length > 0 ? connector.updates() : undefined), "the card updated");
  expect(updates.map((u) => u.activityId)).toEqual([activityId]);
  expect(cardJson(updates[0]!.body)).toContain("Denied by Alice Example (dba)");
  expect(outbound()).not.toContain(SECRET_QUERY);
});

it("refuses a Teams click by someone with no eligible role, with a message, and changes nothing", async () => {
  const { id, activityId } = await openApproval("invoices");
  const click = await send(
    reviewerClick(APPROVALS_CHANNEL, connector.serviceUrl, REVIEWERS.bob, APPROVE_VERB, { approvalId: id }, { replyToId: activityId }),
  );
  expect(click.body.type).toBe("application/vnd.microsoft.activity.message");
  expect(click.body.value).toContain("COUNTERSIGN_NOT_ELIGIBLE");
  expect((await approvalClient(service.app).read(AUTH.caller, id)).body).toMatchObject({ status: "pending", version: 1 });
  expect(connector.updates()).toEqual([]);
});
