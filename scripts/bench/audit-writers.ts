/**
 * Benchmark: the ceiling of one audit chain. Fills a trail in an embedded redis-server through one, then
 * two, then four `AuditTrail` writers (each on its own Redis connection with its own instance token, as
 * service instances are), and prints entries per second, appends, lost races and the redis-server CPU
 * spent per entry and per append: the one serial point of the design is Redis running the append script,
 * so its CPU per entry is what bounds one chain. Figures only; nothing here asserts on time.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AuditTrail } from "../../src/audit/audit-trail";
import { RedisAuditStore } from "../../src/audit/redis-audit-store";
import { generateSigningKeyPem, loadSigningKey } from "../../src/audit/signing-key";
import { systemClock } from "../../src/policy/clock";
import { startEmbeddedRedis } from "../../src/redis/embedded-redis";
import { openRedis } from "../../src/redis/redis-connection";
import { benchDecisionEvent } from "./audit-export";
import { allowRequest } from "./http-decide";
import { fmt, processCpuMicros } from "./measure";

const ENTRIES = 40_000;
const CONCURRENCY_PER_WRITER = 32;

/** Runs the benchmark and prints its figures. */
export async function benchAuditWriters(entries: number = ENTRIES): Promise<void> {
  console.log(
    `audit trail, one chain, several writers (${entries} decision entries each run, ${CONCURRENCY_PER_WRITER} concurrent records per writer, a signature per append):`,
  );
  for (const writers of [1, 2, 4]) await benchOne(entries, writers);
}

async function benchOne(entries: number, writers: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-audit-writers-"));
  const redis = await startEmbeddedRedis({ dir: path.join(dir, "redis") });
  const conns = Array.from({ length: writers }, () => openRedis(redis.url));
  try {
    const key = loadSigningKey(generateSigningKeyPem());
    const trails = conns.map(
      (conn, w) =>
        new AuditTrail({
          store: new RedisAuditStore(conn, undefined, { compress: true }), // packs, as the service stores them by default
          signingKey: key,
          clock: systemClock,
          maskSalt: Buffer.alloc(32, 7),
          labels: { id: `writer-${w}` },
        }),
    );
    const request = allowRequest();
    let next = 0;
    const redisBefore = processCpuMicros(redis.pid);
    const start = process.hrtime.bigint();
    await Promise.all(
      trails.flatMap((trail) =>
        Array.from({ length: CONCURRENCY_PER_WRITER }, async () => {
          while (next < entries) {
            const i = next++;
            await trail.record(benchDecisionEvent(i, request));
          }
        }),
      ),
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const redisCpu = processCpuMicros(redis.pid) - redisBefore;
    for (const t of trails) await t.close();
    const stats = trails.map((t) => t.stats());
    const appends = stats.reduce((n, s) => n + s.appends, 0);
    const conflicts = stats.reduce((n, s) => n + s.conflicts, 0);
    console.log(
      `  ${writers} writer${writers === 1 ? " " : "s"}: ${fmt(entries / seconds, 0)} entries/s, ${appends} appends (${fmt(entries / appends, 1)} entries each), ` +
        `${conflicts} lost races; redis-server CPU ${fmt(redisCpu / entries, 1)} µs per entry, ${fmt(redisCpu / appends, 0)} µs per append`,
    );
  } finally {
    await Promise.all(conns.map((c) => c.quit().catch(() => c.disconnect())));
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchAuditWriters(Number(process.argv[2] ?? ENTRIES)).catch((err) => {
    console.error(err instanceof Error ? err.stack : String(err));
    process.exit(1);
  });
}
