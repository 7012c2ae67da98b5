/**
 * Benchmark: what the approval workflow around `/v1/decide` costs decisions — decide latency at a fixed half
 * load alone against the same load while four reviewers poll their inboxes over 10,000 pending requests, and
 * require_approval latency with an instant Bot Connector against the same with one that answers after 1 s.
 *
 * Both run the real service in a child process (scripts/bench/http-server.ts), each on a fresh embedded
 * redis-server with AOF on, driven by autocannon from this process as in `http-decide.ts`.
 *
 * Half load is a fixed request rate, half of the maximum the same service reaches in a short full-load run
 * just before (32 connections): well below saturation, so a change in p99 shows interference (event-loop time
 * taken by the inbox pages or the card posts, Redis contention) rather than queueing at a saturated server,
 * and the rate stays the same for the runs compared. The polling benchmark drives the allow path (its
 * requests add nothing to the backlog, so the 10,000 stay 10,000) and alternates runs with and without the
 * pollers, comparing medians. The backlog is opened through `/v1/decide` itself (production exports for the
 * DBAs, IAM grants for security, so every reviewer's inbox holds thousands), so each one is a real pending,
 * recorded request listed in the inbox indexes. The Teams benchmark subscribes the `approvals` channel through
 * `/api/messages` as a reviewer would, then alternates runs with the fake connector (its own child process,
 * scripts/bench/fake-bot-connector.ts) answering at once and after 1 s. The outbox is not drained between
 * runs: at this rate the card dispatcher falls behind within a second either way (busy posting with the
 * instant connector, waiting with the slow one), so a backlog left by the previous run changes nothing, and
 * draining it would take most of a minute. Figures only; nothing here asserts on time.
 */

import { fork, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import autocannon from "autocannon";
import type Redis from "ioredis";
import { buildBundle } from "../../src/bundle/bundle-build";
import { writeBundleFile } from "../../src/bundle/bundle-writer";
import { loadSourceSet } from "../../src/bundle/source-set";
import { startEmbeddedRedis } from "../../src/redis/embedded-redis";
import { openRedis } from "../../src/redis/redis-connection";
import { ConversationKeys, RedisConversationStore } from "../../src/teams/conversation-store";
import type { ConnectorCounts } from "./fake-bot-connector";
import {
  allowRequest,
  approvalRequest,
  cpuMicros,
  HEADERS,
  load,
  median,
  startServer,
  stopServer,
  type Run,
  type Server,
} from "./http-decide";
import { fmt } from "./measure";

const WARMUP_S = 2;
const MAX_S = 4;
const HALF_S = 6;
/** Alternating runs of each kind (alone / with pollers; instant / slow connector), medians compared. */
const ROUNDS = 4;
/** Pending requests in Redis while the reviewers poll. */
const BACKLOG = 10_000;
const POLL_INTERVAL_MS = 1000;
/** Inbox polls in a row, with no decisions running, to read the CPU one page costs the service. */
const QUIET_POLLS = 40;
const INBOX_PATH = "/v1/approvals?status=pending&limit=100";
const SLOW_CONNECTOR_MS = 1000;
/** How long the card dispatcher's own rate is read for, with no decisions competing. */
const DISPATCH_ALONE_MS = 3000;
/** The notification outbox stream (`approvals:notify` under the example configuration's key prefix). */
const OUTBOX = "countersign:approvals:notify";

/** The example configuration's reviewers (dev API keys): DBAs see the exports, security the IAM grants. */
const REVIEWERS = [
  { id: "user:alice", roles: "dba", key: "dev-alice-key" },
  { id: "user:bob", roles: "security, release-manager", key: "dev-bob-key" },
  { id: "user:carol", roles: "security", key: "dev-carol-key" },
  { id: "user:dave", roles: "dba, security", key: "dev-dave-key" },
] as const;

/** An IAM grant the example policy sends to two security reviewers; `n` makes it unique. */
function iamRequest(n: number): Record<string, unknown> {
  return {
    ...allowRequest(),
    action: { name: "iam.role.grant", params: { role: "db-reader", to: `svc:report-${n}` } },
    resource: { type: "iam", id: "roles/db-reader", environment: "production" },
    idempotency_key: `iam-grant-${n}`,
  };
}

/** Unique require_approval bodies: production exports (numbered from `from`), or exports and IAM grants in turn. */
function approvalBodies(from: number, mix: "exports" | "exports-and-iam"): () => string {
  let n = from;
  return () => {
    n += 1;
    return JSON.stringify(mix === "exports-and-iam" && n % 2 === 0 ? iamRequest(n) : approvalRequest(n));
  };
}

/** POSTs one decide request and checks its outcome (and that an approval request was opened, for require_approval). */
async function expectOutcome(server: Server, body: string, outcome: "allow" | "require_approval"): Promise<void> {
  const res = await fetch(server.url, { method: "POST", headers: HEADERS, body });
  const answer = (await res.json()) as { outcome?: string; approval?: { created?: boolean } };
  if (res.status !== 200 || answer.outcome !== outcome || (outcome === "require_approval" && answer.approval?.created !== true)) {
    throw new Error(
      `the service answered ${res.status} ${JSON.stringify(answer)}, not ${outcome === "allow" ? "an allow" : "a new approval request"}`,
    );
  }
}

async function writeExampleBundle(root: string, dir: string): Promise<void> {
  const built = await buildBundle({ sources: await loadSourceSet([path.join(root, "rego")]), entrypoints: ["countersign/decision"] });
  if (!built.ok) throw new Error("rego/ does not compile");
  await writeBundleFile(path.join(dir, "countersign.tar.gz"), built.bundle);
}

/** Opens `count` distinct pending requests through `/v1/decide`; returns how many were answered 200. */
async function openBacklog(server: Server, count: number): Promise<{ answered: number; seconds: number }> {
  const next = approvalBodies(0, "exports-and-iam");
  const result = await autocannon({
    url: server.url,
    method: "POST",
    headers: HEADERS,
    requests: [{ method: "POST", setupRequest: (req: autocannon.Request) => ({ ...req, body: next() }) }],
    connections: 32,
    amount: count,
  });
  return { answered: result["2xx"], seconds: result.duration };
}

/** One inbox poll. */
interface Poll {
  readonly reviewer: string;
  readonly status: number;
  readonly items: number;
  readonly ms: number;
}

async function pollInbox(origin: string, reviewer: (typeof REVIEWERS)[number]): Promise<Poll> {
  const start = performance.now();
  const res = await fetch(origin + INBOX_PATH, { headers: { authorization: `Bearer ${reviewer.key}` } });
  const text = await res.text();
  const ms = performance.now() - start;
  const items = res.status === 200 ? ((JSON.parse(text) as { approvals?: unknown[] }).approvals?.length ?? 0) : 0;
  return { reviewer: reviewer.id, status: res.status, items, ms };
}

/** Four reviewers each polling their inbox once a second, their phases a quarter second apart, until stopped. */
function startPollers(origin: string): { stop(): Promise<Poll[]> } {
  const polls: Poll[] = [];
  let running = true;
  const loops = REVIEWERS.map(async (reviewer, i) => {
    await sleep((i * POLL_INTERVAL_MS) / REVIEWERS.length);
    while (running) {
      const started = performance.now();
      polls.push(await pollInbox(origin, reviewer));
      await sleep(Math.max(0, started + POLL_INTERVAL_MS - performance.now()));
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return polls;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const latency = (run: Run) => `p50 ${fmt(run.p50, 1)} ms, p99 ${fmt(run.p99, 1)} ms, ${fmt(run.rps, 0)} req/s`;

/** How many AOF rewrites redis-server has done (each forks it; a run a rewrite falls in often shows it at p99). */
async function aofRewrites(admin: Redis): Promise<number> {
  const info = await admin.info("persistence");
  return Number(/^aof_rewrites:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
}

/** A run with the number of AOF rewrites that started during it. */
interface Measured {
  readonly run: Run;
  readonly rewrites: number;
}

async function measured(admin: Redis, run: () => Promise<Run>): Promise<Measured> {
  const before = await aofRewrites(admin);
  const result = await run();
  return { run: result, rewrites: (await aofRewrites(admin)) - before };
}

/** A run's latency, and the AOF rewrites during it when there were any. */
const runText = (m: Measured) => latency(m.run) + (m.rewrites > 0 ? ` (${m.rewrites} AOF rewrite${m.rewrites > 1 ? "s" : ""})` : "");

/** Benchmark 1: decide at half load alone, then with four reviewers polling their inboxes over the backlog. */
async function benchInboxPolling(dir: string): Promise<void> {
  const redis = await startEmbeddedRedis({ dir: path.join(dir, "redis-inbox") });
  const admin = openRedis(redis.url);
  let service: Server | undefined;
  try {
    service = await startServer("countersign", dir, redis.url);
    const origin = new URL(service.url).origin;
    const body = JSON.stringify(allowRequest());
    await expectOutcome(service, body, "allow");
    await load(service, body, WARMUP_S);
    const max = await load(service, body, MAX_S);
    const rate = Math.round(max.rps / 2);
    const beforeBacklog = await load(service, body, HALF_S, rate);

    const opened = await openBacklog(service, BACKLOG);
    const pending = await admin.zcard("countersign:approvals:pending");
    const unrecorded = await admin.zcard("countersign:approvals:unrecorded");
    // A first poll each: the route warmed up, and every reviewer's inbox shown to hold requests before timing.
    const first = await Promise.all(REVIEWERS.map((r) => pollInbox(origin, r)));
    const empty = first.filter((p) => p.status !== 200 || p.items === 0);
    if (empty.length > 0) throw new Error(`inbox empty or refused before the runs: ${JSON.stringify(empty)}`);
    // What one page costs the service with nothing else running: polls one after another, CPU read around them.
    const cpuBefore = await cpuMicros(service);
    for (let i = 0; i < QUIET_POLLS; i++) await pollInbox(origin, REVIEWERS[i % REVIEWERS.length]!);
    const cpuPerPollMs = ((await cpuMicros(service)) - cpuBefore) / QUIET_POLLS / 1000;

    const alone: Measured[] = [];
    const polled: Measured[] = [];
    const polls: Poll[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      alone.push(await measured(admin, () => load(service!, body, HALF_S, rate)));
      const pollers = startPollers(origin);
      polled.push(await measured(admin, () => load(service!, body, HALF_S, rate)));
      polls.push(...(await pollers.stop()));
    }
    const pendingAfter = await admin.zcard("countersign:approvals:pending");

    const p99Alone = median(alone.map((x) => x.run.p99));
    const p99Polled = median(polled.map((x) => x.run.p99));
    console.log(
      `Decide under inbox polling (allow path, ${fmt(rate, 0)} req/s fixed = half the ${fmt(max.rps, 0)} req/s maximum of a ${MAX_S} s full-load run; ` +
        `${ROUNDS} alternating runs of ${HALF_S} s each way, medians; redis-server ${redis.url}, AOF everysec):`,
    );
    console.log(`  alone, empty Redis (reference):  ${latency(beforeBacklog)}`);
    console.log(
      `  backlog: ${pending} pending requests (${opened.answered} of ${BACKLOG} decide calls answered 200 in ${fmt(opened.seconds, 1)} s; ` +
        `${unrecorded} unrecorded), ${pendingAfter} still pending after the runs`,
    );
    console.log(
      `  alone, with the backlog:         p50 ${fmt(median(alone.map((x) => x.run.p50)), 1)} ms, p99 ${fmt(p99Alone, 1)} ms (runs: ${alone.map(runText).join("; ")})`,
    );
    console.log(
      `  4 reviewers polling every ${POLL_INTERVAL_MS / 1000} s:   p50 ${fmt(median(polled.map((x) => x.run.p50)), 1)} ms, p99 ${fmt(p99Polled, 1)} ms ` +
        `(runs: ${polled.map(runText).join("; ")})`,
    );
    const pollMs = polls.map((p) => p.ms);
    console.log(
      `  polls: ${polls.length} GET ${INBOX_PATH}, ${polls.filter((p) => p.status === 200).length} answered 200, ` +
        `${polls.filter((p) => p.items > 0).length} with items; poll latency p50 ${fmt(median(pollMs), 1)} ms, max ${fmt(Math.max(...pollMs), 1)} ms; ` +
        `${fmt(cpuPerPollMs, 1)} ms of service CPU per page (${QUIET_POLLS} polls in a row, no decisions)`,
    );
    for (const reviewer of REVIEWERS) {
      const own = polls.filter((p) => p.reviewer === reviewer.id);
      const items = own.map((p) => p.items);
      console.log(
        `    ${reviewer.id.padEnd(11)} (${reviewer.roles}): ${own.length} polls, items per page ${Math.min(...items)}..${Math.max(...items)}, ` +
          `p50 ${fmt(median(own.map((p) => p.ms)), 1)} ms`,
      );
    }
    console.log(`  ratio p99 polling / alone:        ${fmt(p99Polled / p99Alone)}x   (target <= 1.5x)`);
    const problems = [beforeBacklog, ...[...alone, ...polled].map((x) => x.run)].reduce((n, x) => n + x.problems, 0);
    if (problems > 0) console.log(`  warning: ${problems} errors, timeouts or non-2xx answers during the runs`);
  } finally {
    if (service !== undefined) await stopServer(service);
    await admin.quit().catch(() => admin.disconnect());
    await redis.stop();
  }
}

/** The fake Bot Connector child process (scripts/bench/fake-bot-connector.ts). */
interface Connector {
  /** The service URL to put in activities (ends with `/`). */
  readonly serviceUrl: string;
  readonly child: ChildProcess;
}

function startConnector(): Promise<Connector> {
  const child = fork(path.join(__dirname, "fake-bot-connector.js"), [], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("message", (m: { port: number }) => resolve({ serviceUrl: `http://127.0.0.1:${m.port}/`, child }));
    child.once("exit", (code) => reject(new Error(`fake Bot Connector exited with code ${code}`)));
  });
}

/** Asks the connector child a question and waits for the answer carrying `field`. */
function ask<T>(connector: Connector, message: unknown, field: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (m: Record<string, unknown>) => {
      if (!(field in m)) return;
      connector.child.off("message", listener);
      resolve(m[field] as T);
    };
    connector.child.on("message", listener);
    connector.child.send(message as string);
  });
}

const connectorCounts = (c: Connector) => ask<ConnectorCounts>(c, "counts", "counts");
const setConnectorDelay = (c: Connector, delayMs: number) => ask<number>(c, { delayMs }, "delayMs");

function stopConnector(connector: Connector): Promise<void> {
  return new Promise((resolve) => {
    if (connector.child.exitCode !== null) return resolve();
    connector.child.once("exit", () => resolve());
    connector.child.disconnect();
  });
}

/** Teams ids of the bot, the tenant and Bob (a configured reviewer: `teams.aad_object_id` in the example configuration). */
const BOT = { id: "28:3b07a000-0000-4000-8000-00000000b07a", name: "Countersign" };
const TENANT = "de7e0000-0000-4000-8000-00000000c0de";
const CHANNEL = "19:approvals0000000000000000@thread.tacv2";

/** A Teams channel message from Bob that @mentions the bot: "subscribe approvals" in a new thread of CHANNEL. */
function subscribeActivity(serviceUrl: string): Record<string, unknown> {
  const id = String(Date.now());
  const now = new Date().toISOString();
  return {
    type: "message",
    id,
    channelId: "msteams",
    serviceUrl,
    timestamp: now,
    localTimestamp: now,
    from: { id: "29:bob-teams-id", name: "Bob", aadObjectId: "b0b00000-0000-4000-8000-000000000002" },
    recipient: BOT,
    conversation: { id: `${CHANNEL};messageid=${id}`, conversationType: "channel", isGroup: true, tenantId: TENANT },
    channelData: {
      tenant: { id: TENANT },
      team: { id: CHANNEL, name: "Platform", aadGroupId: "00000000-0000-4000-8000-0000000000aa" },
      channel: { id: CHANNEL, name: "Prod Approvals" },
    },
    locale: "en-US",
    textFormat: "plain",
    text: `<at>${BOT.name}</at>&nbsp;subscribe approvals`,
    entities: [{ type: "mention", text: `<at>${BOT.name}</at>`, mentioned: BOT }],
  };
}

/** Waits until the dispatcher has delivered (and deleted) every outbox entry; false at the timeout. */
async function drainOutbox(admin: Redis, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await admin.xlen(OUTBOX)) === 0) return true;
    await sleep(100);
  }
  return false;
}

/** One run at the fixed rate with the connector answering after some delay, and the cards posted during it. */
interface TeamsRun extends Measured {
  readonly posted: number;
}

/** Benchmark 2: require_approval decide latency with an instant and with a 1 s Bot Connector. */
async function benchSlowConnector(dir: string): Promise<void> {
  const redis = await startEmbeddedRedis({ dir: path.join(dir, "redis-teams") });
  const admin = openRedis(redis.url);
  const connector = await startConnector();
  let service: Server | undefined;
  try {
    service = await startServer("countersign", dir, redis.url, connector.serviceUrl.replace(/\/$/, ""));
    const origin = new URL(service.url).origin;
    const subscribed = await fetch(`${origin}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(subscribeActivity(connector.serviceUrl)),
    });
    const channel = await new RedisConversationStore(admin, new ConversationKeys("countersign:teams:")).channel("approvals");
    if (subscribed.status !== 200 || channel === null)
      throw new Error(`subscribing the approvals channel failed: /api/messages answered ${subscribed.status}`);

    const approvals = approvalBodies(0, "exports");
    await expectOutcome(service, approvals(), "require_approval");
    if (!(await drainOutbox(admin, 10_000)) || (await connectorCounts(connector)).posts < 1)
      throw new Error("the first approval card was not posted to the fake Bot Connector");
    await load(service, approvals, WARMUP_S);
    const max = await load(service, approvals, MAX_S);
    const rate = Math.round(max.rps / 2);

    const measure = async (delayMs: number): Promise<TeamsRun> => {
      await setConnectorDelay(connector, delayMs);
      const before = await connectorCounts(connector);
      const m = await measured(admin, () => load(service!, approvals, HALF_S, rate));
      return { ...m, posted: (await connectorCounts(connector)).posts - before.posts };
    };
    const instant: TeamsRun[] = [];
    const slow: TeamsRun[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      instant.push(await measure(0));
      slow.push(await measure(SLOW_CONNECTOR_MS));
    }
    const outboxLeft = await admin.xlen(OUTBOX);
    // The dispatcher alone, on the backlog the runs left: how long the cards take to go out with no decisions competing.
    await setConnectorDelay(connector, 0);
    const drainStart = Date.now();
    const drained = await drainOutbox(admin, DISPATCH_ALONE_MS * 4);
    const drainMs = Date.now() - drainStart;
    const unknown = (await connectorCounts(connector)).unknown;

    const p99 = (xs: TeamsRun[]) => median(xs.map((x) => x.run.p99));
    const p50 = (xs: TeamsRun[]) => median(xs.map((x) => x.run.p50));
    console.log(
      `require_approval with a slow Bot Connector (Teams bot in local development mode, channel "approvals" subscribed; ` +
        `${fmt(rate, 0)} req/s fixed = half the ${fmt(max.rps, 0)} req/s maximum with the instant connector; ${ROUNDS} alternating runs of ${HALF_S} s each way, medians):`,
    );
    for (const [name, runs] of [
      ["instant connector", instant],
      [`connector answering after ${SLOW_CONNECTOR_MS / 1000} s`, slow],
    ] as const) {
      console.log(
        `  ${name.padEnd(32)} p50 ${fmt(p50(runs), 1)} ms, p99 ${fmt(p99(runs), 1)} ms (runs: ${runs.map(runText).join("; ")}); ` +
          `cards posted per run: ${runs.map((x) => `${x.posted} for ${x.run.requests} opened`).join(", ")}`,
      );
    }
    console.log(
      `  notification outbox: ${outboxLeft} entries undelivered after the last (slow) run; with the instant connector and no decisions ` +
        `${drained ? `the dispatcher delivered them in ${fmt(drainMs / 1000, 1)} s` : `${await admin.xlen(OUTBOX)} were still there after ${fmt(drainMs / 1000, 1)} s`} ` +
        `(it delivers up to 32 requests at a time, so a ${SLOW_CONNECTOR_MS / 1000} s connector allows about ${fmt(32000 / SLOW_CONNECTOR_MS, 0)} cards/s)`,
    );
    console.log(
      `  ratio p99 slow / instant:         ${fmt(p99(slow) / p99(instant))}x   (target <= 1.2x); p50 ${fmt(p50(slow) / p50(instant))}x`,
    );
    const problems = [...instant, ...slow].reduce((n, x) => n + x.run.problems, 0);
    if (problems > 0) console.log(`  warning: ${problems} errors, timeouts or non-2xx answers during the runs`);
    if (unknown > 0) console.log(`  warning: the service called ${unknown} routes the fake Bot Connector does not have`);
  } finally {
    // The connector first: a dispatcher waiting on a slow post then fails at once instead of holding shutdown.
    await stopConnector(connector);
    if (service !== undefined) await stopServer(service);
    await admin.quit().catch(() => admin.disconnect());
    await redis.stop();
  }
}

/** Runs both benchmarks, each on a fresh redis-server, and prints their figures. */
export async function benchApprovalWorkflow(root: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-bench-approvals-"));
  try {
    await writeExampleBundle(root, dir);
    await benchInboxPolling(dir);
    await benchSlowConnector(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
