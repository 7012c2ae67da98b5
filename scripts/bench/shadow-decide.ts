/**
 * Benchmark: the allow path of `POST /v1/decide` with shadow mode on (`bundles.shadow`, every decision
 * evaluated again on a candidate bundle after its answer) against the same path with it off; target ≥ 0.85×
 * throughput. The candidate is the example policy again under another revision, so every comparison agrees
 * and no disagreement is written to the trail: what is measured is the second evaluation and the queue.
 *
 * Each service runs in a child process of its own (scripts/bench/http-server.ts) on a Redis of its own
 * (embedded redis-server, AOF on), driven by autocannon from this process; full-load runs alternate between
 * the two and medians are compared, along with the median of each round's own on/off ratio (the two runs of a
 * round are seconds apart, so a shared machine's changing load moves both alike); server CPU per request is
 * printed beside throughput. `node dist/scripts/bench/shadow-decide.js` runs this benchmark alone. The shadow
 * service's own summary (`GET /v1/shadow`) is read at the end, so decisions dropped from a full queue (which
 * would flatter the figure) are printed, not hidden. Figures only; nothing here asserts on time.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildBundle } from "../../src/bundle/bundle-build";
import { writeBundleFile } from "../../src/bundle/bundle-writer";
import { loadSourceSet } from "../../src/bundle/source-set";
import { startEmbeddedRedis, type EmbeddedRedis } from "../../src/redis/embedded-redis";
import { allowRequest, HEADERS, load, median, startServer, stopServer, type Run, type Server } from "./http-decide";
import { fmt } from "./measure";

const WARMUP_S = 2;
const ROUNDS = 5;
const MAX_S = 4;

/** Runs the benchmark and prints its figures. */
export async function benchShadowDecide(root: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-bench-shadow-"));
  const servers: Server[] = [];
  const redises: EmbeddedRedis[] = [];
  try {
    const sources = await loadSourceSet([path.join(root, "rego")]);
    for (const [name, revision] of [
      ["countersign", "live"],
      ["candidate", "candidate"],
    ] as const) {
      const built = await buildBundle({ sources, entrypoints: ["countersign/decision"], revision });
      if (!built.ok) throw new Error("rego/ does not compile");
      await writeBundleFile(path.join(dir, `${name}.tar.gz`), built.bundle);
    }
    const body = JSON.stringify(allowRequest());
    for (const r of ["off", "on"]) redises.push(await startEmbeddedRedis({ dir: path.join(dir, `redis-${r}`) }));
    const off = await startServer("countersign", dir, redises[0]!.url);
    servers.push(off);
    const on = await startServer("countersign-shadow", dir, redises[1]!.url);
    servers.push(on);
    for (const s of servers) {
      const check = await fetch(s.url, { method: "POST", headers: HEADERS, body });
      const answer = (await check.json()) as { outcome?: string };
      if (check.status !== 200 || answer.outcome !== "allow")
        throw new Error(`${s.mode} answered ${check.status} ${JSON.stringify(answer)}, not an allow`);
      await load(s, body, WARMUP_S);
    }
    const runs: Record<"off" | "on", Run[]> = { off: [], on: [] };
    for (let r = 0; r < ROUNDS; r++) {
      runs.off.push(await load(off, body, MAX_S));
      runs.on.push(await load(on, body, MAX_S));
    }
    const summaryUrl = on.url.replace("/v1/decide", "/v1/shadow");
    const summary = (await (await fetch(summaryUrl, { headers: { authorization: "Bearer dev-erin-key" } })).json()) as {
      compared: number;
      agreements: number;
      disagreements: number;
      dropped: number;
      skipped: Record<string, number>;
    };
    const rps = (k: "off" | "on") => median(runs[k].map((x) => x.rps));
    const cpu = (k: "off" | "on") => median(runs[k].map((x) => x.cpuMicrosPerRequest));
    console.log(
      `Shadow mode on the allow path (/v1/decide, candidate = the example policy under another revision; ${ROUNDS} alternating runs of ${MAX_S} s, medians):`,
    );
    for (const k of ["off", "on"] as const) {
      console.log(
        `  shadow ${k.padEnd(3)} ${fmt(rps(k), 0).padStart(6)} req/s max (runs: ${runs[k].map((x) => fmt(x.rps, 0)).join(", ")}), ${fmt(cpu(k), 0)} µs server CPU/request, p99 ${fmt(median(runs[k].map((x) => x.p99)), 1)} ms`,
      );
    }
    console.log(
      `  ratio shadow on / off:            ${fmt(rps("on") / rps("off"))}x throughput   (target >= 0.85x); ${fmt(cpu("off") / cpu("on"))}x by server CPU per request`,
    );
    const paired = (f: (on: Run, off: Run) => number) => median(runs.on.map((on, r) => f(on, runs.off[r]!)));
    console.log(
      `  median of the rounds' own ratios: ${fmt(paired((on, off) => on.rps / off.rps))}x throughput, ${fmt(paired((on, off) => off.cpuMicrosPerRequest / on.cpuMicrosPerRequest))}x by server CPU per request`,
    );
    const skipped = Object.values(summary.skipped).reduce((a, b) => a + b, 0);
    console.log(
      `  the shadow service compared ${summary.compared} decisions (${summary.agreements} agreements, ${summary.disagreements} disagreements), ` +
        `dropped ${summary.dropped} from a full queue, skipped ${skipped}`,
    );
    const problems = [...runs.off, ...runs.on].reduce((n, x) => n + x.problems, 0);
    if (problems > 0) console.log(`  warning: ${problems} errors, timeouts or non-2xx answers during the runs`);
  } finally {
    await Promise.all(servers.map(stopServer));
    for (const r of redises) await r.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchShadowDecide(path.resolve(__dirname, "..", "..", "..")).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
