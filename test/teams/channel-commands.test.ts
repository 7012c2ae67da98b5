/**
 * Channel routing over the real Bot Framework protocol: installation, `subscribe`, `unsubscribe` and
 * `status` as Teams delivers them to /api/messages, answered through the fake Bot Connector.
 */

import "./support/network-guard";
import { useRedisServer } from "../support/redis-server";
import { startBotHarness, type BotHarness } from "./support/bot-harness";
import { REVIEWERS } from "./support/in-memory-approvals";
import {
  APPROVALS_CHANNEL,
  botAdded,
  botRemoved,
  DBA_CHANNEL,
  mentionMessage,
  reviewerMessage,
  SECURITY_CHAT,
  STRANGER,
} from "./support/teams-activities";

const redis = useRedisServer({ flushBetweenTests: true });
let h: BotHarness;

beforeEach(async () => {
  h = await startBotHarness(redis);
});

afterEach(async () => {
  expect(h.connector.unknown).toEqual([]);
  await h.close();
});

function lastReplyText(): string {
  const replies = h.connector.replies();
  const posts = h.connector.posts();
  const all = [...replies, ...posts];
  const last = all[all.length - 1];
  return String((last?.body as { text?: unknown } | undefined)?.text ?? "");
}

describe("installation", () => {
  it("subscribes a team channel under its own name when the bot is added, and says so", async () => {
    const res = await h.send(botAdded(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.bob));
    expect(res.status).toBe(200);

    const sub = await h.store.channel("prod-approvals");
    expect(sub?.reference.conversation?.id).toBe(APPROVALS_CHANNEL.id);
    expect(sub?.reference.serviceUrl).toBe(h.connector.serviceUrl);
    expect(sub?.subscribedBy).toBe("install");
    // The welcome goes to the channel itself (botbuilder addresses it as a reply to the install event).
    const sent = h.connector.calls;
    expect(sent).toHaveLength(1);
    expect(sent[0]!.conversationId).toBe(APPROVALS_CHANNEL.id);
    expect(lastReplyText()).toContain("`prod-approvals`");
  });

  it("uses the configured install name when there is one", async () => {
    await h.close();
    h = await startBotHarness(redis, { teams: { install_channel: "approvals" } });
    await h.send(botAdded(SECURITY_CHAT, h.connector.serviceUrl, REVIEWERS.carol));
    expect((await h.store.channel("approvals"))?.reference.conversation?.id).toBe(SECURITY_CHAT.id);
  });

  it("does not take over a name another conversation holds", async () => {
    await h.send(reviewerMessage(DBA_CHANNEL, h.connector.serviceUrl, REVIEWERS.alice, "subscribe prod-approvals"));
    await h.send(botAdded(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.bob));
    expect((await h.store.channel("prod-approvals"))?.reference.conversation?.id).toBe(DBA_CHANNEL.id);
    expect(lastReplyText()).toContain("already subscribed in another conversation");
  });

  it("forgets a conversation's subscriptions when the bot is removed from it", async () => {
    await h.send(botAdded(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.bob));
    await h.send(reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.bob, "subscribe security"));
    await h.send(botRemoved(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.bob));
    expect(await h.store.channelsFor(APPROVALS_CHANNEL.id)).toEqual([]);
  });
});

describe("subscribe", () => {
  it("routes a named channel to the conversation a reviewer asks from, replying in the thread", async () => {
    const message = reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.alice, "subscribe DB-Approvals");
    const res = await h.send(message);
    expect(res.status).toBe(200);

    const sub = await h.store.channel("db-approvals");
    // The thread suffix is dropped: cards start new conversations in the channel, not replies in this thread.
    expect(sub?.reference.conversation?.id).toBe(APPROVALS_CHANNEL.id);
    expect(sub?.subscribedBy).toBe("user:alice");
    const replies = h.connector.replies();
    expect(replies).toHaveLength(1);
    expect(replies[0]!.activityId).toBe(message["id"]);
    expect(replies[0]!.conversationId).toBe((message["conversation"] as { id: string }).id);
    expect(lastReplyText()).toBe("Subscribed: approval requests for channel `db-approvals` will be posted here.");
  });

  it("moves a channel from one conversation to another and says where it was", async () => {
    await h.send(reviewerMessage(DBA_CHANNEL, h.connector.serviceUrl, REVIEWERS.alice, "subscribe approvals"));
    await h.send(reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.bob, "subscribe approvals"));
    expect((await h.store.channel("approvals"))?.reference.conversation?.id).toBe(APPROVALS_CHANNEL.id);
    expect(lastReplyText()).toContain('It was routed to "DBA" before.');
  });

  it("refuses someone who is not a configured reviewer, even with a reviewer's display name", async () => {
    await h.send(mentionMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, STRANGER, "subscribe approvals"));
    expect(await h.store.channel("approvals")).toBeNull();
    expect(lastReplyText()).toContain("COUNTERSIGN_TEAMS_UNKNOWN_REVIEWER");
  });

  it("refuses a reviewer without a channel admin role when admin roles are configured", async () => {
    await h.close();
    h = await startBotHarness(redis, { teams: { channel_admin_roles: ["security"] } });
    await h.send(reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.alice, "subscribe approvals"));
    expect(await h.store.channel("approvals")).toBeNull();
    expect(lastReplyText()).toContain("COUNTERSIGN_TEAMS_NOT_CHANNEL_ADMIN");
    await h.send(reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.carol, "subscribe approvals"));
    expect(await h.store.channel("approvals")).not.toBeNull();
  });

  it("refuses an invalid channel name", async () => {
    await h.send(reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.alice, "subscribe ../../etc"));
    expect(await h.store.channelsFor(APPROVALS_CHANNEL.id)).toEqual([]);
    expect(lastReplyText()).toContain("channel names are 1-64 characters");
  });
});

describe("unsubscribe and status", () => {
  it("status lists what is subscribed here and where unrouted requests go", async () => {
    await h.send(reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.alice, "subscribe db"));
    await h.send(reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.alice, "subscribe approvals"));
    await h.send(mentionMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, STRANGER, "status"));
    expect(lastReplyText()).toBe("Subscribed here: `approvals`, `db`. Requests whose policy names no channel go to `approvals`.");
  });

  it("status says when nothing is subscribed", async () => {
    await h.send(reviewerMessage(SECURITY_CHAT, h.connector.serviceUrl, REVIEWERS.carol, "status"));
    expect(lastReplyText()).toContain("Nothing is subscribed here.");
  });

  it("unsubscribe <name> removes only that channel, and only from here", async () => {
    await h.send(reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.alice, "subscribe db"));
    await h.send(reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.alice, "subscribe approvals"));
    await h.send(reviewerMessage(DBA_CHANNEL, h.connector.serviceUrl, REVIEWERS.alice, "unsubscribe db"));
    expect(lastReplyText()).toBe("Channel `db` is not subscribed here; nothing changed.");
    expect(await h.store.channel("db")).not.toBeNull();

    await h.send(reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.alice, "unsubscribe db"));
    expect(await h.store.channel("db")).toBeNull();
    expect(await h.store.channel("approvals")).not.toBeNull();
  });

  it("unsubscribe without a name removes everything routed here", async () => {
    await h.send(reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.alice, "subscribe db"));
    await h.send(reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.alice, "subscribe approvals"));
    await h.send(reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.alice, "unsubscribe"));
    expect(await h.store.channelsFor(APPROVALS_CHANNEL.id)).toEqual([]);
    expect(lastReplyText()).toContain("Unsubscribed `approvals`, `db`");
  });

  it("anything else gets the help text", async () => {
    await h.send(reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.alice, "hello?"));
    expect(lastReplyText()).toContain("Countersign commands:");
  });
});

describe("the typing indicator", () => {
  it("is never sent, even when answering takes longer than a second", async () => {
    const slow = h.directory.byTeamsUser.bind(h.directory);
    h.directory.byTeamsUser = async (tenantId: string, aadObjectId: string) => {
      await new Promise((resolve) => setTimeout(resolve, 1300));
      return slow(tenantId, aadObjectId);
    };
    await h.send(reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.alice, "subscribe db"));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const types = h.connector.calls.map((c) => (c.body as { type?: string }).type);
    expect(types).toEqual(["message"]);
  });
});
