/**
 * The conversation store on a real redis-server: subscriptions by name, unsubscribing only from the
 * conversation that holds a name, one claim per approval card, and render versions that only move forward.
 * Also checks the suite's network guard.
 */

import "./support/network-guard";
import dns = require("node:dns");
import { ConversationKeys, RedisConversationStore, type ChannelSubscription, type PostedCard } from "../../src/teams/conversation-store";
import { useRedisServer } from "../support/redis-server";
import { takeNetworkViolations } from "./support/network-guard";

const redis = useRedisServer({ flushBetweenTests: true });
let store: RedisConversationStore;

beforeEach(() => {
  store = new RedisConversationStore(redis.connect(), new ConversationKeys("test:store:"));
});

function subscription(name: string, conversationId: string): ChannelSubscription {
  return {
    name,
    reference: {
      channelId: "msteams",
      serviceUrl: "http://127.0.0.1:1/",
      conversation: { id: conversationId, isGroup: true, conversationType: "channel", name: "" },
    },
    subscribedAt: 1,
    subscribedBy: "user:bob",
  };
}

const card: PostedCard = {
  approvalId: "apr_1",
  activityId: "act-1",
  reference: subscription("x", "19:a").reference,
  channel: "approvals",
  postedAt: 1,
  renderedVersion: 1,
};

describe("RedisConversationStore", () => {
  it("subscribes, replaces and lists by conversation", async () => {
    expect(await store.subscribe(subscription("db", "19:a"))).toBeNull();
    expect(await store.subscribeIfFree(subscription("db", "19:b"))).toBe(false);
    expect((await store.subscribe(subscription("db", "19:b")))?.reference.conversation?.id).toBe("19:a");
    await store.subscribe(subscription("approvals", "19:b"));
    expect((await store.channelsFor("19:b")).map((s) => s.name)).toEqual(["approvals", "db"]);
    expect(await store.channelsFor("19:a")).toEqual([]);
  });

  it("unsubscribes a name only from the conversation that holds it", async () => {
    await store.subscribe(subscription("db", "19:a"));
    expect(await store.unsubscribe("db", "19:b")).toBe(false);
    expect(await store.channel("db")).not.toBeNull();
    expect(await store.unsubscribe("db", "19:a")).toBe(true);
    expect(await store.channel("db")).toBeNull();
  });

  it("lets one poster claim a card, and a failed poster release it", async () => {
    expect(await store.claimCard("apr_1", 60_000)).toBe(true);
    expect(await store.claimCard("apr_1", 60_000)).toBe(false);
    expect(await store.card("apr_1")).toBeNull();
    await store.releaseCard("apr_1");
    expect(await store.claimCard("apr_1", 60_000)).toBe(true);
    await store.saveCard(card, 60_000);
    await store.releaseCard("apr_1"); // a posted card is never released
    expect(await store.card("apr_1")).toEqual(card);
  });

  it("moves the rendered version only forward, and undoes a claim only if nothing newer claimed since", async () => {
    await store.saveCard(card, 60_000);
    expect(await store.claimRender("apr_1", 1)).toBeNull();
    expect(await store.claimRender("apr_1", 3)).toBe(1);
    expect(await store.claimRender("apr_1", 2)).toBeNull();
    expect(await store.claimRender("apr_1", 4)).toBe(3);
    await store.releaseRender("apr_1", 3, 1); // stale undo: 4 stays
    expect((await store.card("apr_1"))?.renderedVersion).toBe(4);
    await store.releaseRender("apr_1", 4, 3);
    expect((await store.card("apr_1"))?.renderedVersion).toBe(3);
    expect(await store.claimRender("apr_missing", 2)).toBeNull();
  });
});

describe("the network guard", () => {
  it("fails any lookup that would leave the machine, and lets loopback through", async () => {
    await expect(dns.promises.lookup("login.microsoftonline.com")).rejects.toMatchObject({ code: "ENOTFOUND" });
    const viaCallback = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      dns.lookup("api.botframework.com", (err) => resolve(err)),
    );
    expect(viaCallback?.code).toBe("ENOTFOUND");
    await expect(dns.promises.lookup("localhost")).resolves.toBeDefined();
    expect(takeNetworkViolations()).toEqual(["dns.promises.lookup login.microsoftonline.com", "dns.lookup api.botframework.com"]);
  });
});
