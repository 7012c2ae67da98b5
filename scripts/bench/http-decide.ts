/**
 * Benchmark: `POST /v1/decide` throughput on the allow path of the example policy against a bare Express
 * handler that parses the same body and answers a constant JSON document, same Node, same autocannon
 * settings, same run; then p99 latency of each at half of its own maximum rate (`overallRate`).
 *
 * Each server runs in a child process of its own (scripts/bench/http-server.ts) while autocannon drives
 * it from this process, so on a two-core machine the load generator and the server each have a core.
 * The full-load runs alternate between the two servers and the medians are compared, so a change in the
 * machine's background load during the run hits both alike; CPU time per request, read from each
 * server process, is printed too, as a figure that background load disturbs less. Figures only; nothing
 * here asserts on time.
 */

import { fork, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import autocannon from "autocannon";
import { buildBundle } from "../../src/bundle/bundle-build";
import { writeBundleFile } from "../../src/bundle/bundle-writer";
import { loadSourceSet } from "../../src/bundle/source-set";
import { fmt } from "./measure";

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

type Mode = "bare" | "countersign";

interface Server {
  readonly mode: Mode;
  readonly url: string;
  readonly child: ChildProcess;
}

interface Run {
  readonly rps: number;
  readonly requests: number;
  readonly p50: number;
  readonly p99: number;
  readonly problems: number;
  /** Server CPU time per request, in microseconds. */
  readonly cpuMicrosPerRequest: number;
}

const HEADERS = { "content-type": "application/json", authorization: "Bearer dev-caller-key" };

function startServer(mode: Mode, bundlesDir: string): Promise<Server> {
  const child = fork(path.join(__dirname, "http-server.js"), [mode, bundlesDir], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("message", (m: { port: number }) => resolve({ mode, url: `http://127.0.0.1:${m.port}/v1/decide`, child }));
    child.once("exit", (code) => reject(new Error(`${mode} server exited with code ${code}`)));
  });
}

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    server.child.once("exit", () => resolve());
    server.child.disconnect();
  });
}

function cpuMicros(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.child.once("message", (m: { cpuMicros: number }) => resolve(m.cpuMicros));
    server.child.send("cpu");
  });
}

async function load(server: Server, body: string, seconds: number, overallRate?: number): Promise<Run> {
  const cpuBefore = await cpuMicros(server);
  const result = await autocannon({
    url: server.url,
    method: "POST",
    headers: HEADERS,
    body,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
    ...(overallRate === undefined ? {} : { overallRate }),
  });
  const cpu = (await cpuMicros(server)) - cpuBefore;
  return {
    rps: result.requests.average,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    problems: result.errors + result.timeouts + result.non2xx,
    cpuMicrosPerRequest: cpu / Math.max(1, result.requests.total),
  };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** Runs the benchmark and prints its figures. */
export async function benchHttpDecide(root: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-bench-"));
  const servers: Server[] = [];
  try {
    const built = await buildBundle({ sources: await loadSourceSet([path.join(root, "rego")]), entrypoints: ["countersign/decision"] });
    if (!built.ok) throw new Error("rego/ does not compile");
    await writeBundleFile(path.join(dir, "countersign.tar.gz"), built.bundle);
    const body = JSON.stringify(allowRequest());

    const bare = await startServer("bare", dir);
    servers.push(bare);
    const service = await startServer("countersign", dir);
    servers.push(service);
    for (const s of servers) {
      const check = await fetch(s.url, { method: "POST", headers: HEADERS, body });
      const answer = (await check.json()) as { outcome?: string };
      if (check.status !== 200 || answer.outcome !== "allow") throw new Error(`${s.mode} answered ${check.status} ${JSON.stringify(answer)}, not an allow`);
      await load(s, body, WARMUP_S);
    }

    const full: Record<Mode, Run[]> = { bare: [], countersign: [] };
    for (let r = 0; r < ROUNDS; r++) for (const s of servers) full[s.mode].push(await load(s, body, MAX_S));
    const maxRps = (m: Mode) => median(full[m].map((x) => x.rps));
    const half: Record<Mode, Run> = {
      bare: await load(bare, body, HALF_S, Math.round(maxRps("bare") / 2)),
      countersign: await load(service, body, HALF_S, Math.round(maxRps("countersign") / 2)),
    };

    console.log(
      `HTTP /v1/decide, allow path (body ${Buffer.byteLength(body)} bytes, ${CONNECTIONS} connections, autocannon; ` +
        `full load: ${ROUNDS} alternating runs of ${MAX_S} s each, medians):`,
    );
    for (const m of ["bare", "countersign"] as const) {
      const name = m === "bare" ? "bare Express (parse + constant)" : "countersign /v1/decide";
      const cpu = median(full[m].map((x) => x.cpuMicrosPerRequest));
      console.log(
        `  ${name.padEnd(32)} ${fmt(maxRps(m), 0).padStart(6)} req/s max (runs: ${full[m].map((x) => fmt(x.rps, 0)).join(", ")}), ` +
          `${fmt(cpu, 0)} µs server CPU/request; at ${fmt(maxRps(m) / 2, 0)} req/s: p50 ${fmt(half[m].p50, 1)} ms, p99 ${fmt(half[m].p99, 1)} ms`,
      );
    }
    const cpuRatio = median(full.bare.map((x) => x.cpuMicrosPerRequest)) / median(full.countersign.map((x) => x.cpuMicrosPerRequest));
    console.log(`  ratio countersign / bare:          ${fmt(maxRps("countersign") / maxRps("bare"))}x throughput   (target >= 0.8x); ${fmt(cpuRatio)}x by CPU per request`);
    const problems = [...full.bare, ...full.countersign, half.bare, half.countersign].reduce((n, x) => n + x.problems, 0);
    if (problems > 0) console.log(`  warning: ${problems} errors, timeouts or non-2xx answers during the runs`);
  } finally {
    await Promise.all(servers.map(stopServer));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
