/**
 * Benchmark: how fast the stored audit trail is read back. Fills a trail in an embedded redis-server with
 * decision entries like the allow path's (the bench's ~1 KB request as the policy input) through the real
 * `AuditTrail` with checkpoints every 100 ms (`audit.checkpoint_interval_ms: 100`; the default signs every append), entries stored as text
 * (`audit.compress: false`) and then in packs (the default: one deflated pack per append), then times
 * `exportTrail` (Redis → JSON lines), `verifyTrailLines` over that export (what `audit verify FILE` runs)
 * and `verifyStoredTrail` (what `audit verify --redis` runs), in entries per second, and reports Redis
 * bytes per entry (`used_memory` delta and `MEMORY USAGE` of the stream). Figures only; nothing here
 * asserts on time.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { decisionEvent } from "../../src/audit/audit-event";
import { AuditTrail } from "../../src/audit/audit-trail";
import { exportTrail } from "../../src/audit/export";
import { RedisAuditStore } from "../../src/audit/redis-audit-store";
import { generateSigningKeyPem, loadSigningKey } from "../../src/audit/signing-key";
import { verifyStoredTrail, verifyTrailLines } from "../../src/audit/verify";
import { systemClock } from "../../src/policy/clock";
import { startEmbeddedRedis } from "../../src/redis/embedded-redis";
import { openRedis } from "../../src/redis/redis-connection";
import { allowRequest } from "./http-decide";
import { fmt, usedMemory } from "./measure";

const ENTRIES = 100_000;
const CONCURRENCY = 64;

/** The audit draft of the i-th benchmark decision: an allow of the bench's ~1 KB request, as the service records it. */
export function benchDecisionEvent(i: number, request: Record<string, unknown>): ReturnType<typeof decisionEvent> {
  return decisionEvent({
    decisionId: `01a2491b-0b80-7245-a0bf-${String(i).padStart(12, "0")}`,
    caller: "svc:ci",
    input: { ...request, caller: { id: "svc:ci", kind: "service", roles: [] }, now: new Date().toISOString() },
    outcome: "allow",
    reasons: ["routine read"],
    result: {
      decision_id: `d-${i}`,
      outcome: "allow",
      reasons: ["routine read"],
      mask: [],
      policy: { bundle: "countersign", revision: "a5".repeat(32) },
    },
    policy: { bundle: "countersign", revision: "a5".repeat(32) },
    evalNs: 35_000 + (i % 1000),
  });
}

/** Runs the benchmark and prints its figures. */
export async function benchAuditExport(entries: number = ENTRIES): Promise<void> {
  for (const compress of [false, true]) await benchOne(entries, compress);
}

async function benchOne(entries: number, compress: boolean): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-audit-bench-"));
  const redis = await startEmbeddedRedis({ dir: path.join(dir, "redis") });
  const conn = openRedis(redis.url);
  try {
    const key = loadSigningKey(generateSigningKeyPem());
    const store = new RedisAuditStore(conn, "countersign:audit", { compress });
    const trail = new AuditTrail({
      store,
      signingKey: key,
      clock: systemClock,
      maskSalt: Buffer.alloc(32, 7),
      checkpointIntervalMs: 100,
      labels: { id: "bench" },
    });
    const request = allowRequest();
    const before = await usedMemory(conn);
    const fillStart = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < entries) {
          const i = next++;
          await trail.record(benchDecisionEvent(i, request));
        }
      }),
    );
    await trail.close();
    const fillS = Number(process.hrtime.bigint() - fillStart) / 1e9;
    const bytes = (await usedMemory(conn)) - before;
    const streamBytes = Number(await conn.call("MEMORY", "USAGE", store.keys.stream, "SAMPLES", "0"));

    const lines: string[] = [];
    let t = process.hrtime.bigint();
    const summary = await exportTrail(store, (line) => void lines.push(line), { clock: systemClock, publicKey: key.verification });
    const exportS = Number(process.hrtime.bigint() - t) / 1e9;
    t = process.hrtime.bigint();
    const fromFile = await verifyTrailLines(lines, { keys: [key.verification] });
    const verifyFileS = Number(process.hrtime.bigint() - t) / 1e9;
    t = process.hrtime.bigint();
    const fromRedis = await verifyStoredTrail(store, { keys: [key.verification] });
    const verifyRedisS = Number(process.hrtime.bigint() - t) / 1e9;
    const textBytes = lines.slice(0, -1).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);

    console.log(
      `audit trail read-back (${entries} decision entries of ~${fmt(textBytes / entries, 0)} bytes of JSON each, ` +
        `${compress ? "packed and deflated in Redis (audit.compress: true, the default)" : "as text in Redis (audit.compress: false)"}, checkpoints every 100 ms):`,
    );
    console.log(
      `  fill through AuditTrail.record (${CONCURRENCY} concurrent): ${fmt(entries / fillS, 0)} entries/s, ${trail.stats().signatures} signatures`,
    );
    console.log(
      `  Redis bytes per entry: ${fmt(bytes / entries, 0)} (used_memory delta), ${fmt(streamBytes / entries, 0)} (MEMORY USAGE of the stream)`,
    );
    console.log(
      `  export (Redis -> JSON lines):   ${fmt(summary.entries / exportS, 0)} entries/s (${summary.entries} entries in ${fmt(exportS, 1)} s)`,
    );
    console.log(
      `  verify the export (audit verify FILE):   ${fmt(entries / verifyFileS, 0)} entries/s, ${fromFile.ok ? "ok" : "FAILED: " + JSON.stringify(fromFile)}`,
    );
    console.log(
      `  verify in Redis (audit verify --redis):  ${fmt(entries / verifyRedisS, 0)} entries/s, ${fromRedis.ok ? "ok" : "FAILED: " + JSON.stringify(fromRedis)}`,
    );
  } finally {
    await conn.quit().catch(() => conn.disconnect());
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchAuditExport(Number(process.argv[2] ?? ENTRIES)).catch((err) => {
    console.error(err instanceof Error ? err.stack : String(err));
    process.exit(1);
  });
}
