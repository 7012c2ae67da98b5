/**
 * Verifying a trail: every entry's hash against its content, every link to the entry before, sequence
 * numbers without gaps or reordering, and the signed head against the audit key.
 *
 * Entries are pushed in order (from an export file or straight from the Redis Stream) and the head given at
 * the end. The verifier stops checking at the first problem but keeps reading, to tell a missing entry from
 * one that turns up later (reordered) and to tell an edited entry from one appended past the signed head
 * (forged). A trail that starts after seq 1 is a partial export and is verified from its first entry's
 * `prev_hash`, which is then taken on trust (the result says so).
 */

import type { AuditReader, StoredRecord } from "./audit-reader";
import { GENESIS_HASH, computeEntryHash, isHashText, type ChainHead } from "./chain";
import { verifyHeadSignature } from "./head-signature";
import type { SignedHead } from "./head-signature";
import { loadVerificationKey, type AuditVerificationKey } from "./signing-key";
import { asHeadLine, type ExportedHead } from "./trail-head-line";

/** What can be wrong with a trail. */
export type TrailProblemKind =
  /** A line that is not an entry (not JSON, or without a valid seq, prev_hash or hash). */
  | "malformed"
  /** An entry whose content does not match its own hash. */
  | "modified"
  /** Sequence numbers skip: entries were deleted. */
  | "missing"
  /** An entry appears out of order (swapped, moved or repeated). */
  | "reordered"
  /** An entry whose hash was recomputed or made up: it does not link to the next entry or to the signed head, or lies past the signed head. */
  | "forged_hash"
  /** No signed head to check the last entry against. */
  | "unsigned"
  /** A head signature that does not verify. */
  | "bad_signature"
  /** A head signed by a key other than the expected one. */
  | "wrong_key";

/** The first problem found. */
export interface TrailProblem {
  /** The first bad sequence number (null when none can be named, e.g. an unparsable first line). */
  readonly seq: number | null;
  readonly kind: TrailProblemKind;
  readonly message: string;
}

/** The verdict on a trail. */
export type VerifyResult =
  | {
      readonly ok: true;
      readonly entries: number;
      /** The verified head (seq 0 and the genesis hash for an empty trail). */
      readonly head: ChainHead;
      /** The first entry's seq; above 1 for a partial export. */
      readonly firstSeq: number;
      readonly partial: boolean;
      /** The key id that signed the head (absent for an empty trail). */
      readonly kid?: string;
      /** False when the head was checked only against the public key the trail itself carries. */
      readonly keyPinned: boolean;
    }
  | { readonly ok: false; readonly entries: number; readonly problem: TrailProblem };

/** One entry as read. */
export interface TrailEntryInput {
  /** The entry's JSON text. */
  readonly text: string;
  /** Where it was read (`line 12`, `stream id 12-0`), for messages. */
  readonly where?: string;
  /** From a stream: the seq its storage id stands for (null for an id not of the chain's form). */
  readonly idSeq?: number | null;
  /** From a stream: the signed head stored with it. */
  readonly checkpoint?: SignedHead;
}

/** Which keys are trusted. */
export interface VerifyOptions {
  /** Trusted verification keys (several during a key rotation). None: the trail's own public key is used, unpinned. */
  readonly keys?: readonly AuditVerificationKey[];
}

type Entry = { readonly seq: number; readonly prev_hash: string; readonly hash: string; readonly [key: string]: unknown };

/** A push-style verifier: `entry()` for each entry in order, then `finish(head)`. */
export class TrailVerifier {
  private readonly keys: Map<string, AuditVerificationKey>;
  private count = 0;
  private firstSeq: number | null = null;
  private last: ChainHead | null = null;
  private problem: TrailProblem | null = null;
  /** After a gap: the seq we expected, the seq we got, and whether the expected one turned up later. */
  private gap: { expected: number; got: number; foundAfter: boolean } | null = null;

  constructor(opts: VerifyOptions = {}) {
    this.keys = new Map((opts.keys ?? []).map((k) => [k.kid, k]));
  }

  /** Checks the next entry. */
  entry(input: TrailEntryInput): void {
    if (this.problem !== null) {
      if (this.gap !== null && !this.gap.foundAfter && peekSeq(input.text) === this.gap.expected) this.gap.foundAfter = true;
      return;
    }
    const parsed = parseEntry(input.text);
    if (typeof parsed === "string") {
      this.fail({ seq: this.last === null ? null : this.last.seq + 1, kind: "malformed", message: `${input.where ?? "an entry"} ${parsed}` });
      return;
    }
    const e = parsed;
    if (input.idSeq !== undefined && input.idSeq !== e.seq) {
      this.fail({ seq: e.seq, kind: "modified", message: `stored at ${input.where ?? "another id"} but says it is seq ${e.seq}` });
      return;
    }
    if (this.last === null) {
      this.firstSeq = e.seq;
    } else if (e.seq !== this.last.seq + 1) {
      const expected = this.last.seq + 1;
      if (e.seq > expected) {
        this.gap = { expected, got: e.seq, foundAfter: false };
        this.fail({ seq: expected, kind: "missing", message: "" }); // message settled in finish()
      } else {
        this.fail({ seq: e.seq, kind: "reordered", message: `seq ${e.seq} appears again after seq ${this.last.seq}` });
      }
      return;
    }
    if (computeEntryHash(e) !== e.hash) {
      this.fail({ seq: e.seq, kind: "modified", message: "its content does not match its hash (an edited field)" });
      return;
    }
    if (this.last === null) {
      if (e.seq === 1 && e.prev_hash !== GENESIS_HASH) {
        this.fail({ seq: 1, kind: "forged_hash", message: "the first entry does not start from the genesis hash" });
        return;
      }
    } else if (e.prev_hash !== this.last.hash) {
      this.fail({
        seq: this.last.seq,
        kind: "forged_hash",
        message: `seq ${e.seq} links to ${short(e.prev_hash)}, not to its hash ${short(this.last.hash)} (an entry changed and its hash recomputed)`,
      });
      return;
    }
    if (input.checkpoint !== undefined) {
      const sigProblem = this.checkSignature(input.checkpoint, `the checkpoint at seq ${e.seq}`);
      if (sigProblem !== null) {
        this.fail(sigProblem);
        return;
      }
    }
    this.last = { seq: e.seq, hash: e.hash };
    this.count++;
  }

  /** Checks the last entry against the signed head and returns the verdict. */
  finish(head: ExportedHead | null): VerifyResult {
    if (this.problem !== null) return { ok: false, entries: this.count, problem: this.settle(head) };
    if (this.last === null) {
      if (head === null || head.seq === 0) return { ok: true, entries: 0, head: { seq: 0, hash: GENESIS_HASH }, firstSeq: 0, partial: false, keyPinned: this.keys.size > 0 };
      return this.result({ seq: 1, kind: "missing", message: `the trail has no entries but its signed head is seq ${head.seq}` });
    }
    if (head === null) return this.result({ seq: this.last.seq, kind: "unsigned", message: "the trail has no signed head line" });
    if (head.seq > this.last.seq) {
      return this.result({
        seq: this.last.seq + 1,
        kind: "missing",
        message: `the trail ends at seq ${this.last.seq} but its signed head is seq ${head.seq} (entries ${this.last.seq + 1}..${head.seq} deleted)`,
      });
    }
    if (head.seq < this.last.seq) {
      return this.result({ seq: head.seq + 1, kind: "forged_hash", message: `entries ${head.seq + 1}..${this.last.seq} lie past the signed head (seq ${head.seq}): appended afterwards` });
    }
    if (head.hash !== this.last.hash) {
      return this.result({ seq: this.last.seq, kind: "forged_hash", message: `its hash ${short(this.last.hash)} is not the signed head's ${short(head.hash)}` });
    }
    const sigProblem = this.checkSignature(head, "the head");
    if (sigProblem !== null) return this.result(sigProblem);
    const firstSeq = this.firstSeq ?? 1;
    return { ok: true, entries: this.count, head: this.last, firstSeq, partial: firstSeq > 1, kid: head.kid, keyPinned: this.keys.size > 0 };
  }

  private result(problem: TrailProblem): VerifyResult {
    return { ok: false, entries: this.count, problem };
  }

  private fail(problem: TrailProblem): void {
    this.problem = problem;
  }

  /** The final wording of the first problem, now that the whole trail and the head are known. */
  private settle(head: ExportedHead | null): TrailProblem {
    const p = this.problem as TrailProblem;
    if (this.gap !== null) {
      const { expected, got, foundAfter } = this.gap;
      if (foundAfter) return { seq: expected, kind: "reordered", message: `seq ${expected} appears after seq ${got}` };
      if (head !== null && expected > head.seq) {
        return { seq: got, kind: "forged_hash", message: `seq ${got} lies past the signed head (seq ${head.seq}): appended afterwards` };
      }
      const range = got - 1 === expected ? `seq ${expected} is` : `seqs ${expected}..${got - 1} are`;
      return { seq: expected, kind: "missing", message: `${range} missing (the trail jumps from seq ${expected - 1} to seq ${got})` };
    }
    if (head !== null && p.seq !== null && p.seq > head.seq && (p.kind === "modified" || p.kind === "forged_hash" || p.kind === "malformed")) {
      return { seq: p.seq, kind: "forged_hash", message: `seq ${p.seq} lies past the signed head (seq ${head.seq}): appended afterwards (${p.message})` };
    }
    return p;
  }

  /** Checks a signed head against the trusted keys (or, with none, against the key the trail carries). */
  private checkSignature(head: ExportedHead, what: string): TrailProblem | null {
    const seq = head.seq;
    if (typeof head.sig !== "string" || head.sig === "" || typeof head.kid !== "string") {
      return { seq, kind: "unsigned", message: `${what} carries no signature` };
    }
    const carried = carriedKey(head);
    if (this.keys.size === 0) {
      if (carried === null) return { seq, kind: "unsigned", message: `${what} names no public key; pass the audit key with --key` };
      return verifyHeadSignature(head, carried) ? null : { seq, kind: "bad_signature", message: `${what}'s signature does not verify` };
    }
    const trusted = this.keys.get(head.kid);
    if (trusted !== undefined) {
      return verifyHeadSignature(head, trusted) ? null : { seq, kind: "bad_signature", message: `${what}'s signature does not verify with key ${head.kid}` };
    }
    const expected = [...this.keys.keys()].join(", ");
    if (carried !== null && verifyHeadSignature(head, carried)) {
      return { seq, kind: "wrong_key", message: `${what} is signed by key ${head.kid}, not by the audit key ${expected}` };
    }
    return { seq, kind: "bad_signature", message: `${what}'s signature does not verify (it names key ${head.kid}; the audit key is ${expected})` };
  }
}

/**
 * Verifies an exported trail, line by line: entries, then the head line. Blank lines are skipped; lines
 * after the head line are still checked as entries (and so reported as lying past the signed head).
 */
export async function verifyTrailLines(lines: AsyncIterable<string> | Iterable<string>, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const verifier = new TrailVerifier(opts);
  let head: ExportedHead | null = null;
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo++;
    const line = raw.trim();
    if (line === "") continue;
    // Entries are canonical JSON and always have a `hash` member, which sorts before `head`: a line that
    // opens with `{"head"` can only be a head line.
    if (line.startsWith('{"head"')) {
      const parsed = safeParse(line);
      const headLine = parsed === undefined ? null : asHeadLine(parsed);
      if (headLine !== null) {
        head = headLine.head;
        continue;
      }
    }
    verifier.entry({ text: line, where: `line ${lineNo}` });
  }
  return verifier.finish(head);
}

/**
 * Verifies the trail in storage from its first entry. The stored head is read first; entries appended while
 * the check runs carry their own signed checkpoint, so the last one read is the head the trail is checked
 * against (and it must reach at least the head read first, or entries were deleted from the end).
 */
export async function verifyStoredTrail(reader: AuditReader, opts: VerifyOptions & { readonly pageSize?: number } = {}): Promise<VerifyResult> {
  const verifier = new TrailVerifier(opts);
  const initial = await reader.readHead();
  const pageSize = opts.pageSize ?? 1000;
  let lastCheckpoint: SignedHead | null = null;
  let cursor: string | null = null;
  for (;;) {
    const page = await reader.readAscending(cursor, pageSize);
    if (page.length === 0) break;
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
  const head = lastCheckpoint !== null && lastCheckpoint.seq >= (initial?.seq ?? 0) ? lastCheckpoint : initial;
  return verifier.finish(head);
}

/** One line saying the verdict: `ok: N entries, head <hash>` or `seq N: <problem>: <what>`. */
export function formatVerifyResult(result: VerifyResult): string {
  if (result.ok) {
    const partial = result.partial ? ` (partial: seq ${result.firstSeq}..${result.head.seq}, chained from the first entry's prev_hash)` : "";
    return `ok: ${result.entries} entries, head ${result.head.hash}${partial}`;
  }
  const p = result.problem;
  const where = p.seq === null ? "trail" : `seq ${p.seq}`;
  return `${where}: ${p.kind.replace(/_/g, " ")}: ${p.message}`;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function carriedKey(head: ExportedHead): AuditVerificationKey | null {
  if (typeof head.public_key !== "string") return null;
  try {
    const key = loadVerificationKey(head.public_key);
    return key.kid === head.kid ? key : null;
  } catch {
    return null;
  }
}

/** The entry, or why the text is not one. */
function parseEntry(text: string): Entry | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "is not JSON";
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "is not a JSON object";
  const e = value as { [key: string]: unknown };
  if (!Number.isSafeInteger(e["seq"]) || (e["seq"] as number) < 1) return "has no valid seq";
  if (!isHashText(e["prev_hash"])) return `(seq ${String(e["seq"])}) has no valid prev_hash`;
  if (!isHashText(e["hash"])) return `(seq ${String(e["seq"])}) has no valid hash`;
  return e as Entry;
}

/** The seq of an entry text without the full checks (for the look-ahead after a gap). */
function peekSeq(text: string): number | null {
  try {
    const seq = (JSON.parse(text) as { seq?: unknown }).seq;
    return typeof seq === "number" ? seq : null;
  } catch {
    return null;
  }
}

function short(hash: string): string {
  return hash.slice(0, 12) + "…";
}
