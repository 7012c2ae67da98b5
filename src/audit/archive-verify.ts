/**
 * Verifies a whole history: every sealed segment of the archive in seq order, then the hot stream in Redis,
 * as one chain from seq 1 — each segment's entries hash and link, its signed head checks out, its first entry
 * links to the previous segment's last, its name names the seqs it holds, and the stream carries on from the
 * last segment. A problem is reported with its seq and the segment holding it.
 *
 * Tampering found this way: an edited entry (`modified`), a segment deleted (`missing`, with the seqs), two
 * segments swapped or renamed (`reordered`), a segment cut short or a line dropped (`missing`), an entry
 * rewritten with its hash recomputed (`forged hash`), a segment re-signed with another key (`wrong key`).
 */

import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { segmentRangeOf, type AuditArchiveStore } from "./archive-store";
import type { AuditReader, StoredRecord } from "./audit-reader";
import type { SignedHead } from "./head-signature";
import { streamIdOf } from "./stream-id";
import { asHeadLine, type ExportedHead } from "./trail-head-line";
import { TrailVerifier, type TrailProblem, type VerifyOptions, type VerifyResult } from "./verify";

const gunzipAsync = promisify(gunzip);

/** The verdict, and the segments read. */
export type ArchiveVerifyResult = VerifyResult & { readonly segments: number };

/** Verifies the archive, then (when given) the hot stream after it. */
export async function verifyArchivedTrail(archive: AuditArchiveStore, reader: AuditReader | null, opts: VerifyOptions & { readonly pageSize?: number } = {}): Promise<ArchiveVerifyResult> {
  const verifier = new TrailVerifier({ ...opts, allowPartial: false });
  const names = await archive.list();
  const spans: { name: string; fromSeq: number; toSeq: number }[] = [];
  let next = 1;
  let lastHead: ExportedHead | null = null;
  const fail = (problem: TrailProblem): ArchiveVerifyResult => ({ ok: false, entries: 0, problem, segments: spans.length });
  const located = (result: VerifyResult): ArchiveVerifyResult => {
    if (result.ok) return { ...result, segments: spans.length };
    const seq = result.problem.seq;
    const span = seq === null ? undefined : spans.find((s) => s.fromSeq <= seq && seq <= s.toSeq);
    return { ...result, problem: { ...result.problem, message: `${span === undefined ? (seq !== null && seq >= next ? "in the hot stream" : "") : `in ${span.name}`}: ${result.problem.message}`.replace(/^: /, "") }, segments: spans.length };
  };

  for (const name of names) {
    const range = segmentRangeOf(name) as { fromSeq: number; toSeq: number };
    if (range.fromSeq > next) {
      return fail({ seq: next, kind: "missing", message: `seqs ${next}..${range.fromSeq - 1} are in no segment: ${name} comes next in ${archive.location} (a segment deleted?)` });
    }
    if (range.fromSeq < next) {
      return fail({ seq: range.fromSeq, kind: "reordered", message: `${name} overlaps the segment before it, which ends at seq ${next - 1}` });
    }
    let text: string;
    try {
      text = (await gunzipAsync((await archive.get(name)) ?? Buffer.alloc(0))).toString("utf8");
    } catch (err) {
      return fail({ seq: range.fromSeq, kind: "malformed", message: `${name} is not a readable gzip file (${(err as Error).message})` });
    }
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    const headLine = lines.length > 0 && (lines[lines.length - 1] as string).startsWith('{"head"') ? asHeadLine(safeParse(lines.pop() as string)) : null;
    if (headLine === null) return fail({ seq: range.toSeq, kind: "unsigned", message: `${name} has no signed head line at its end (cut short?)` });
    spans.push({ name, ...range });
    const firstSeq = seqOf(lines[0]);
    const lastSeq = seqOf(lines[lines.length - 1]);
    if (firstSeq !== range.fromSeq || lastSeq !== range.toSeq) {
      const kind = firstSeq !== null && lastSeq !== null && lastSeq - firstSeq === range.toSeq - range.fromSeq ? "reordered" : "missing";
      return fail({
        seq: firstSeq !== range.fromSeq ? range.fromSeq : range.toSeq,
        kind,
        message: `${name} holds seqs ${firstSeq ?? "?"}..${lastSeq ?? "?"}, but its name says ${range.fromSeq}..${range.toSeq} (${kind === "reordered" ? "segments swapped or renamed" : "entries removed"})`,
      });
    }
    lines.forEach((line, i) => {
      const last = i === lines.length - 1;
      verifier.entry({ text: line, where: `${name} line ${i + 1}`, ...(last && headLine.head.seq === lastSeq ? { checkpoint: headLine.head as SignedHead } : {}) });
    });
    if (headLine.head.seq !== lastSeq) {
      return located({ ok: false, entries: 0, problem: { seq: lastSeq, kind: "forged_hash", message: `its signed head is seq ${headLine.head.seq}, not its last entry` } });
    }
    lastHead = headLine.head;
    next = range.toSeq + 1;
  }

  if (reader === null) return located(verifier.finish(lastHead));

  const initial = await reader.readHead();
  let lastCheckpoint: SignedHead | null = null;
  let cursor: string | null = next > 1 ? streamIdOf(next - 1) : null;
  const pageSize = opts.pageSize ?? 1000;
  for (;;) {
    const page = await reader.readAscending(cursor, pageSize);
    if (page.length === 0) break;
    for (const rec of page) {
      verifier.entry({ text: rec.line, where: `stream id ${rec.id}`, idSeq: rec.idSeq, ...(rec.checkpoint === undefined ? {} : { checkpoint: rec.checkpoint }) });
      if (rec.checkpoint !== undefined) lastCheckpoint = rec.checkpoint;
    }
    cursor = (page[page.length - 1] as StoredRecord).id;
  }
  const head = lastCheckpoint !== null && lastCheckpoint.seq >= (initial?.seq ?? 0) ? lastCheckpoint : (initial ?? lastHead);
  return located(verifier.finish(head));
}

function seqOf(line: string | undefined): number | null {
  const v = line === undefined ? undefined : (safeParse(line) as { seq?: unknown } | undefined);
  return typeof v?.seq === "number" ? v.seq : null;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
