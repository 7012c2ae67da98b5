/**
 * Archival on a real redis-server: the archiver seals the trail into signed, compressed segments in a
 * directory, verifies each after writing, and only then trims it from Redis, so Redis holds the hot window
 * only; the archive and the stream verify end to end as one chain from seq 1 (library and CLI); tampering
 * with the archive (an edited entry, a deleted segment, two segments swapped, a segment cut short, a
 * segment re-signed with another key) is found and named by segment and seq; 200,000 decisions in segments
 * of 10,000 leave at most the hot window in Redis.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { DirectoryArchiveStore } from "../../src/audit/archive-store";
import { verifyArchivedTrail } from "../../src/audit/archive-verify";
import { TrailArchiver } from "../../src/audit/trail-archiver";
import { runAuditCommand } from "../../src/cli/audit-command";
import type { CliIo } from "../../src/cli/cli-io";
import { useRedisServer } from "../support/redis-server";
import { makeTrail, newSigningKey, sampleDecision, steppingClock } from "./audit-fixtures";
import { approvalClient } from "../http/approval-client";
import { approvalTestService, AUTH, eventually, tempDir as httpTemp, writeBundle } from "../http/service-harness";

const redis = useRedisServer({ flushBetweenTests: true });
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-archive-"));
  dirs.push(d);
  return d;
}

/** Records `n` decisions, `concurrency` in flight (so appends carry batches, as in production). */
async function record(trail: ReturnType<typeof makeTrail>["trail"], from: number, n: number, concurrency = 256): Promise<void> {
  let next = from;
  const end = from + n;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < end) await trail.record(sampleDecision(next++));
    }),
  );
}

async function archivedWorld(entries: number, segmentEntries: number) {
  const key = newSigningKey();
  const conn = redis.connect();
  const { trail, store } = makeTrail(conn, { key });
  await record(trail, 1, entries);
  const dir = tempDir();
  const archiver = new TrailArchiver({
    redis: conn,
    store,
    archive: new DirectoryArchiveStore(dir),
    signingKey: key,
    clock: steppingClock(),
    segmentEntries,
    maxSegmentsPerRun: 1000,
  });
  const segments = await archiver.runOnce();
  return { key, conn, trail, store, dir, archiver, segments };
}

async function cli(args: string[], opts: Record<string, unknown>): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), readStdin: async () => "" };
  const code = await runAuditCommand("verify", args, opts, io, { env: {}, clock: steppingClock() });
  return { code, out, err };
}

it("seals segments, trims them from Redis, and the archive plus the stream verify as one chain", async () => {
  const w = await archivedWorld(5_500, 1_000);
  expect(w.segments.length).toBe(5);
  expect(w.segments[0]).toMatchObject({ name: expect.stringMatching(/^segment-000000000001-0000000010\d\d\.jsonl\.gz$/), fromSeq: 1 });
  for (let i = 1; i < w.segments.length; i++) expect(w.segments[i]!.fromSeq).toBe(w.segments[i - 1]!.toSeq + 1);
  const archivedTo = w.segments.at(-1)!.toSeq;
  expect(await w.conn.xlen("countersign:audit")).toBe(5_500 - archivedTo);
  expect(await w.store.archiveState()).toMatchObject({ seq: archivedTo, segments: 5 });

  const verdict = await verifyArchivedTrail(new DirectoryArchiveStore(w.dir), w.store, { keys: [w.key.verification] });
  expect(verdict).toMatchObject({ ok: true, entries: 5_500, segments: 5, start: "genesis" });

  // More decisions, another run: the new segment links to the last one; still one chain.
  await record(w.trail, 5_501, 1_200);
  expect((await w.archiver.runOnce()).map((s) => s.fromSeq)).toEqual([archivedTo + 1]);
  expect(await verifyArchivedTrail(new DirectoryArchiveStore(w.dir), w.store, { keys: [w.key.verification] })).toMatchObject({
    ok: true,
    entries: 6_700,
  });

  // The CLI: the trimmed stream alone is refused with a clear way forward; with --archive it verifies.
  const url = redis.url;
  const alone = cli([], { redis: url, key: [w.key.verification.x] });
  await expect(alone).rejects.toThrow(/archived in 6 segments and trimmed from Redis: pass --archive DIR/);
  const whole = await cli([], { redis: url, archive: w.dir, key: [w.key.verification.x] });
  expect(whole.out).toEqual([expect.stringMatching(/^ok: 6700 entries, head [0-9a-f]{64}$/)]);
  expect(whole.code).toBe(0);
  const archiveOnly = await cli([], { archive: w.dir, key: [w.key.verification.x] });
  expect(archiveOnly.code).toBe(0);
  expect(archiveOnly.out[0]).toMatch(/^ok: \d+ entries/);
  await w.trail.close();
});

describe("tampering with the archive is found, with the segment and seq", () => {
  let w: Awaited<ReturnType<typeof archivedWorld>>;
  beforeEach(async () => {
    w = await archivedWorld(4_300, 1_000);
    expect(w.segments.length).toBe(4);
  });
  afterEach(async () => {
    await w.trail.close();
  });

  const verify = async () => verifyArchivedTrail(new DirectoryArchiveStore(w.dir), w.store, { keys: [w.key.verification] });
  const segmentFile = (i: number) => path.join(w.dir, w.segments[i]!.name);
  const rewrite = (i: number, edit: (lines: string[]) => string[]) => {
    const lines = gunzipSync(fs.readFileSync(segmentFile(i)))
      .toString("utf8")
      .split("\n")
      .filter((l) => l !== "");
    fs.writeFileSync(segmentFile(i), gzipSync(Buffer.from(edit(lines).join("\n") + "\n")));
  };

  it("an edited entry", async () => {
    const seq = w.segments[1]!.fromSeq + 17;
    rewrite(1, (lines) => lines.map((l) => (l.includes(`"seq":${seq},`) ? l.replace('"outcome":"allow"', '"outcome":"deny"') : l)));
    const v = await verify();
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.problem).toMatchObject({ seq, kind: "modified" });
      expect(v.problem.message).toContain(w.segments[1]!.name);
    }
  });

  it("a deleted segment", async () => {
    fs.unlinkSync(segmentFile(2));
    const v = await verify();
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.problem).toMatchObject({ seq: w.segments[2]!.fromSeq, kind: "missing" });
      expect(v.problem.message).toContain(`seqs ${w.segments[2]!.fromSeq}..${w.segments[2]!.toSeq} are in no segment`);
    }
  });

  it("two segments swapped", async () => {
    const a = fs.readFileSync(segmentFile(1));
    fs.writeFileSync(segmentFile(1), fs.readFileSync(segmentFile(2)));
    fs.writeFileSync(segmentFile(2), a);
    const v = await verify();
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.problem.kind).toMatch(/reordered|missing/);
      expect(v.problem.message).toContain(w.segments[1]!.name);
    }
  });

  it("a segment cut short (its last entries removed, its head line kept)", async () => {
    rewrite(3, (lines) => [...lines.slice(0, lines.length - 11), lines[lines.length - 1]!]);
    const v = await verify();
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.problem.kind).toBe("missing");
      expect(v.problem.message).toContain(w.segments[3]!.name);
    }
  });

  it("a segment re-signed with another key after an edit", async () => {
    const other = newSigningKey();
    rewrite(0, (lines) => {
      const head = JSON.parse(lines[lines.length - 1]!) as { head: Record<string, unknown> };
      return [...lines.slice(0, -1), JSON.stringify({ head: { ...head.head, kid: other.verification.kid } })];
    });
    const v = await verify();
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.problem.kind).toMatch(/wrong_key|bad_signature/);
  });
});

it("200,000 decisions in segments of 10,000: Redis holds the hot window only, and the whole history verifies", async () => {
  const w = await archivedWorld(200_000, 10_000);
  const archivedTo = w.segments.at(-1)!.toSeq;
  expect(w.segments.length).toBe(19); // the 20th is not whole yet: a segment may run on to its append's end
  expect(archivedTo).toBeGreaterThanOrEqual(190_000);
  const hot = await w.conn.xlen("countersign:audit");
  expect(hot).toBe(200_000 - archivedTo);
  expect(hot).toBeLessThan(10_000 + 256);
  const verdict = await verifyArchivedTrail(new DirectoryArchiveStore(w.dir), w.store, { keys: [w.key.verification], pageSize: 5_000 });
  expect(verdict).toMatchObject({ ok: true, entries: 200_000, segments: 19 });
  await w.trail.close();
}, 240_000);

it("the service archives on its own with audit.archive configured", async () => {
  const bundles = httpTemp();
  await writeBundle(bundles, "example", { revision: "archive-1" });
  const dir = tempDir();
  const service = await approvalTestService({
    bundlesDir: bundles,
    redisUrl: redis.url,
    configure: (c) => ({ ...c, audit: { ...(c.audit ?? {}), archive: { dir, segment_entries: 100, interval_seconds: 1 } } }),
  });
  try {
    const api = approvalClient(service.app);
    const read = {
      actor: { id: "svc:reporting", type: "service" },
      action: { name: "db.read" },
      resource: { type: "database", id: "prod/orders", environment: "production" },
    };
    for (let i = 0; i < 260; i++) expect((await api.decide(AUTH.caller, read)).body.outcome).toBe("allow");
    const names = await eventually(() => {
      const list = fs.readdirSync(dir).filter((n) => n.endsWith(".jsonl.gz"));
      return list.length >= 2 ? list : undefined;
    }, "two segments archived by the service");
    expect(names[0]).toMatch(/^segment-000000000001-/);
    expect(service.log.lines().some((l) => l["message"] === "audit: segment archived and trimmed from Redis")).toBe(true);
  } finally {
    await service.close();
  }
}, 60_000);
