/**
 * Exporting the trail as JSON lines: the entries in seq order, each exactly as stored (canonical JSON),
 * then one head line with the signed head the export ends on.
 *
 * A range (`from`/`to` as seqs or as RFC 3339 times) gives a partial export. It starts at the first entry
 * in range and is verified from that entry's `prev_hash`. It ends on a signed checkpoint: every append
 * stores the signed head with its last entry, so an export whose range ends inside an append runs on to the
 * end of that append (at most one batch of entries past the range) to end on a signature. Times select by
 * each entry's `timestamp`: the export starts at the first entry stamped at or after `from` and ends before
 * the first stamped after `to`; entries between are included whatever their stamp, because a chain segment
 * has no holes (instances' clocks may differ slightly).
 *
 * The export reads a snapshot: entries appended after it started are left out. When the exporter holds the
 * audit signing key, the head line's range is signed (`export-range-signature.ts`): a partial export then
 * says it is partial in a signature, and a full one that lost its first lines no longer verifies.
 */

import type { Clock } from "../policy/clock";
import type { AuditReader, StoredRecord } from "./audit-reader";
import { formatTimestamp, parseTimestamp } from "./audit-time";
import type { SignedHead } from "./head-signature";
import type { AuditSigningKey, AuditVerificationKey } from "./signing-key";
import { signExportRange, type ExportRangeClaim, type ExportRangeInfo } from "./export-range-signature";
import { streamIdOf } from "./stream-id";
import type { ExportedHead, HeadLine } from "./trail-head-line";

/** Which part of the trail to export; all of it when empty. */
export interface ExportRange {
  readonly fromSeq?: number;
  readonly toSeq?: number;
  /** Nanoseconds since the epoch. */
  readonly fromTime?: bigint;
  readonly toTime?: bigint;
}

/** How to export. */
export interface ExportOptions extends ExportRange {
  /** Stamps `exported_at`. */
  readonly clock: Clock;
  /** The signing key's public half, embedded in the head line when it is the key that signed the head. */
  readonly publicKey?: AuditVerificationKey;
  /**
   * The audit signing key, when the exporter holds it: the export's range (where it starts, and whether it is
   * partial) is then signed, so that an export cut short at its start no longer verifies. Used only when it
   * is the key that signed the head.
   */
  readonly signingKey?: AuditSigningKey;
  readonly pageSize?: number;
}

/** What was exported. */
export interface ExportSummary {
  readonly entries: number;
  /** 0 when nothing was exported. */
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly partial: boolean;
  /** The head line's head, or null when there was nothing to export. */
  readonly head: ExportedHead | null;
}

/** Writes the export line by line (each without its newline) and says what it covered. */
export async function exportTrail(
  reader: AuditReader,
  write: (line: string) => void | Promise<void>,
  opts: ExportOptions,
): Promise<ExportSummary> {
  const snapshot = await reader.readHead();
  const none: ExportSummary = { entries: 0, fromSeq: 0, toSeq: 0, partial: false, head: null };
  if (snapshot === null) return none;
  const fromSeq = Math.max(1, opts.fromSeq ?? 1);
  const toSeq = Math.min(snapshot.seq, opts.toSeq ?? snapshot.seq);
  const pageSize = opts.pageSize ?? 1000;

  let started = opts.fromTime === undefined;
  let ending = false;
  let first: number | null = null;
  let firstPrevHash: string | null = null;
  let last: StoredRecord | null = null;
  let count = 0;
  let cursor: string | null = fromSeq > 1 ? streamIdOf(fromSeq - 1) : null;
  scan: for (;;) {
    const page = await reader.readAscending(cursor, pageSize);
    if (page.length === 0) break;
    for (const rec of page) {
      cursor = rec.id;
      const seq = rec.idSeq ?? seqOfLine(rec.line);
      if (seq !== null && seq > snapshot.seq) break scan;
      if (!started) {
        const ts = timeOfLine(rec.line);
        if (ts === null || ts < (opts.fromTime as bigint)) continue;
        started = true;
      }
      if (!ending && ((seq !== null && seq > toSeq) || (opts.toTime !== undefined && (timeOfLine(rec.line) ?? 0n) > opts.toTime)))
        ending = true;
      if (ending && (last === null || last.checkpoint !== undefined)) break scan;
      await write(rec.line);
      count++;
      if (first === null) firstPrevHash = prevHashOfLine(rec.line);
      first ??= seq ?? rec.idSeq ?? 0;
      last = rec;
    }
  }
  if (last === null) return none;
  const lastSeq = last.idSeq ?? seqOfLine(last.line) ?? 0;
  const signed: SignedHead = last.checkpoint ?? snapshot;
  const head: ExportedHead = {
    seq: signed.seq,
    hash: signed.hash,
    alg: signed.alg,
    kid: signed.kid,
    sig: signed.sig,
    ...(opts.publicKey !== undefined && opts.publicKey.kid === signed.kid ? { public_key: opts.publicKey.x } : {}),
  };
  const fromActual = first ?? 0;
  const claim: ExportRangeClaim = {
    from_seq: fromActual,
    from_prev_hash: firstPrevHash ?? "",
    to_seq: lastSeq,
    partial: fromActual > 1,
    exported_at: formatTimestamp(opts.clock.nowNs()),
  };
  const range: ExportRangeInfo =
    opts.signingKey !== undefined && opts.signingKey.verification.kid === signed.kid && firstPrevHash !== null
      ? signExportRange(claim, signed, opts.signingKey)
      : { from_seq: claim.from_seq, to_seq: claim.to_seq, partial: claim.partial, exported_at: claim.exported_at };
  const headLine: HeadLine = { head, export: range };
  await write(JSON.stringify(headLine));
  return { entries: count, fromSeq: fromActual, toSeq: lastSeq, partial: fromActual > 1, head };
}

/** One member of an entry's JSON text, or undefined when the text is not a JSON object. */
function memberOfLine(line: string, name: "seq" | "prev_hash" | "timestamp"): unknown {
  try {
    return (JSON.parse(line) as Record<string, unknown>)[name];
  } catch {
    return undefined;
  }
}

function seqOfLine(line: string): number | null {
  const seq = memberOfLine(line, "seq");
  return typeof seq === "number" ? seq : null;
}

function prevHashOfLine(line: string): string | null {
  const prev = memberOfLine(line, "prev_hash");
  return typeof prev === "string" ? prev : null;
}

function timeOfLine(line: string): bigint | null {
  const ts = memberOfLine(line, "timestamp");
  return typeof ts === "string" ? parseTimestamp(ts) : null;
}
