/**
 * The notification outbox as the service runs it, on a real redis-server and the fake Bot Connector: a Bot
 * Connector that hangs does not hold up `/v1/decide`; a service killed (SIGKILL) between a committed change
 * and its delivery has the card posted by the next instance.
 */

import "./support/network-guard";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import request from "supertest";
import { exampleConfigPath } from "../../src/config/config-loader";
import { ConversationKeys, RedisConversationStore } from "../../src/teams/conversation-store";
import { CLI } from "../cli/cli-helpers";
import { approvalClient, approvalIdOf } from "../http/approval-client";
import { approvalTestService, AUTH, eventually, exportBody, removeTempDirs, tempDir, writeBundle } from "../http/service-harness";
import { useRedisServer } from "../support/redis-server";
import { startFakeBotConnector, type FakeBotConnector } from "./support/fake-bot-connector";
import { REVIEWERS } from "./support/in-memory-approvals";
import { APPROVALS_CHANNEL, reviewerMessage } from "./support/teams-activities";

const redis = useRedisServer({ flushBetweenTests: true });
let bundlesDir: string;
let connector: FakeBotConnector;

beforeAll(async () => {
  bundlesDir = tempDir();
  await writeBundle(bundlesDir, "example", { revision: "outbox-1" });
});
beforeEach(async () => {
  connector = await startFakeBotConnector();
});
afterEach(async () => {
  await connector.close();
});
afterAll(() => removeTempDirs());

function cards(): RedisConversationStore {
  return new RedisConversationStore(redis.connect(), new ConversationKeys("countersign:teams:"));
}

function postsFor(approvalId: string) {
  return connector.posts().filter((p) => JSON.stringify(p.body).includes(approvalId));
}

it("a Bot Connector that hangs holds up no decision; the cards are posted once it answers", async () => {
  const service = await approvalTestService({
    bundlesDir,
    redisUrl: redis.url,
    configure: (c) => ({ ...c, teams: { default_channel: "approvals", emulator_url: connector.serviceUrl } }),
  });
  try {
    const subscribed = await request(service.app)
      .post("/api/messages")
      .set("content-type", "application/json")
      .send(JSON.stringify(reviewerMessage(APPROVALS_CHANNEL, connector.serviceUrl, REVIEWERS.bob, "subscribe approvals")));
    expect(subscribed.status).toBe(200);
    connector.reset();
    const release = connector.hold("POST");

    const api = approvalClient(service.app);
    const first = approvalIdOf(await api.decide(AUTH.caller, exportBody({ action: { name: "db.export", params: { table: "a" } } })));
    // The dispatcher is now stuck on the first post, which the connector does not answer...
    await eventually(() => (postsFor(first).length === 1 ? true : undefined), "the first post sent and left hanging");
    // ...and decisions still answer at once, including ones that open requests and ones that do not.
    const second = approvalIdOf(await api.decide(AUTH.caller, exportBody({ action: { name: "db.export", params: { table: "b" } } })));
    const allowed = await api.decide(
      AUTH.caller,
      exportBody({ resource: { type: "database", id: "dev/customers", environment: "development" } }),
    );
    expect(allowed.body.outcome).toBe("allow");
    expect(await cards().card(first)).toBeNull();

    release();
    await eventually(
      async () => ((await cards().card(first)) !== null && (await cards().card(second)) !== null ? true : undefined),
      "both cards posted",
    );
    expect(postsFor(first)).toHaveLength(1);
    expect(postsFor(second)).toHaveLength(1);
  } finally {
    await service.close();
  }
});

/** `countersign serve` with the example configuration and a `teams:` section pointing at the fake connector. */
function serveChild(configFile: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--bundles", bundlesDir, "--config", configFile], {
    env: { ...process.env, REDIS_URL: redis.url, NODE_ENV: "development", COUNTERSIGN_CONFIG: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 20_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const m = /serving decisions on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, output: () => out });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`serve exited (${code}):\n${out}`)));
  });
}

async function postJson(url: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
}

it("a service killed between the change and its delivery: the next instance posts the card", async () => {
  const configFile = path.join(tempDir(), "countersign.yaml");
  fs.writeFileSync(
    configFile,
    `${fs.readFileSync(exampleConfigPath(), "utf8")}\nteams:\n  default_channel: approvals\n  emulator_url: "${connector.serviceUrl}"\n`,
  );

  const first = await serveChild(configFile);
  let id: string;
  try {
    const subscribed = await postJson(
      `${first.url}/api/messages`,
      {},
      reviewerMessage(APPROVALS_CHANNEL, connector.serviceUrl, REVIEWERS.bob, "subscribe approvals"),
    );
    expect(subscribed.status).toBe(200);
    connector.reset();
    connector.hold("POST");
    const decided = await postJson(`${first.url}/v1/decide`, { Authorization: AUTH.caller }, exportBody());
    expect(decided).toMatchObject({ status: 200, body: { outcome: "require_approval" } });
    id = decided.body.approval.id as string;
    // The change is committed and the post is in flight, unanswered, when the process dies.
    await eventually(() => (postsFor(id).length === 1 ? true : undefined), "the post in flight");
  } finally {
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));
  }
  expect(await cards().card(id)).toBeNull();
  connector.reset(); // answers again

  const second = await serveChild(configFile);
  try {
    // The dead instance's entry is claimed after its back-off and delivered.
    const card = await eventually(async () => (await cards().card(id)) ?? undefined, "the card posted by the next instance", 20_000).catch(
      (err: Error) => {
        throw new Error(`${err.message}\n${second.output()}`);
      },
    );
    expect(card.channel).toBe("approvals");
    expect(postsFor(id)).toHaveLength(1);
  } finally {
    second.child.kill("SIGTERM");
    await new Promise((resolve) => second.child.once("exit", resolve));
  }
}, 60_000);
