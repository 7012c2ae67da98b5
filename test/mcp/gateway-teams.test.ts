/**
 * A held tool call decided in Microsoft Teams: the agent (the SDK's client) launches `countersign mcp-gateway`
 * over stdio; a destructive call is held; Countersign, with its Teams bot on (local development mode against
 * a fake Bot Connector, as in the Teams tests), posts the approval card to the reviewers' channel; a release
 * manager clicks Approve (a Universal Actions invoke POSTed to the service's own /api/messages) and the held
 * call completes with exactly the approved arguments, once; a Deny click with a comment makes it fail with
 * the reviewer's name and comment, and nothing reaches the upstream.
 */

import "../teams/support/network-guard";
import * as fs from "node:fs";
import * as path from "node:path";
import request from "supertest";
import { APPROVE_VERB, DENY_VERB } from "../../src/teams/card-verbs";
import { ConversationKeys, RedisConversationStore } from "../../src/teams/conversation-store";
import {
  approvalTestService,
  eventually,
  removeTempDirs,
  tempDir,
  writeBundle,
  type ManualClock,
  type TestService,
} from "../http/service-harness";
import { useRedisServer } from "../support/redis-server";
import { startFakeBotConnector, type FakeBotConnector } from "../teams/support/fake-bot-connector";
import { REVIEWERS } from "../teams/support/in-memory-approvals";
import { APPROVALS_CHANNEL, reviewerClick, reviewerMessage } from "../teams/support/teams-activities";
import { CLI, GATEWAY_ENTRYPOINTS, listenOnLoopback, recordedCalls, reviewer, stdioAgent, TOOL_SERVER } from "./gateway-harness";

jest.setTimeout(60_000);
// Declared before useRedisServer's: Jest runs afterAll hooks in declaration order (see gateway-stdio.test.ts).
afterAll(async () => {
  await agent?.client.close();
  await countersign?.close();
  await service?.close();
  await connector?.close();
  removeTempDirs();
});
const redis = useRedisServer();

let connector: FakeBotConnector;
let service: TestService & { clock: ManualClock };
let countersign: Awaited<ReturnType<typeof listenOnLoopback>>;
let agent: Awaited<ReturnType<typeof stdioAgent>>;
let log: string;

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build)`);
  const dir = tempDir("countersign-mcp-teams-");
  log = path.join(dir, "calls.jsonl");
  await writeBundle(dir, "example", { revision: "mcp-teams-1", entrypoints: GATEWAY_ENTRYPOINTS });
  connector = await startFakeBotConnector();
  service = await approvalTestService({
    bundlesDir: dir,
    redisUrl: redis.url,
    configure: (c) => ({ ...c, teams: { default_channel: "approvals", emulator_url: connector.serviceUrl } }),
  });
  countersign = await listenOnLoopback(service.app);
  expect((await send(reviewerMessage(APPROVALS_CHANNEL, connector.serviceUrl, REVIEWERS.bob, "subscribe approvals"))).status).toBe(200);
  agent = await stdioAgent([
    "--countersign",
    countersign.url,
    "--api-key-env",
    "GW_KEY",
    "--actor",
    "agent:coder",
    "--on-behalf-of",
    "user:dana",
    "--environment",
    "production",
    "--upstream",
    `fs=stdio:node ${TOOL_SERVER} ${log} fs`,
  ]);
});

afterEach(() => {
  expect(connector.unknown).toEqual([]);
});

/** POSTs an activity to the service's own /api/messages, as Teams does. */
function send(activity: Record<string, unknown>) {
  return request(service.app).post("/api/messages").set("content-type", "application/json").send(JSON.stringify(activity));
}

/** The held call's approval id and the activity id of its card in the approvals channel. */
async function cardOf(action: string, params: Record<string, unknown>): Promise<{ id: string; activityId: string }> {
  const item = await reviewer(countersign.url).held(action, params);
  const cards = new RedisConversationStore(redis.connect(), new ConversationKeys("countersign:teams:"));
  const card = await eventually(async () => (await cards.card(item.id)) ?? undefined, "the card posted");
  const post = connector.posts().find((p) => JSON.stringify(p.body).includes(item.id));
  expect(post?.conversationId).toBe(APPROVALS_CHANNEL.id);
  expect(JSON.stringify(post?.body)).toContain("agent wants to mcp:fs/delete_file");
  return { id: item.id, activityId: card.activityId };
}

const deletes = (p: string) => recordedCalls(log).filter((c) => c.name === "delete_file" && c.args["path"] === p);

it("completes a held call after a release manager approves it in Teams, forwarding exactly the approved arguments once", async () => {
  const p = "/srv/data/teams-approved.txt";
  const held = agent.client.callTool({ name: "delete_file", arguments: { path: p } });
  const { id, activityId } = await cardOf("mcp:fs/delete_file", { path: p });
  expect(deletes(p)).toEqual([]);

  const click = await send(
    reviewerClick(
      APPROVALS_CHANNEL,
      connector.serviceUrl,
      REVIEWERS.bob,
      APPROVE_VERB,
      { approvalId: id, comment: "ok from Teams" },
      { replyToId: activityId },
    ),
  );
  expect(click.status).toBe(200);
  expect(click.body.type).toBe("application/vnd.microsoft.card.adaptive");

  expect(await held).toEqual({ content: [{ type: "text", text: `deleted ${p}` }] });
  expect(deletes(p)).toEqual([{ server: "fs", name: "delete_file", args: { path: p } }]);
  const read = await reviewer(countersign.url).read(id);
  expect(read.body.verdicts).toEqual([expect.objectContaining({ reviewer_id: "user:bob", verdict: "approve", channel: "teams" })]);
});

it("fails a held call a reviewer denies in Teams, saying who and why, and forwards nothing", async () => {
  const p = "/srv/data/teams-denied.txt";
  const held = agent.client.callTool({ name: "delete_file", arguments: { path: p } });
  const { id, activityId } = await cardOf("mcp:fs/delete_file", { path: p });

  const click = await send(
    reviewerClick(
      APPROVALS_CHANNEL,
      connector.serviceUrl,
      REVIEWERS.bob,
      DENY_VERB,
      { approvalId: id, comment: "not on a Friday" },
      { replyToId: activityId },
    ),
  );
  expect(click.status).toBe(200);

  const result = await held;
  expect(result.isError).toBe(true);
  expect((result.content as { text: string }[])[0]?.text).toBe(
    `approval request ${id} for mcp:fs/delete_file was denied by user:bob: not on a Friday; the call was not forwarded`,
  );
  expect(deletes(p)).toEqual([]);
});
