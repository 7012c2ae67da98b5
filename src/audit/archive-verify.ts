/**
 * Verifies a whole history: every sealed segment of the archive in seq order, then the hot stream in Redis,
 * as one chain from seq 1 — each segment's entries hash and link, its signed head checks out, its first entry
 * links to the previous segment's last, its name names the seqs it holds, and the stream carries on from the
 * last segment. A problem is reported with its seq and the segment holding it.
 *
 * Tampering found this way: an edited entry (`modified`), a segment deleted (`missing`, with the seqs), two
 * segments swapped or renamed (`reordered`), a segment cut short or a line dropped (`missing`), an entry
 * rewritten with its hash recomputed (`forged hash`), a segment re-signed with another key (`wrong key`).
 *
 * Retention: when the archive holds retention markers (`retention-marker.ts`), the newest one is the base: its
 * signature must verify with the audit key, the chain starts at its `from_seq` instead of seq 1, the first kept
 * entry must link to its `from_prev_hash`, and the verdict says so (`base`). Segments before the base (their
 * deletion was interrupted) are not read. Without a marker, an archive that does not start at seq 1 is
 * `missing` its first seqs, as before.
 */

import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { retentionSeqOf, segmentRangeOf, type AuditArchiveStore } from "./archive-store";
import { readRetentionMarker, type RetentionMarker } from "./retention-marker";
import { loadVerificationKey, type AuditVerificationKey } from "./signing-key";
import type { AuditReader, StoredRecord } from "./audit-reader";
import type { SignedHead } from "./head-signature";
import { streamIdOf } from "./stream-id";
import { asHeadLine, type ExportedHead } from "./trail-head-line";
import { formatVerifyResult, TrailVerifier, type TrailProblem, type VerifyOptions, type VerifyResult } from "./verify";

const gunzipAsync = promisify(gunzip);

/** Where a history cut by retention starts: the marker that states it. */
export interface RetentionBase {
  readonly seq: number;
  readonly prevHash: string;
  readonly deletedAt: string;
  readonly retentionDays: number;
  readonly marker: string;
}

/** The verdict, the segments read, and the retention base when the history starts after seq 1. */
export type ArchiveVerifyResult = VerifyResult & { readonly segments: number; readonly base?: RetentionBase };

/** Verifies the archive, then (when given) the hot stream after it. */
export async function verifyArchivedTrail(
  archive: AuditArchiveStore,
  reader: AuditReader | null,
  opts: VerifyOptions & { readonly pageSize?: number } = {},
): Promise<ArchiveVerifyResult> {
  const all = await archive.list();
  const names = all.filter((n) => segmentRangeOf(n) !== null);
  const markers = all.filter((n) => retentionSeqOf(n) !== null);
  const spans: { name: string; fromSeq: number; toSeq: number }[] = [];
  let next = 1;
  let base: RetentionBase | undefined;
  if (markers.length > 0) {
    const markerName = markers[markers.length - 1] as string;
    const keys = opts.keys !== undefined && opts.keys.length > 0 ? opts.keys : await carriedKeys(archive, names);
    const marker = readRetentionMarker((await archive.get(markerName)) ?? Buffer.alloc(0), keys);
    if (typeof marker === "string") {
      return {
        ok: false,
        entries: 0,
        segments: 0,
        problem: { seq: retentionSeqOf(markerName), kind: "bad_signature", message: `the retention marker ${markerName} ${marker}` },
      };
    }
    if (marker.from_seq !== retentionSeqOf(markerName)) {
      return {
        ok: false,
        entries: 0,
        segments: 0,
        problem: { seq: marker.from_seq, kind: "malformed", message: `the retention marker ${markerName} says seq ${marker.from_seq}` },
      };
    }
    base = baseOf(marker, markerName);
    next = marker.from_seq;
  }
  const verifier = new TrailVerifier({ ...opts, allowPartial: base !== undefined });
  let expectPrev: string | null = base?.prevHash ?? null;
  const linksToBase = (line: string | undefined, where: string): TrailProblem | null => {
    if (expectPrev === null || line === undefined) return null;
    const first = safeParse(line) as { prev_hash?: unknown; seq?: unknown } | undefined;
    const prev = first?.prev_hash;
    const want = expectPrev;
    expectPrev = null;
    if (typeof first?.seq === "number" && first.seq > next) {
      return {
        seq: next,
        kind: "missing",
        message: `${where}: starts at seq ${first.seq}, but the retention marker ${base?.marker ?? ""} keeps seqs from ${next} (seqs ${next}..${first.seq - 1} deleted)`,
      };
    }
    return prev === want
      ? null
      : {
          seq: next,
          kind: "forged_hash",
          message: `${where}: seq ${next} does not link to the hash the retention marker ${base?.marker ?? ""} states`,
        };
  };
  let lastHead: ExportedHead | null = null;
  const fail = (problem: TrailProblem): ArchiveVerifyResult => ({ ok: false, entries: 0, problem, segments: spans.length });
  const located = (result: VerifyResult): ArchiveVerifyResult => {
    if (result.ok) return { ...result, segments: spans.length, ...(base === undefined ? {} : { base }) };
    const seq = result.problem.seq;
    const span = seq === null ? undefined : spans.find((s) => s.fromSeq <= seq && seq <= s.toSeq);
    return {
      ...result,
      problem: {
        ...result.problem,
        message:
          `${span === undefined ? (seq !== null && seq >= next ? "in the hot stream" : "") : `in ${span.name}`}: ${result.problem.message}`.replace(
            /^: /,
            "",
          ),
      },
      segments: spans.length,
    };
  };

  for (const name of names) {
    const range = segmentRangeOf(name) as { fromSeq: number; toSeq: number };
    if (base !== undefined && spans.length === 0 && range.toSeq < base.seq) continue; // before the retention base
    if (range.fromSeq > next) {
      return fail({
        seq: next,
        kind: "missing",
        message: `seqs ${next}..${range.fromSeq - 1} are in no segment: ${name} comes next in ${archive.location} (a segment deleted?)`,
      });
    }
    if (range.fromSeq < next) {
      return fail({
        seq: range.fromSeq,
        kind: "reordered",
        message: `${name} overlaps the segment before it, which ends at seq ${next - 1}`,
      });
    }
    let text: string;
    try {
      text = (await gunzipAsync((await archive.get(name)) ?? Buffer.alloc(0))).toString("utf8");
    } catch (err) {
      return fail({ seq: range.fromSeq, kind: "malformed", message: `${name} is not a readable gzip file (${(err as Error).message})` });
    }
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    const headLine =
      lines.length > 0 && (lines[lines.length - 1] as string).startsWith('{"head"') ? asHeadLine(safeParse(lines.pop() as string)) : null;
    if (headLine === null)
      return fail({ seq: range.toSeq, kind: "unsigned", message: `${name} has no signed head line at its end (cut short?)` });
    spans.push({ name, ...range });
    const unlinked = linksToBase(lines[0], name);
    if (unlinked !== null) return fail(unlinked);
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
      verifier.entry({
        text: line,
        where: `${name} line ${i + 1}`,
        ...(last && headLine.head.seq === lastSeq ? { checkpoint: headLine.head as SignedHead } : {}),
      });
    });
    if (headLine.head.seq !== lastSeq) {
      return located({
        ok: false,
        entries: 0,
        problem: { seq: lastSeq, kind: "forged_hash", message: `its signed head is seq ${headLine.head.seq}, not its last entry` },
      });
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
    const unlinked = linksToBase(page[0]?.line, "the hot stream");
    if (unlinked !== null) return fail(unlinked);
    for (const rec of page) {
      verifier.entry({
        text: rec.line,
        where: `stream id ${rec.id}`,
        idSeq: rec.idSeq,
        ...(rec.checkpoint === undefined ? {} : { checkpoint: rec.checkpoint }),
      });
      if (rec.checkpoint !== undefined) lastCheckpoint = rec.checkpoint;
    }
    cursor = (page[page.length - 1] as StoredRecord).id;
  }
  const head = lastCheckpoint !== null && lastCheckpoint.seq >= (initial?.seq ?? 0) ? lastCheckpoint : (initial ?? lastHead);
  return located(verifier.finish(head));
}

/**
 * The verdict as one line: formatVerifyResult's, and for a history cut by retention where it starts and why
 * that start is trusted.
 */
export function formatArchiveVerifyResult(result: ArchiveVerifyResult): string {
  if (!result.ok || result.base === undefined) return formatVerifyResult(result);
  const b = result.base;
  const deleted = b.seq === 2 ? "seq 1 was" : `seqs 1..${b.seq - 1} were`;
  return (
    `ok: ${result.entries} entries, head ${result.head.hash} (from seq ${b.seq}: ${deleted} deleted by retention (${b.retentionDays} days) at ${b.deletedAt}; ` +
    `the chain is verified from the hash ${b.prevHash.slice(0, 12)}… that the signed marker ${b.marker} states)`
  );
}

function baseOf(m: RetentionMarker, marker: string): RetentionBase {
  return { seq: m.from_seq, prevHash: m.from_prev_hash, deletedAt: m.deleted_at, retentionDays: m.retention_days, marker };
}

/** Without trusted keys: the public key the first segment's head carries (as an export without --key is checked). */
async function carriedKeys(archive: AuditArchiveStore, names: readonly string[]): Promise<AuditVerificationKey[]> {
  const first = names[0];
  if (first === undefined) return [];
  try {
    const lines = (await gunzipAsync((await archive.get(first)) ?? Buffer.alloc(0)))
      .toString("utf8")
      .split("\n")
      .filter((l) => l !== "");
    const head = asHeadLine(safeParse(lines[lines.length - 1] ?? ""))?.head;
    return head?.public_key === undefined ? [] : [loadVerificationKey(head.public_key)];
  } catch {
    return [];
  }
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
