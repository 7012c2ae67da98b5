/**
 * Packed storage (`compress: true`) on a real redis-server: each append's entries are one stream entry, a
 * pack deflated together; every reader still sees one record per seq at id `N-0` from any cursor, forwards
 * and backwards (property test on one reused store); the trail and its export verify; editing, dropping,
 * reordering an entry inside a pack, corrupting a pack, deleting a pack or the last pack are each detected
 * at the seq; archival trims around a pack a sink is still inside; an append refuses to write past a stream
 * that holds entries beyond its head; a lone small entry is deflated on the event loop, anything else on the
 * thread pool, to the same bytes.
 */

import fc from "fast-check";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DirectoryArchiveStore } from "../../src/audit/archive-store";
import { verifyArchivedTrail } from "../../src/audit/archive-verify";
import { AuditTrail } from "../../src/audit/audit-trail";
import { INLINE_PACK_MAX_CHARS, decodePack, encodePack, encodePackWhereCheapest } from "../../src/audit/entry-codec";
import { exportTrail } from "../../src/audit/export";
import { RedisAuditStore } from "../../src/audit/redis-audit-store";
import { streamIdOf } from "../../src/audit/stream-id";
import { TrailArchiver } from "../../src/audit/trail-archiver";
import { verifyStoredTrail, verifyTrailLines } from "../../src/audit/verify";
import { useRedisServer } from "../support/redis-server";
import { newSigningKey, sampleDecision, steppingClock, TEST_SALT } from "./audit-fixtures";

const redis = useRedisServer({ flushBetweenTests: true });
const STREAM = "countersign:audit";

function packedTrail(conn: ReturnType<typeof redis.connect>) {
  const store = new RedisAuditStore(conn, undefined, { compress: true });
  const key = newSigningKey();
  const trail = new AuditTrail({ store, signingKey: key, clock: steppingClock(), maskSalt: TEST_SALT });
  return { store, key, trail };
}

/** Records decisions `from`..`from + n - 1`, `concurrency` in flight, so that appends carry batches. */
async function record(trail: AuditTrail, from: number, n: number, concurrency = 64): Promise<void> {
  let next = from;
  const end = from + n;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < end) await trail.record(sampleDecision(next++));
    }),
  );
}

/** The stream's entries as (id, first seq, field names, lines). */
async function packs(conn: ReturnType<typeof redis.connect>) {
  const rows = await conn.xrangeBuffer(STREAM, "-", "+");
  return rows.map(([id, fields]) => ({
    id: id.toString(),
    first: Number(id.toString().split("-")[0]),
    names: fields.filter((_, i) => i % 2 === 0).map(String),
    fields,
    lines: decodePack(fields[1]!),
  }));
}

/** Rewrites the stream with `edit` applied to the pack rows (the head is left as the trail wrote it). */
async function rewrite(
  conn: ReturnType<typeof redis.connect>,
  edit: (rows: Awaited<ReturnType<typeof packs>>) => Awaited<ReturnType<typeof packs>>,
): Promise<void> {
  const before = await packs(conn);
  await conn.del(STREAM);
  for (const row of edit(before)) await conn.xadd(STREAM, row.id, ...row.fields);
}

/** The pack row holding seq `seq`, with a changed list of lines. */
function withLines(rows: Awaited<ReturnType<typeof packs>>, seq: number, change: (lines: string[], at: number) => string[]) {
  return rows.map((row) => {
    const at = seq - row.first;
    if (at < 0 || at >= row.lines.length) return row;
    const fields = [...row.fields];
    fields[1] = encodePack(change([...row.lines], at));
    return { ...row, fields };
  });
}

it("stores one pack per append, and reads back one record per seq from any cursor, both ways", async () => {
  const conn = redis.connect();
  const { store, key, trail } = packedTrail(conn);
  await record(trail, 1, 400);
  await trail.close();
  const stored = await packs(conn);
  expect(stored.length).toBeLessThan(200); // appends carried batches
  expect(stored.some((p) => p.lines.length > 1)).toBe(true);
  expect(stored.every((p) => p.names[0] === "b")).toBe(true);
  expect(stored.reduce((n, p) => n + p.lines.length, 0)).toBe(400);
  for (const p of stored) expect(p.lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual(p.lines.map((_, i) => p.first + i));
  const seqs = (records: { id: string; idSeq: number | null; line: string }[]): number[] =>
    records.map((r) => {
      const seq = (JSON.parse(r.line) as { seq: number }).seq;
      expect(r.idSeq).toBe(seq);
      expect(r.id).toBe(streamIdOf(seq));
      return seq;
    });
  const range = (from: number, to: number, step = 1): number[] => {
    const out: number[] = [];
    for (let s = from; step > 0 ? s <= to : s >= to; s += step) out.push(s);
    return out;
  };
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 401 }), fc.integer({ min: 1, max: 60 }), async (cursor, count) => {
      const up = await store.readAscending(cursor === 0 ? null : streamIdOf(cursor), count);
      expect(seqs([...up])).toEqual(range(cursor + 1, Math.min(400, cursor + count)));
      const down = await store.readDescending(cursor === 401 ? null : streamIdOf(cursor), count);
      const from = Math.min(cursor - 1, 400);
      expect(seqs([...down])).toEqual(range(from, Math.max(1, from - count + 1), -1));
    }),
    { numRuns: 150 },
  );
  // Paging forwards by the last record's id reaches every entry exactly once.
  const all: number[] = [];
  for (let cursor: string | null = null; ;) {
    const page = await store.readAscending(cursor, 7);
    if (page.length === 0) break;
    all.push(...seqs([...page]));
    cursor = page.at(-1)!.id;
  }
  expect(all).toEqual(range(1, 400));
  expect(await verifyStoredTrail(store, { keys: [key.verification], pageSize: 13 })).toMatchObject({ ok: true, entries: 400 });
  const lines: string[] = [];
  await exportTrail(store, (l) => void lines.push(l), { clock: steppingClock(), publicKey: key.verification });
  expect(lines).toHaveLength(401);
  expect(await verifyTrailLines(lines, { keys: [key.verification] })).toMatchObject({ ok: true, entries: 400 });
});

describe("tampering inside a pack is found at the seq", () => {
  async function tampered(edit: Parameters<typeof rewrite>[1]) {
    const conn = redis.connect();
    const { store, key, trail } = packedTrail(conn);
    await record(trail, 1, 120, 16);
    await trail.close();
    const stored = await packs(conn);
    await rewrite(conn, edit);
    return { verdict: await verifyStoredTrail(store, { keys: [key.verification] }), stored };
  }
  /** The second entry of a pack of three or more that is neither the first nor the last pack. */
  let target = 0;
  const middleOf = (rows: Awaited<ReturnType<typeof packs>>): number => {
    const inner = rows.find((p) => p.first > 1 && p.lines.length >= 3 && p !== rows.at(-1));
    if (inner === undefined) throw new Error("no inner pack of three or more entries was formed");
    target = inner.first + 1;
    return target;
  };

  it("an edited entry", async () => {
    const { verdict } = await tampered((rows) =>
      withLines(rows, middleOf(rows), (lines, at) => {
        lines[at] = lines[at]!.replace('"allow"', '"deny"');
        return lines;
      }),
    );
    expect(verdict).toMatchObject({ ok: false, problem: { seq: target, kind: "modified" } });
  });

  it("an entry dropped from a pack", async () => {
    const { verdict } = await tampered((rows) => withLines(rows, middleOf(rows), (lines, at) => lines.filter((_, i) => i !== at)));
    expect(verdict).toMatchObject({
      ok: false,
      problem: { seq: target + 1, kind: "modified", message: `stored at stream id ${streamIdOf(target)} but says it is seq ${target + 1}` },
    });
  });

  it("two entries of a pack swapped", async () => {
    const { verdict } = await tampered((rows) =>
      withLines(rows, middleOf(rows), (lines, at) => {
        [lines[at], lines[at + 1]] = [lines[at + 1]!, lines[at]!];
        return lines;
      }),
    );
    expect(verdict).toMatchObject({
      ok: false,
      problem: { seq: target + 1, message: `stored at stream id ${streamIdOf(target)} but says it is seq ${target + 1}` },
    });
  });

  it("a pack whose bytes do not inflate", async () => {
    const { verdict } = await tampered((rows) => {
      const seq = middleOf(rows);
      return rows.map((row) =>
        seq - row.first >= 0 && seq - row.first < row.lines.length ? { ...row, fields: [row.fields[0]!, Buffer.from("not deflate")] } : row,
      );
    });
    expect(verdict).toMatchObject({
      ok: false,
      problem: { kind: "malformed", message: `stream id ${streamIdOf(target - 1)} is not JSON` },
    });
  });

  it("a deleted pack", async () => {
    const { verdict } = await tampered((rows) => {
      const seq = middleOf(rows);
      return rows.filter((row) => !(seq - row.first >= 0 && seq - row.first < row.lines.length));
    });
    expect(verdict).toMatchObject({ ok: false, problem: { seq: target - 1, kind: "missing" } });
  });

  it("the last pack deleted (the trail cut short)", async () => {
    const { verdict, stored } = await tampered((rows) => rows.slice(0, -1));
    const cut = stored.at(-1)!.first;
    expect(verdict).toMatchObject({
      ok: false,
      problem: { seq: cut, kind: "missing", message: expect.stringContaining(`entries ${cut}..120 deleted`) },
    });
  });
});

it("archival keeps a pack that a sink is still inside, and the archive and stream verify as one chain", async () => {
  const conn = redis.connect();
  const { store, key, trail } = packedTrail(conn);
  await record(trail, 1, 3_000);
  const stored = await packs(conn);
  // A sink has delivered up to the middle of some pack after seq 1,500.
  const inner = stored.find((p) => p.first > 1_500 && p.lines.length >= 3)!;
  const delivered = inner.first + 1;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-packed-"));
  try {
    const archiver = new TrailArchiver({
      redis: conn,
      store,
      archive: new DirectoryArchiveStore(dir),
      signingKey: key,
      clock: steppingClock(),
      segmentEntries: 1_000,
      maxSegmentsPerRun: 100,
      deliveredThrough: async () => delivered,
    });
    const segments = await archiver.runOnce();
    expect(segments.length).toBeGreaterThanOrEqual(2);
    const [firstRow] = await conn.xrange(STREAM, "-", "+", "COUNT", 1);
    expect(firstRow![0]).toBe(streamIdOf(inner.first)); // trimmed up to the pack, which stays whole
    const next = await store.readAscending(streamIdOf(delivered), 2);
    expect(next.map((r) => r.idSeq)).toEqual([delivered + 1, delivered + 2]);
    const whole = await verifyArchivedTrail(new DirectoryArchiveStore(dir), store, { keys: [key.verification] });
    expect(whole).toMatchObject({ ok: true, entries: 3_000 });
  } finally {
    await trail.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it("refuses to append a pack when the stream holds an entry past the head", async () => {
  const conn = redis.connect();
  const { trail } = packedTrail(conn);
  await record(trail, 1, 5, 1);
  await conn.xadd(STREAM, "9-0", "e", "{}");
  await expect(trail.record(sampleDecision(6))).rejects.toMatchObject({ code: "COUNTERSIGN_AUDIT_UNAVAILABLE" });
  expect(await conn.xlen(STREAM)).toBe(6);
});

it("deflates a lone small entry on the event loop and a batch or a large entry on the thread pool, to the same bytes", async () => {
  const small = [JSON.stringify(sampleDecision(1))];
  const large = ["x".repeat(INLINE_PACK_MAX_CHARS + 1)];
  const batch = [small[0] as string, JSON.stringify(sampleDecision(2))];
  const inline = encodePackWhereCheapest(small);
  expect(Buffer.isBuffer(inline)).toBe(true);
  expect(inline).toEqual(encodePack(small));
  for (const lines of [large, batch]) {
    const pooled = encodePackWhereCheapest(lines);
    expect(pooled).toBeInstanceOf(Promise);
    const bytes = await pooled;
    expect(bytes).toEqual(encodePack(lines));
    expect(decodePack(bytes)).toEqual(lines);
  }
});
