/**
 * Continuity across the archive and the hot stream, on a real redis-server and a directory archive:
 * `audit export --from/--to --archive` gives one continuous export across sealed segments and the stream,
 * whose signed range `audit verify` accepts; a range reaching into the archive without `--archive` is refused
 * with the way forward; `GET /v1/audit`'s query says which seqs are archived and not searched; a segment is
 * sealed by age when too few entries wait; retention deletes old segments behind a signed marker, the history
 * then verifies from the stated base, and deleting or forging around it is caught.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DirectoryArchiveStore } from "../../src/audit/archive-store";
import { formatArchiveVerifyResult, verifyArchivedTrail } from "../../src/audit/archive-verify";
import { queryAudit } from "../../src/audit/audit-query";
import { generateSigningKeyPem, loadSigningKey } from "../../src/audit/signing-key";
import { TrailArchiver } from "../../src/audit/trail-archiver";
import { verifyTrailLines } from "../../src/audit/verify";
import { runAuditCommand, type AuditCommandOptions } from "../../src/cli/audit-command";
import type { CliIo } from "../../src/cli/cli-io";
import { useRedisServer } from "../support/redis-server";
import { makeTrail, sampleDecision, steppingClock } from "./audit-fixtures";

const redis = useRedisServer({ flushBetweenTests: true });
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-continuity-"));
  dirs.push(d);
  return d;
}

const DAY_NS = 86_400_000_000_000n;
const T0 = 1_790_000_000_000_000_000n;

async function record(trail: ReturnType<typeof makeTrail>["trail"], from: number, n: number, concurrency = 64): Promise<void> {
  let next = from;
  const end = from + n;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < end) await trail.record(sampleDecision(next++));
    }),
  );
}

/** A trail of `entries` decisions (the clock given stamps them), a key file, and an archiver into a directory. */
async function world(
  entries: number,
  segmentEntries: number,
  opts: {
    clock?: ReturnType<typeof steppingClock>;
    archiverClock?: ReturnType<typeof steppingClock>;
    retentionMs?: number;
    segmentMaxAgeMs?: number;
  } = {},
) {
  const pem = generateSigningKeyPem();
  const key = loadSigningKey(pem);
  const keyFile = path.join(tempDir(), "audit-key.pem");
  fs.writeFileSync(keyFile, pem);
  const conn = redis.connect();
  const clock = opts.clock ?? steppingClock();
  const { trail, store } = makeTrail(conn, { key, clock });
  if (entries > 0) await record(trail, 1, entries);
  const dir = tempDir();
  const archive = new DirectoryArchiveStore(dir);
  const archiver = new TrailArchiver({
    redis: conn,
    store,
    archive,
    signingKey: key,
    clock: opts.archiverClock ?? steppingClock(),
    segmentEntries,
    maxSegmentsPerRun: 100,
    ...(opts.retentionMs === undefined ? {} : { retentionMs: opts.retentionMs }),
    ...(opts.segmentMaxAgeMs === undefined ? {} : { segmentMaxAgeMs: opts.segmentMaxAgeMs }),
  });
  return { key, keyFile, conn, clock, trail, store, dir, archive, archiver };
}

async function cli(sub: string, opts: AuditCommandOptions): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), readStdin: async () => "" };
  const code = await runAuditCommand(sub, [], opts, io, { env: {}, clock: steppingClock() });
  return { code, out, err };
}

describe("audit export across the archive and the stream", () => {
  it("a range spanning sealed segments and the stream is one continuous export with a signed range that verifies", async () => {
    const w = await world(3_300, 1_000);
    const segments = await w.archiver.runOnce();
    expect(segments).toHaveLength(3);
    const archivedTo = segments.at(-1)!.toSeq;

    const to = archivedTo + 100; // in the hot stream
    const exported = await cli("export", { redis: redis.url, archive: w.dir, from: "500", to: String(to), signingKey: w.keyFile });
    expect(exported.code).toBe(0);
    const seqs = exported.out.slice(0, -1).map((l) => (JSON.parse(l) as { seq: number }).seq);
    expect(seqs[0]).toBe(500);
    seqs.forEach((s, i) => expect(s).toBe(500 + i)); // continuous across segment boundaries and into the stream
    expect(seqs.at(-1)).toBeGreaterThanOrEqual(to);
    const verdict = await verifyTrailLines(exported.out, { keys: [w.key.verification] });
    expect(verdict).toMatchObject({ ok: true, partial: true, start: "signed_range", firstSeq: 500 });

    // A range ending inside a segment runs on to that segment's end, where its signed head is.
    const inside = await cli("export", { redis: redis.url, archive: w.dir, from: "1200", to: "1300", signingKey: w.keyFile });
    const insideSeqs = inside.out.slice(0, -1).map((l) => (JSON.parse(l) as { seq: number }).seq);
    expect(insideSeqs[0]).toBe(1200);
    expect(insideSeqs.at(-1)).toBe(segments[1]!.toSeq);
    expect(await verifyTrailLines(inside.out, { keys: [w.key.verification] })).toMatchObject({ ok: true, start: "signed_range" });

    // The whole history, and the archive alone.
    const all = await cli("export", { redis: redis.url, archive: w.dir, signingKey: w.keyFile });
    expect(await verifyTrailLines(all.out, { keys: [w.key.verification] })).toMatchObject({ ok: true, entries: 3_300, start: "genesis" });
    const archiveOnly = await cli("export", { archive: w.dir, from: "10", signingKey: w.keyFile });
    expect(await verifyTrailLines(archiveOnly.out, { keys: [w.key.verification] })).toMatchObject({
      ok: true,
      entries: archivedTo - 9,
      head: { seq: archivedTo },
    });
    await w.trail.close();
  });

  it("a time range reaching into the archive", async () => {
    const w = await world(2_500, 1_000);
    await w.archiver.runOnce();
    const line700 = (await cli("export", { redis: redis.url, archive: w.dir, from: "700", to: "700", signingKey: w.keyFile })).out[0]!;
    const ts = (JSON.parse(line700) as { timestamp: string }).timestamp;
    const byTime = await cli("export", { redis: redis.url, archive: w.dir, from: ts, signingKey: w.keyFile });
    expect((JSON.parse(byTime.out[0]!) as { seq: number }).seq).toBe(700);
    expect(await verifyTrailLines(byTime.out, { keys: [w.key.verification] })).toMatchObject({
      ok: true,
      firstSeq: 700,
      head: { seq: 2_500 },
    });
    // Without --archive the same range is refused, with the way forward; a range in the hot window is not.
    await expect(cli("export", { redis: redis.url, from: ts, signingKey: w.keyFile })).rejects.toThrow(
      /archived in \d+ segments .* pass --archive DIR/,
    );
    await expect(cli("export", { redis: redis.url, from: "5", signingKey: w.keyFile })).rejects.toThrow(/pass --archive/);
    const hot = await cli("export", { redis: redis.url, from: "2400", signingKey: w.keyFile });
    expect(await verifyTrailLines(hot.out, { keys: [w.key.verification] })).toMatchObject({ ok: true, firstSeq: 2_400 });
    await w.trail.close();
  });
});

it("the audit query says which seqs are archived and were not searched, and how to export them", async () => {
  const w = await world(1_300, 1_000);
  const [seg] = await w.archiver.runOnce();
  const newest = await queryAudit(w.store, {}, { limit: 500 });
  expect(newest.next_cursor).toBeNull();
  expect(newest.archived).toMatchObject({
    through_seq: seg!.toSeq,
    segments: 1,
    message: expect.stringContaining("countersign audit export --archive"),
  });
  const firstPage = await queryAudit(w.store, {}, { limit: 10 });
  expect(firstPage.archived).toBeUndefined(); // the scan has not reached the oldest entry Redis holds
  const oldest = await queryAudit(w.store, {}, { limit: 10, order: "oldest" });
  expect(oldest.entries[0]!.seq).toBe(seg!.toSeq + 1);
  expect(oldest.archived?.through_seq).toBe(seg!.toSeq);
  const later = await queryAudit(w.store, {}, { limit: 10, order: "oldest", cursor: oldest.next_cursor! });
  expect(later.archived).toBeUndefined();
  await w.trail.close();
});

it("seals a short segment once its oldest entry is segment_max_age old", async () => {
  const archiverClock = steppingClock(T0 + 10_000_000_000n);
  const w = await world(150, 1_000, { clock: steppingClock(T0), archiverClock, segmentMaxAgeMs: 60_000 });
  expect(await w.archiver.runOnce()).toEqual([]); // 150 entries, ten seconds old: not due
  archiverClock.set(T0 + 120_000_000_000n);
  const [seg] = await w.archiver.runOnce();
  expect(seg).toMatchObject({ fromSeq: 1, toSeq: 150 });
  expect(await w.conn.xlen("countersign:audit")).toBe(0);
  await record(w.trail, 151, 20);
  expect(await verifyArchivedTrail(w.archive, w.store, { keys: [w.key.verification] })).toMatchObject({ ok: true, entries: 170 });
  await w.trail.close();
});

describe("retention", () => {
  /** Segments 1 and 2 stamped on day 0, the rest on day 10; the archiver runs on day 10 keeping 5 days. */
  async function retained() {
    const clock = steppingClock(T0);
    const archiverClock = steppingClock(T0 + 10n * DAY_NS + 3_600_000_000_000n);
    const w = await world(0, 1_000, { clock, archiverClock, retentionMs: 5 * 86_400_000 });
    await record(w.trail, 1, 2_200);
    clock.set(T0 + 10n * DAY_NS);
    await record(w.trail, 2_201, 1_100);
    const deleted: string[] = [];
    const archiver = new TrailArchiver({
      redis: w.conn,
      store: w.store,
      archive: w.archive,
      signingKey: w.key,
      clock: archiverClock,
      segmentEntries: 1_000,
      maxSegmentsPerRun: 100,
      retentionMs: 5 * 86_400_000,
      onRetention: (d) => deleted.push(d.name),
    });
    const segments = await archiver.runOnce();
    return { ...w, segments, deleted };
  }

  it("deletes segments past retention behind a signed marker; the history verifies from the stated base", async () => {
    const w = await retained();
    expect(w.segments).toHaveLength(3);
    expect(w.deleted).toEqual([w.segments[0]!.name, w.segments[1]!.name]);
    const base = w.segments[2]!.fromSeq;
    expect(
      fs
        .readdirSync(w.dir)
        .filter((n) => !n.startsWith("."))
        .sort(),
    ).toEqual([`retention-${String(base).padStart(12, "0")}.json`, w.segments[2]!.name]);

    const verdict = await verifyArchivedTrail(w.archive, w.store, { keys: [w.key.verification] });
    expect(verdict).toMatchObject({ ok: true, entries: 3_300 - base + 1, base: { seq: base, retentionDays: 5 } });
    expect(formatArchiveVerifyResult(verdict)).toMatch(
      new RegExp(
        `^ok: \\d+ entries, head [0-9a-f]{64} \\(from seq ${base}: seqs 1\\.\\.${base - 1} were deleted by retention \\(5 days\\) at .*signed marker retention-0+${base}\\.json states\\)$`,
      ),
    );
    const viaCli = await cli("verify", { redis: redis.url, archive: w.dir, key: [w.key.verification.x] });
    expect(viaCli.code).toBe(0);
    expect(viaCli.out[0]).toContain(`deleted by retention`);

    // The export from seq 1 starts at the base, its start signed.
    const exported = await cli("export", { redis: redis.url, archive: w.dir, signingKey: w.keyFile });
    expect(await verifyTrailLines(exported.out, { keys: [w.key.verification] })).toMatchObject({
      ok: true,
      firstSeq: base,
      start: "signed_range",
    });
    await w.trail.close();
  });

  it("deleting the oldest kept segment as well is caught", async () => {
    const w = await retained();
    fs.unlinkSync(path.join(w.dir, w.segments[2]!.name));
    const v = await verifyArchivedTrail(w.archive, w.store, { keys: [w.key.verification] });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.problem).toMatchObject({ seq: w.segments[2]!.fromSeq, kind: "missing" });
    await w.trail.close();
  });

  it("a marker forged to hide more deletions (or edited) is caught", async () => {
    const w = await retained();
    const base = w.segments[2]!.fromSeq;
    const markerFile = path.join(w.dir, `retention-${String(base).padStart(12, "0")}.json`);
    const marker = JSON.parse(fs.readFileSync(markerFile, "utf8")) as Record<string, unknown>;
    fs.writeFileSync(markerFile, JSON.stringify({ ...marker, retention_days: 1 }));
    const v = await verifyArchivedTrail(w.archive, w.store, { keys: [w.key.verification] });
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.problem.kind).toBe("bad_signature");
      expect(v.problem.message).toContain("retention marker");
    }
    await w.trail.close();
  });

  it("without retention configured, deleting the oldest segments is `missing`", async () => {
    const w = await world(2_100, 1_000);
    const segments = await w.archiver.runOnce();
    fs.unlinkSync(path.join(w.dir, segments[0]!.name));
    const v = await verifyArchivedTrail(w.archive, w.store, { keys: [w.key.verification] });
    expect(v).toMatchObject({ ok: false, problem: { seq: 1, kind: "missing" } });
    await w.trail.close();
  });
});
