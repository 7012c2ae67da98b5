/**
 * Benchmark: `POST /v1/decide` throughput on the allow path of the example policy against a bare Express
 * handler that parses the same body and answers a constant JSON document, the allow path with the audit
 * trail against the same path with the trail swapped for the benchmark-only no-op recorder (a second
 * service process, `countersign-noaudit`), and the require_approval path (every call opens a new approval
 * request in Redis) against the allow path; same Node, same autocannon settings, same run; then p99 latency
 * of each at half of its own maximum rate (`overallRate`). For reference it also runs a bare handler on
 * Node's own HTTP server (no Express): the decide route skips Express on its everyday requests
 * (`src/http/decide-lane.ts`), so that line shows what a decision costs above Node itself. Near 30,000
 * requests a second that handler is limited by autocannon's own core, so its CPU per request is the figure
 * to read there.
 *
 * Each server runs in a child process of its own (scripts/bench/http-server.ts) while autocannon drives
 * it from this process, so on a two-core machine the load generator and the server each have a core; the
 * service's Redis is an embedded redis-server with AOF on (`appendfsync everysec`, as `make run` starts
 * it), a third process on the same machine. The full-load runs alternate between the paths and the
 * medians are compared, so a change in the machine's background load during the run hits all alike; CPU
 * time per request, read from each server process (and from redis-server for the approval path), is
 * printed too, as a figure that background load disturbs less. The approval path's bodies differ per call
 * (a counter in the action's parameters and in `idempotency_key`), so no request is deduplicated; the
 * number of requests Redis holds afterwards is checked against the number answered. Figures only; nothing
 * here asserts on time.
 */

import { fork, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import autocannon from "autocannon";
import { startEmbeddedRedis } from "../../src/redis/embedded-redis";
import { openRedis } from "../../src/redis/redis-connection";
import { buildBundle } from "../../src/bundle/bundle-build";
import { writeBundleFile } from "../../src/bundle/bundle-writer";
import { loadSourceSet } from "../../src/bundle/source-set";
import { fmt, processCpuMicros, usedMemory } from "./measure";
import type Redis from "ioredis";

const CONNECTIONS = 32;
const WARMUP_S = 2;
const ROUNDS = 3;
const MAX_S = 4;
const HALF_S = 5;

/** A realistic decide request of about 1 KB that the example policy allows (a routine read). */
export function allowRequest(): Record<string, unknown> {
  return {
    actor: { id: "svc:ci", type: "ci" },
    action: { name: "db.read", params: { table: "customers", columns: ["id", "name", "plan", "created_at"], limit: 500 } },
    resource: { type: "database", id: "prod/customers", environment: "production", labels: { team: "payments", tier: "1" } },
    context: {
      reason: "nightly revenue report",
      ticket: "OPS-1234",
      pipeline: { provider: "github-actions", run_id: "8812734912", commit: "9f2c1d7e4b5a3c2d1e0f9a8b7c6d5e4f3a2b1c0d", branch: "main" },
      history: Array.from({ length: 6 }, (_, i) => ({ at: `2026-11-2${i}T10:00:00Z`, action: "db.read", outcome: "allow" })),
    },
    idempotency_key: "nightly-report-2026-11-21",
  };
}

/**
 * A production export the example policy sends for approval (one DBA), about as large as the allow request;
 * `n` makes the action (and the idempotency key) unique, so every call opens a request of its own.
 */
export function approvalRequest(n: number): Record<string, unknown> {
  const base = allowRequest();
  return {
    ...base,
    action: {
      name: "db.export",
      params: { table: "customers", columns: ["id", "name", "plan", "created_at"], query: "select * from customers", batch: n },
    },
    idempotency_key: `export-batch-${n}`,
  };
}

/** The approval request's JSON as a template: the counter spliced in without re-serialising per call. */
function approvalBodies(): () => string {
  const marker = 987654321;
  const [head, middle, tail] = JSON.stringify(approvalRequest(marker)).split(String(marker)) as [string, string, string];
  let n = 0;
  return () => {
    n += 1;
    return head + n + middle + n + tail;
  };
}

/** Which app a server child serves (scripts/bench/http-server.ts). */
export type Mode = "bare" | "bare-node" | "countersign" | "countersign-noaudit" | "countersign-shadow";

/** What one full-load run measures: the bare handler, the allow path with and without the trail, the require_approval path. */
type Path = "bare" | "node" | "allow" | "noaudit" | "approval";

/** A benchmark server child process and the URL of its decide route. */
export interface Server {
  readonly mode: Mode;
  readonly url: string;
  readonly child: ChildProcess;
}

/** What one autocannon run measured. */
export interface Run {
  readonly rps: number;
  readonly requests: number;
  readonly p50: number;
  readonly p99: number;
  readonly problems: number;
  /** Server CPU time per request, in microseconds. */
  readonly cpuMicrosPerRequest: number;
  /** redis-server CPU time per request, in microseconds (NaN where /proc is not readable). */
  readonly redisCpuMicrosPerRequest: number;
}

/** The caller's headers: JSON and the example configuration's dev-caller-key. */
export const HEADERS = { "content-type": "application/json", authorization: "Bearer dev-caller-key" };

/** Starts a server child process; with `teamsEmulatorUrl` the service runs its Teams bot in local development mode against it. */
export function startServer(mode: Mode, bundlesDir: string, redisUrl?: string, teamsEmulatorUrl?: string): Promise<Server> {
  const args = [
    mode,
    bundlesDir,
    ...(redisUrl === undefined ? [] : [redisUrl]),
    ...(teamsEmulatorUrl === undefined ? [] : [teamsEmulatorUrl]),
  ];
  const child = fork(path.join(__dirname, "http-server.js"), args, { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("message", (m: { port: number }) => resolve({ mode, url: `http://127.0.0.1:${m.port}/v1/decide`, child }));
    child.once("exit", (code) => reject(new Error(`${mode} server exited with code ${code}`)));
  });
}

/** Stops a server child process (it exits when its IPC channel closes). */
export function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    server.child.once("exit", () => resolve());
    server.child.disconnect();
  });
}

/** The CPU time (user + system) a server child has used so far, in microseconds. */
export function cpuMicros(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.child.once("message", (m: { cpuMicros: number }) => resolve(m.cpuMicros));
    server.child.send("cpu");
  });
}

/** A full or rate-limited run; `body` is a constant, or a function called for every request. */
export async function load(
  server: Server,
  body: string | (() => string),
  seconds: number,
  overallRate?: number,
  redisPid?: number,
): Promise<Run> {
  const cpuBefore = await cpuMicros(server);
  const redisBefore = processCpuMicros(redisPid);
  const result = await autocannon({
    url: server.url,
    method: "POST",
    headers: HEADERS,
    ...(typeof body === "string"
      ? { body }
      : {
          requests: [
            {
              method: "POST",
              setupRequest: (req: autocannon.Request) => ({ ...req, body: body() }),
            },
          ],
        }),
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
    ...(overallRate === undefined ? {} : { overallRate }),
  });
  const cpu = (await cpuMicros(server)) - cpuBefore;
  const requests = Math.max(1, result.requests.total);
  return {
    rps: result.requests.average,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    problems: result.errors + result.timeouts + result.non2xx,
    cpuMicrosPerRequest: cpu / requests,
    redisCpuMicrosPerRequest: (processCpuMicros(redisPid) - redisBefore) / requests,
  };
}

/** The median (the upper one of an even count). */
export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** Runs the benchmark and prints its figures. */
export async function benchHttpDecide(root: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-bench-"));
  const servers: Server[] = [];
  const redis = await startEmbeddedRedis({ dir: path.join(dir, "redis") });
  const admin = openRedis(redis.url);
  try {
    const built = await buildBundle({ sources: await loadSourceSet([path.join(root, "rego")]), entrypoints: ["countersign/decision"] });
    if (!built.ok) throw new Error("rego/ does not compile");
    await writeBundleFile(path.join(dir, "countersign.tar.gz"), built.bundle);
    const body = JSON.stringify(allowRequest());
    const approvals = approvalBodies();

    const bare = await startServer("bare", dir);
    servers.push(bare);
    const bareNode = await startServer("bare-node", dir);
    servers.push(bareNode);
    const service = await startServer("countersign", dir, redis.url);
    servers.push(service);
    const noaudit = await startServer("countersign-noaudit", dir, redis.url);
    servers.push(noaudit);
    for (const s of servers) {
      const check = await fetch(s.url, { method: "POST", headers: HEADERS, body });
      const answer = (await check.json()) as { outcome?: string };
      if (check.status !== 200 || answer.outcome !== "allow")
        throw new Error(`${s.mode} answered ${check.status} ${JSON.stringify(answer)}, not an allow`);
      await load(s, body, WARMUP_S);
    }
    const probe = await fetch(service.url, { method: "POST", headers: HEADERS, body: approvals() });
    const opened = (await probe.json()) as { outcome?: string; approval?: { created?: boolean } };
    if (probe.status !== 200 || opened.outcome !== "require_approval" || opened.approval?.created !== true) {
      throw new Error(`the service answered ${probe.status} ${JSON.stringify(opened)}, not a new approval request`);
    }
    await load(service, approvals, WARMUP_S, undefined, redis.pid);

    const paths: { path: Path; server: Server; body: string | (() => string) }[] = [
      { path: "bare", server: bare, body },
      { path: "node", server: bareNode, body },
      { path: "allow", server: service, body },
      { path: "noaudit", server: noaudit, body },
      { path: "approval", server: service, body: approvals },
    ];
    const pendingBefore = await admin.zcard("countersign:approvals:pending");
    const full: Record<Path, Run[]> = { bare: [], node: [], allow: [], noaudit: [], approval: [] };
    const auditBefore = await auditSeq(admin);
    // Redis bytes per decision: used_memory and the trail's length around each allow run (nothing else writes then).
    let allowBytes = 0;
    let allowEntries = 0;
    for (let r = 0; r < ROUNDS; r++) {
      for (const p of paths) {
        const memBefore = p.path === "allow" ? await usedMemory(admin) : 0;
        const lenBefore = p.path === "allow" ? await auditSeq(admin) : 0;
        full[p.path].push(await load(p.server, p.body, MAX_S, undefined, redis.pid));
        if (p.path === "allow") {
          allowBytes += (await usedMemory(admin)) - memBefore;
          allowEntries += (await auditSeq(admin)) - lenBefore;
        }
      }
    }
    const opensAnswered = full.approval.reduce((sum, x) => sum + x.requests, 0);
    const opensStored = (await admin.zcard("countersign:approvals:pending")) - pendingBefore;
    const maxRps = (p: Path) => median(full[p].map((x) => x.rps));
    const recordsStored = (await auditSeq(admin)) - auditBefore;
    const recordsAnswered = full.allow.reduce((sum, x) => sum + x.requests, 0) + full.approval.reduce((sum, x) => sum + x.requests, 0);
    const half: Record<Exclude<Path, "noaudit" | "node">, Run> = {
      bare: await load(bare, body, HALF_S, Math.round(maxRps("bare") / 2)),
      allow: await load(service, body, HALF_S, Math.round(maxRps("allow") / 2)),
      approval: await load(service, approvals, HALF_S, Math.round(maxRps("approval") / 2), redis.pid),
    };

    console.log(
      `HTTP /v1/decide (body ${Buffer.byteLength(body)} bytes, ${CONNECTIONS} connections, autocannon; ` +
        `full load: ${ROUNDS} alternating runs of ${MAX_S} s each, medians; redis-server ${redis.url}, AOF everysec):`,
    );
    const names: Record<Path, string> = {
      bare: "bare Express (parse + constant)",
      node: "bare Node http (parse + constant)",
      allow: "countersign, allow path",
      noaudit: "allow path, no-op audit (bench)",
      approval: "countersign, require_approval",
    };
    for (const p of ["bare", "node", "allow", "noaudit", "approval"] as const) {
      const cpu = median(full[p].map((x) => x.cpuMicrosPerRequest));
      const redisCpu = p === "approval" ? median(full[p].map((x) => x.redisCpuMicrosPerRequest)) : Number.NaN;
      console.log(
        `  ${names[p].padEnd(32)} ${fmt(maxRps(p), 0).padStart(6)} req/s max (runs: ${full[p].map((x) => fmt(x.rps, 0)).join(", ")}), ` +
          `${fmt(cpu, 0)} µs server CPU/request${Number.isNaN(redisCpu) ? "" : ` + ${fmt(redisCpu, 0)} µs redis-server`}; ` +
          (p === "noaudit" || p === "node"
            ? "(no half-rate run)"
            : `at ${fmt(maxRps(p) / 2, 0)} req/s: p50 ${fmt(half[p].p50, 1)} ms, p99 ${fmt(half[p].p99, 1)} ms`),
      );
    }
    const cpuOf = (p: Path) => median(full[p].map((x) => x.cpuMicrosPerRequest));
    console.log(
      `  ratio allow / bare:               ${fmt(maxRps("allow") / maxRps("bare"))}x throughput   (target >= 0.8x); ${fmt(cpuOf("bare") / cpuOf("allow"))}x by CPU per request`,
    );
    console.log(
      `  for reference, allow / bare Node: ${fmt(maxRps("allow") / maxRps("node"))}x throughput; ${fmt(cpuOf("node") / cpuOf("allow"))}x by CPU per request ` +
        `(what a decision costs above Node's HTTP server itself; the decide route skips Express, see src/http/decide-lane.ts)`,
    );
    console.log(
      `  ratio allow with audit / no-op:   ${fmt(maxRps("allow") / maxRps("noaudit"))}x throughput   (target >= 0.7x); ` +
        `${fmt(cpuOf("noaudit") / cpuOf("allow"))}x by server CPU per request; ${recordsStored} audit entries appended for ${recordsAnswered} decisions answered (and their approval.created events)`,
    );
    console.log(
      `  ratio require_approval / allow:   ${fmt(maxRps("approval") / maxRps("allow"))}x throughput   (target >= 0.5x); ` +
        `${fmt(cpuOf("allow") / cpuOf("approval"))}x by server CPU per request; p99 ${fmt(half.approval.p99, 1)} ms at half its maximum rate`,
    );
    const streamEntries = await admin.xlen("countersign:audit");
    console.log(
      `  Redis bytes per allow decision: ${fmt(allowBytes / Math.max(1, allowEntries), 0)} (used_memory delta over ${allowEntries} entries; target <= 700); ` +
        `${fmt((await auditSeq(admin)) / Math.max(1, streamEntries), 1)} entries per stream entry on average (one pack per append, src/audit/entry-codec.ts)`,
    );
    const dedup = opensStored >= opensAnswered ? "none deduplicated" : "warning: fewer stored than answered, some were deduplicated";
    console.log(`  approval requests opened during the full-load runs: ${opensStored} stored for ${opensAnswered} answered (${dedup})`);
    const problems = [
      ...full.bare,
      ...full.node,
      ...full.allow,
      ...full.noaudit,
      ...full.approval,
      half.bare,
      half.allow,
      half.approval,
    ].reduce((n, x) => n + x.problems, 0);
    if (problems > 0) console.log(`  warning: ${problems} errors, timeouts or non-2xx answers during the runs`);
  } finally {
    await Promise.all(servers.map(stopServer));
    await admin.quit().catch(() => admin.disconnect());
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** How many entries the audit trail holds (its head's seq; the stream holds one pack per append). */
async function auditSeq(admin: Redis): Promise<number> {
  return Number((await admin.hget("{countersign:audit}:head", "seq")) ?? 0);
}
