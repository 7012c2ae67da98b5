/**
 * Micro-benchmark of the audit trail (prints figures, asserts nothing): appends per second from one
 * instance with 64 concurrent record() calls against a local redis-server (AOF on, as `make run` starts
 * it), with and without grouping; and a stand-in for the allow path (a fixed slice of CPU per request, then
 * record()) with the trail against a no-op recorder (`scripts/bench/noop-audit-recorder.ts`), in the same
 * run. The stand-in's CPU slice is a guess at what Express, validation, authentication and the policy spend
 * per request; `make bench` measures the real path once the trail is wired in.
 *
 * Run: `npx tsc -p tsconfig.json && node dist/test/audit/audit-append-bench.js` (or call benchAuditAppend
 * from `make bench`).
 */

import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { AuditDraft } from "../../src/audit/audit-event";
import { AuditTrail, type AuditRecorder } from "../../src/audit/audit-trail";
import { prepareEvent } from "../../src/audit/chain";
import { RedisAuditStore } from "../../src/audit/redis-audit-store";
import { generateSigningKeyPem, loadSigningKey } from "../../src/audit/signing-key";
import { systemClock } from "../../src/policy/clock";
import { createNoopAuditRecorder } from "../../scripts/bench/noop-audit-recorder";
import { startEmbeddedRedis } from "../../src/redis/embedded-redis";
import { openRedis } from "../../src/redis/redis-connection";
import { sampleDecision, TEST_SALT } from "./audit-fixtures";

/** One measured configuration. */
export interface BenchLine {
  readonly name: string;
  readonly perSecond: number;
  readonly p99Ms: number;
  readonly note: string;
}

const CONCURRENCY = 64;

/** Runs `CONCURRENCY` loops of `step` for `ms` milliseconds; returns completed steps per second and p99 latency. */
async function drive(ms: number, step: (i: number) => Promise<unknown>): Promise<{ perSecond: number; p99Ms: number }> {
  const latencies: number[] = [];
  let done = 0;
  let next = 0;
  const end = Date.now() + ms;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        const t = process.hrtime.bigint();
        await step(next++);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        done++;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  return { perSecond: done / seconds, p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0 };
}

/** Busy-waits `us` microseconds: the CPU an allow-path request spends outside the audit trail. */
function spin(us: number): void {
  const until = process.hrtime.bigint() + BigInt(Math.round(us * 1000));
  while (process.hrtime.bigint() < until) {
    // burn
  }
}

/** Measures and returns the figures; prints them when `print` is set. */
export async function benchAuditAppend(
  opts: { seconds?: number; requestCpuUs?: readonly number[]; print?: boolean } = {},
): Promise<BenchLine[]> {
  const ms = (opts.seconds ?? 2) * 1000;
  const requestCpuUs = opts.requestCpuUs ?? [150, 300];
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "countersign-audit-bench-"));
  const server = await startEmbeddedRedis({ dir, appendOnly: true });
  const redis = openRedis(server.url);
  const lines: BenchLine[] = [];
  const log = (l: BenchLine): void => {
    lines.push(l);
    if (opts.print) console.log(`${l.name.padEnd(44)} ${l.perSecond.toFixed(0).padStart(8)}/s  p99 ${l.p99Ms.toFixed(2)} ms  ${l.note}`);
  };
  try {
    const key = loadSigningKey(generateSigningKeyPem());
    const drafts: AuditDraft[] = Array.from({ length: 1000 }, (_, i) => sampleDecision(i));
    const draft = (i: number): AuditDraft => drafts[i % drafts.length] as AuditDraft;
    const makeTrail = (stream: string, maxBatch: number): AuditTrail =>
      new AuditTrail({ store: new RedisAuditStore(redis, stream), signingKey: key, clock: systemClock, maskSalt: TEST_SALT, maxBatch });

    // CPU per record before any I/O: mask, stamp, canonicalise.
    const probe = makeTrail("bench:probe", 1);
    const n = 20_000;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) prepareEvent(probe.stamp(draft(i)));
    const prepareUs = Number(process.hrtime.bigint() - t0) / n / 1000;
    if (opts.print) console.log(`audit: mask + stamp + canonicalise one decision event: ${prepareUs.toFixed(1)} µs`);

    for (const [name, maxBatch] of [
      ["appends, 64 concurrent, grouped (max 256)", 256],
      ["appends, 64 concurrent, one per script call", 1],
    ] as const) {
      const trail = makeTrail(`bench:${maxBatch}`, maxBatch);
      await drive(300, (i) => trail.record(draft(i))); // warm-up
      const before = trail.stats();
      const r = await drive(ms, (i) => trail.record(draft(i)));
      const s = trail.stats();
      const appends = s.appends - before.appends;
      log({ name: `audit: ${name}`, ...r, note: `mean batch ${((s.recorded - before.recorded) / Math.max(1, appends)).toFixed(1)}` });
    }

    {
      // Two instances (two connections) on one chain: how often an append loses the race.
      const second = openRedis(server.url);
      try {
        const a = makeTrail("bench:two", 256);
        const b = new AuditTrail({
          store: new RedisAuditStore(second, "bench:two"),
          signingKey: key,
          clock: systemClock,
          maskSalt: TEST_SALT,
        });
        const [ra, rb] = await Promise.all([drive(ms, (i) => a.record(draft(i))), drive(ms, (i) => b.record(draft(i)))]);
        const sa = a.stats();
        const sb = b.stats();
        const appends = sa.appends + sb.appends;
        log({
          name: "audit: two instances, 64 concurrent each",
          perSecond: ra.perSecond + rb.perSecond,
          p99Ms: Math.max(ra.p99Ms, rb.p99Ms),
          note: `${appends} appends, ${sa.conflicts + sb.conflicts} lost races, ${sa.turnWaits + sb.turnWaits} turn waits, ${sa.failed + sb.failed} failed`,
        });
      } finally {
        await second.quit().catch(() => second.disconnect());
      }
    }

    const noop: AuditRecorder = createNoopAuditRecorder();
    const trail = makeTrail("bench:allow", 256);
    for (const cpuUs of requestCpuUs) {
      const allowPath = (recorder: AuditRecorder) => async (i: number) => {
        spin(cpuUs);
        await recorder.record(draft(i));
      };
      await drive(300, allowPath(noop));
      await drive(300, allowPath(trail));
      const base = await drive(ms, allowPath(noop));
      log({ name: `allow-path stand-in (${cpuUs} µs CPU), no-op recorder`, ...base, note: "benchmark-only switch" });
      const audited = await drive(ms, allowPath(trail));
      log({
        name: `allow-path stand-in (${cpuUs} µs CPU), audit trail`,
        ...audited,
        note: `ratio ${(audited.perSecond / base.perSecond).toFixed(2)} (target >= 0.7)`,
      });
    }
  } finally {
    await redis.quit().catch(() => redis.disconnect());
    await server.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
  return lines;
}

if (require.main === module) {
  benchAuditAppend({ print: true, seconds: Number(process.env["BENCH_SECONDS"] ?? 2) }).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
