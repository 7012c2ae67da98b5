/**
 * The bot with an app id configured: every inbound activity must carry a Bot Framework channel token (RS256,
 * signed by a key in the channel's OpenID metadata, issued by the channel, for this app id, naming this
 * activity's service URL). Anything else is a 401 that reaches no handler. Outbound calls carry the bot's
 * own token (here from the test-only credentials factory).
 */

import "./support/network-guard";
import { APPROVE_VERB } from "../../src/teams/card-verbs";
import { useRedisServer } from "../support/redis-server";
import { OUTBOUND_TOKEN, startBotHarness, type BotHarness } from "./support/bot-harness";
import { REVIEWERS } from "./support/in-memory-approvals";
import { APPROVALS_CHANNEL, BOT_APP_ID, reviewerClick, reviewerMessage } from "./support/teams-activities";

const redis = useRedisServer({ flushBetweenTests: true });
let h: BotHarness;

beforeEach(async () => {
  h = await startBotHarness(redis, { authenticated: true });
  // botframework-connector prints every token it rejects to console.error; the bot logs its own warning.
  jest.spyOn(console, "error").mockImplementation(() => undefined);
});

afterEach(async () => {
  jest.restoreAllMocks();
  expect(h.connector.unknown).toEqual([]);
  await h.close();
});

const OTHER_APP_ID = "0d1ff000-0000-4000-8000-0000000000ff";

function subscribeMessage(): Record<string, unknown> {
  return reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.bob, "subscribe approvals");
}

async function expectRejectedUntouched(activity: Record<string, unknown>, authorization: string | undefined): Promise<void> {
  const res = await h.send(activity, authorization);
  expect(res.status).toBe(401);
  expect(res.body).toEqual({ error: { code: "COUNTERSIGN_TEAMS_UNAUTHENTICATED", message: expect.any(String) } });
  // No handler ran: nothing looked up, stored, decided or sent.
  expect(h.directory.lookups).toEqual([]);
  expect(await h.store.channelsFor(APPROVALS_CHANNEL.id)).toEqual([]);
  expect(h.approvals.verdictCalls).toEqual([]);
  expect(h.connector.calls).toEqual([]);
  expect(h.logger.entries.some((e) => e.level === "warn" && e.meta["code"] === "COUNTERSIGN_TEAMS_UNAUTHENTICATED")).toBe(true);
}

describe("inbound authentication", () => {
  it("accepts an activity with a valid channel token and answers with the bot's own credentials", async () => {
    const res = await h.send(subscribeMessage(), await h.auth!.bearer({ appId: BOT_APP_ID, serviceUrl: h.connector.serviceUrl }));
    expect(res.status).toBe(200);
    expect((await h.store.channel("approvals"))?.reference.conversation?.id).toBe(APPROVALS_CHANNEL.id);
    const replies = h.connector.replies();
    expect(replies).toHaveLength(1);
    expect(replies[0]!.authorization).toBe(`Bearer ${OUTBOUND_TOKEN}`);
    // The keys came from the configured OpenID metadata, not from Microsoft's.
    expect(h.auth!.fetched).toEqual(expect.arrayContaining(["/v1/.well-known/openidconfiguration", "/v1/.well-known/keys"]));
  });

  it("rejects a request without a token", async () => {
    await expectRejectedUntouched(subscribeMessage(), undefined);
  });

  it("rejects a token signed by a key the channel does not publish", async () => {
    await expectRejectedUntouched(
      subscribeMessage(),
      await h.auth!.bearer({ appId: BOT_APP_ID, serviceUrl: h.connector.serviceUrl, foreignKey: true }),
    );
  });

  it("rejects a token issued for another bot (audience)", async () => {
    await expectRejectedUntouched(subscribeMessage(), await h.auth!.bearer({ appId: OTHER_APP_ID, serviceUrl: h.connector.serviceUrl }));
  });

  it("rejects a token whose serviceurl claim is not the activity's service URL", async () => {
    await expectRejectedUntouched(
      subscribeMessage(),
      await h.auth!.bearer({ appId: BOT_APP_ID, serviceUrl: "https://smba.trafficmanager.net/emea/" }),
    );
  });

  it("rejects an expired token", async () => {
    await expectRejectedUntouched(
      subscribeMessage(),
      await h.auth!.bearer({ appId: BOT_APP_ID, serviceUrl: h.connector.serviceUrl, expiresIn: -3600 }),
    );
  });

  it("rejects a token from another issuer", async () => {
    await expectRejectedUntouched(
      subscribeMessage(),
      await h.auth!.bearer({ appId: BOT_APP_ID, serviceUrl: h.connector.serviceUrl, issuer: "https://issuer.example" }),
    );
  });

  it("rejects a verdict click without a valid token before it reaches the approval core", async () => {
    const state = h.approvals.create({
      request: { actor: { id: "svc:ci" }, action: { name: "db.export" }, resource: { type: "database" }, context: {} },
      requirements: { quorum: 1, roles: ["dba"] },
    });
    const click = reviewerClick(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.dave, APPROVE_VERB, { approvalId: state.id });
    await expectRejectedUntouched(click, await h.auth!.bearer({ appId: OTHER_APP_ID, serviceUrl: h.connector.serviceUrl }));
    expect((await h.approvals.get(state.id))?.status).toBe("pending");
  });
});

describe("authenticated end to end", () => {
  it("posts, records a verdict from an authenticated click and updates the card, every outbound call carrying the bot's token", async () => {
    const token = await h.auth!.bearer({ appId: BOT_APP_ID, serviceUrl: h.connector.serviceUrl });
    expect((await h.send(subscribeMessage(), token)).status).toBe(200);

    const state = h.approvals.create({
      request: {
        actor: { id: "svc:ci" },
        action: { name: "db.export" },
        resource: { type: "database", environment: "production" },
        context: {},
      },
      requirements: { quorum: 1, roles: ["dba"] },
    });
    await h.bot.notifier.onApprovalCreated(state);
    const posted = await h.store.card(state.id);
    expect(posted).not.toBeNull();

    const res = await h.send(
      reviewerClick(
        APPROVALS_CHANNEL,
        h.connector.serviceUrl,
        REVIEWERS.dave,
        APPROVE_VERB,
        { approvalId: state.id },
        { replyToId: posted!.activityId },
      ),
      token,
    );
    expect(res.status).toBe(200);
    expect(res.body.type).toBe("application/vnd.microsoft.card.adaptive");
    expect((await h.approvals.get(state.id))?.status).toBe("approved");
    expect(h.connector.updates()).toHaveLength(1);
    expect(h.connector.calls.length).toBeGreaterThanOrEqual(3);
    expect(h.connector.calls.every((c) => c.authorization === `Bearer ${OUTBOUND_TOKEN}`)).toBe(true);
  });
});

describe("the test-only credentials factory", () => {
  it("refuses to load without the explicit test switch, or outside NODE_ENV=test", () => {
    const saved = { flag: process.env["COUNTERSIGN_TEAMS_TEST_CREDENTIALS"], env: process.env["NODE_ENV"] };
    try {
      delete process.env["COUNTERSIGN_TEAMS_TEST_CREDENTIALS"];
      jest.isolateModules(() => {
        expect(() => require("./support/fake-credentials-factory")).toThrow(/for tests only/);
      });
      process.env["COUNTERSIGN_TEAMS_TEST_CREDENTIALS"] = "1";
      process.env["NODE_ENV"] = "production";
      jest.isolateModules(() => {
        expect(() => require("./support/fake-credentials-factory")).toThrow(/for tests only/);
      });
    } finally {
      process.env["NODE_ENV"] = saved.env;
      if (saved.flag === undefined) delete process.env["COUNTERSIGN_TEAMS_TEST_CREDENTIALS"];
      else process.env["COUNTERSIGN_TEAMS_TEST_CREDENTIALS"] = saved.flag;
    }
  });
});
