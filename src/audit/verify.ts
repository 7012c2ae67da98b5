/**
 * Verifying a trail: every entry's hash against its content, every link to the entry before, sequence
 * numbers without gaps or reordering, and the signed head against the audit key.
 *
 * Entries are pushed in order (from an export file or straight from the Redis Stream) and the head given at
 * the end. The verifier stops checking at the first problem but keeps reading, to tell a missing entry from
 * one that turns up later (reordered) and to tell an edited entry from one appended past the signed head
 * (forged).
 *
 * Entries chain backwards and the signed head pins the end, so a trail must also prove where it starts:
 * a trail verifies from seq 1 (the genesis hash). One that starts later verifies only as a partial export:
 * when its head line carries an export range signed with the audit key that names that very start, or when
 * the auditor accepts an unsigned start explicitly (`allowPartial`); either way the result says partial.
 * Deleting the oldest entries of the stream, or the first lines of an export, is therefore caught.
 *
 * Rewinding (deleting the newest entries and putting back an earlier signed checkpoint as the head) leaves a
 * trail that is valid up to that checkpoint. An auditor who pinned a head they saw earlier (`pin`: its seq
 * and hash) catches it: the trail must reach the pinned seq and hold the pinned hash there.
 */

import type { AuditReader } from "./audit-reader";
import { GENESIS_HASH, entryHashOf, isHashText, type ChainHead } from "./chain";
import { verifyHeadSignature } from "./head-signature";
import type { SignedHead } from "./head-signature";
import { loadVerificationKey, type AuditVerificationKey } from "./signing-key";
import { verifyExportRange, type ExportRangeInfo } from "./export-range-signature";
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
  | "wrong_key"
  /** The trail ends before, or differs at, a head the auditor pinned earlier: it was rewound or rewritten. */
  | "rewound";

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
      /**
       * How the start was established: `genesis` (seq 1 from the genesis hash), `signed_range` (a partial
       * export whose signed range names this start), `accepted` (a partial start the caller took on trust).
       */
      readonly start: "genesis" | "signed_range" | "accepted";
      /** The pinned head, and whether the trail covered it (false: the trail starts after it). */
      readonly pin?: { readonly seq: number; readonly checked: boolean };
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

/** Which keys are trusted, and what the trail must show. */
export interface VerifyOptions {
  /** Trusted verification keys (several during a key rotation). None: the trail's own public key is used, unpinned. */
  readonly keys?: readonly AuditVerificationKey[];
  /** Accept a trail that starts after seq 1 without a signed range saying so; its start is taken on trust. */
  readonly allowPartial?: boolean;
  /** A head the auditor saw earlier: the trail must reach its seq and hold its hash there. */
  readonly pin?: ChainHead;
}

type Entry = { readonly seq: number; readonly prev_hash: string; readonly hash: string; readonly [key: string]: unknown };

/** A push-style verifier: `entry()` for each entry in order, then `finish(head)`. */
export class TrailVerifier {
  private readonly keys: Map<string, AuditVerificationKey>;
  private readonly allowPartial: boolean;
  private readonly pin: ChainHead | null;
  private count = 0;
  private firstSeq: number | null = null;
  private firstPrevHash: string | null = null;
  /** The hash of the entry at the pinned seq, once read. */
  private pinnedSeen: string | null = null;
  private last: ChainHead | null = null;
  private problem: TrailProblem | null = null;
  /** After a gap: the seq we expected, the seq we got, and whether the expected one turned up later. */
  private gap: { expected: number; got: number; foundAfter: boolean } | null = null;

  constructor(opts: VerifyOptions = {}) {
    this.keys = new Map((opts.keys ?? []).map((k) => [k.kid, k]));
    this.allowPartial = opts.allowPartial === true;
    this.pin = opts.pin ?? null;
  }

  /** Checks the next entry. */
  entry(input: TrailEntryInput): void {
    if (this.problem !== null) {
      if (this.gap !== null && !this.gap.foundAfter && peekSeq(input.text) === this.gap.expected) this.gap.foundAfter = true;
      return;
    }
    const parsed = parseEntry(input.text);
    if (typeof parsed === "string") {
      this.fail({
        seq: this.last === null ? null : this.last.seq + 1,
        kind: "malformed",
        message: `${input.where ?? "an entry"} ${parsed}`,
      });
      return;
    }
    const e = parsed;
    if (input.idSeq !== undefined && input.idSeq !== e.seq) {
      this.fail({ seq: e.seq, kind: "modified", message: `stored at ${input.where ?? "another id"} but says it is seq ${e.seq}` });
      return;
    }
    if (this.last === null) {
      this.firstSeq = e.seq;
      this.firstPrevHash = e.prev_hash;
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
    if (entryHashOf(input.text, e) !== e.hash) {
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
    if (this.pin !== null && e.seq === this.pin.seq) this.pinnedSeen = e.hash;
    this.last = { seq: e.seq, hash: e.hash };
    this.count++;
  }

  /**
   * Checks the last entry against the signed head, the start against the export range (an export's head
   * line; none for the stored trail) and the pin, and returns the verdict.
   */
  finish(head: ExportedHead | null, range: ExportRangeInfo | null = null): VerifyResult {
    if (this.problem !== null) return { ok: false, entries: this.count, problem: this.settle(head) };
    if (this.last === null) {
      if (this.pin !== null && this.pin.seq > 0) {
        return this.result({
          seq: this.pin.seq,
          kind: "rewound",
          message: `the trail is empty, but the pinned head is seq ${this.pin.seq}`,
        });
      }
      if (head === null || head.seq === 0) {
        return {
          ok: true,
          entries: 0,
          head: { seq: 0, hash: GENESIS_HASH },
          firstSeq: 0,
          partial: false,
          start: "genesis",
          keyPinned: this.keys.size > 0,
        };
      }
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
      return this.result({
        seq: head.seq + 1,
        kind: "forged_hash",
        message: `entries ${head.seq + 1}..${this.last.seq} lie past the signed head (seq ${head.seq}): appended afterwards`,
      });
    }
    if (head.hash !== this.last.hash) {
      return this.result({
        seq: this.last.seq,
        kind: "forged_hash",
        message: `its hash ${short(this.last.hash)} is not the signed head's ${short(head.hash)}`,
      });
    }
    const sigProblem = this.checkSignature(head, "the head");
    if (sigProblem !== null) return this.result(sigProblem);
    const firstSeq = this.firstSeq ?? 1;
    const start = this.checkStart(firstSeq, head, range);
    if (typeof start !== "string") return this.result(start);
    const pin = this.checkPin(firstSeq);
    if (pin !== null && "kind" in pin) return this.result(pin);
    return {
      ok: true,
      entries: this.count,
      head: this.last,
      firstSeq,
      partial: firstSeq > 1,
      start,
      ...(pin === null ? {} : { pin }),
      kid: head.kid,
      keyPinned: this.keys.size > 0,
    };
  }

  /** How the trail's start is established, or why it is not. */
  private checkStart(
    firstSeq: number,
    head: ExportedHead,
    range: ExportRangeInfo | null,
  ): "genesis" | "signed_range" | "accepted" | TrailProblem {
    const cut = (claimed: string): TrailProblem => ({
      seq: 1,
      kind: "missing",
      message: `${claimed}, but the first entry is seq ${firstSeq}: ${firstSeq === 2 ? "seq 1 is" : `seqs 1..${firstSeq - 1} are`} missing`,
    });
    let signed = false;
    if (range !== null) {
      if (typeof range.from_seq !== "number" || typeof range.partial !== "boolean") {
        return { seq: null, kind: "malformed", message: "the head line's export range has no valid from_seq or partial" };
      }
      if (range.sig !== undefined) {
        const key = this.rangeKey(range, head);
        if (key === null || !verifyExportRange(range, head, key)) {
          return {
            seq: null,
            kind: "bad_signature",
            message:
              "the export range's signature does not verify (its from_seq, partial or exported_at was edited, or it was signed by another key)",
          };
        }
        signed = true;
      }
      if (range.from_seq !== firstSeq) {
        if (range.from_seq < firstSeq) return cut(`the export says it starts at seq ${range.from_seq}`);
        return {
          seq: firstSeq,
          kind: "malformed",
          message: `the export says it starts at seq ${range.from_seq}, but its first entry is seq ${firstSeq}`,
        };
      }
      if (range.partial !== firstSeq > 1) {
        return { seq: null, kind: "malformed", message: `the export says partial: ${range.partial}, but it starts at seq ${firstSeq}` };
      }
      if (signed && range.from_prev_hash !== this.firstPrevHash) {
        return { seq: firstSeq, kind: "forged_hash", message: "the first entry's prev_hash is not the one the export range signs" };
      }
    }
    if (firstSeq === 1) return "genesis";
    if (signed) return "signed_range";
    if (this.allowPartial) return "accepted";
    return cut(
      range === null
        ? "a trail must start at seq 1"
        : "the export's start is not signed (pass --partial to accept a partial export's start on trust)",
    );
  }

  /** The pin's verdict: null without a pin, what was checked, or the problem. */
  private checkPin(firstSeq: number): { readonly seq: number; readonly checked: boolean } | TrailProblem | null {
    const pin = this.pin;
    if (pin === null) return null;
    const last = this.last as ChainHead;
    if (pin.seq > last.seq) {
      return {
        seq: last.seq + 1,
        kind: "rewound",
        message: `the trail ends at seq ${last.seq}, before the pinned head at seq ${pin.seq}: entries after it were removed and the head put back`,
      };
    }
    if (pin.seq === firstSeq - 1 && pin.seq > 0) {
      if (this.firstPrevHash !== pin.hash)
        return { seq: firstSeq, kind: "rewound", message: `seq ${firstSeq} does not chain from the pinned head at seq ${pin.seq}` };
      return { seq: pin.seq, checked: true };
    }
    if (pin.seq < firstSeq) return { seq: pin.seq, checked: pin.seq === 0 };
    if (this.pinnedSeen !== pin.hash) {
      return {
        seq: pin.seq,
        kind: "rewound",
        message: `seq ${pin.seq} has hash ${short(this.pinnedSeen ?? "")}, not the pinned ${short(pin.hash)}: the trail was rewritten after it was pinned`,
      };
    }
    return { seq: pin.seq, checked: true };
  }

  /** The key to check an export range with: a trusted key by its kid, or (with none trusted) the one the head carries. */
  private rangeKey(range: ExportRangeInfo, head: ExportedHead): AuditVerificationKey | null {
    if (this.keys.size > 0) return typeof range.kid === "string" ? (this.keys.get(range.kid) ?? null) : null;
    const carried = carriedKey(head);
    return carried !== null && carried.kid === range.kid ? carried : null;
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
    if (
      head !== null &&
      p.seq !== null &&
      p.seq > head.seq &&
      (p.kind === "modified" || p.kind === "forged_hash" || p.kind === "malformed")
    ) {
      return {
        seq: p.seq,
        kind: "forged_hash",
        message: `seq ${p.seq} lies past the signed head (seq ${head.seq}): appended afterwards (${p.message})`,
      };
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
      return verifyHeadSignature(head, trusted)
        ? null
        : { seq, kind: "bad_signature", message: `${what}'s signature does not verify with key ${head.kid}` };
    }
    const expected = [...this.keys.keys()].join(", ");
    if (carried !== null && verifyHeadSignature(head, carried)) {
      return { seq, kind: "wrong_key", message: `${what} is signed by key ${head.kid}, not by the audit key ${expected}` };
    }
    return {
      seq,
      kind: "bad_signature",
      message: `${what}'s signature does not verify (it names key ${head.kid}; the audit key is ${expected})`,
    };
  }
}

/**
 * Verifies an exported trail, line by line: entries, then the head line. Blank lines are skipped; lines
 * after the head line are still checked as entries (and so reported as lying past the signed head).
 */
export async function verifyTrailLines(lines: AsyncIterable<string> | Iterable<string>, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const verifier = new TrailVerifier(opts);
  let head: ExportedHead | null = null;
  let range: ExportRangeInfo | null = null;
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
        range = headLine.export ?? null;
        continue;
      }
    }
    verifier.entry({ text: line, where: `line ${lineNo}` });
  }
  return verifier.finish(head, range);
}

/**
 * Verifies the trail in storage from its first entry. The stored head is read first; entries appended while
 * the check runs carry their own signed checkpoint, so the last one read is the head the trail is checked
 * against (and it must reach at least the head read first, or entries were deleted from the end).
 *
 * With checkpoints every interval (`audit-trail.ts`), the newest entries may be stored and not signed yet:
 * the head says the trail wrote them (its end is past its signed head). The check then waits, up to
 * `unsignedWaitMs` (default 2 s), for a signature that covers them and verifies up to it. Entries past the
 * end the trail wrote, or still unsigned when the wait is over, fail as past the signed head.
 */
export async function verifyStoredTrail(
  reader: AuditReader,
  opts: VerifyOptions & { readonly pageSize?: number; readonly unsignedWaitMs?: number } = {},
): Promise<VerifyResult> {
  const verifier = new TrailVerifier(opts);
  const heads =
    reader.readHeads !== undefined
      ? () => (reader.readHeads as NonNullable<AuditReader["readHeads"]>)()
      : async () => ({ signed: await reader.readHead(), end: null });
  const initial = (await heads()).signed;
  const pageSize = opts.pageSize ?? 1000;
  const waitMs = opts.unsignedWaitMs ?? 2_000;
  let lastCheckpoint: SignedHead | null = null;
  let cursor: string | null = null;
  let lastRead = 0;
  /** Entries past this seq are not fed (set once a signature covering everything read is found). */
  let stopAt = Number.POSITIVE_INFINITY;
  const readOn = async (): Promise<void> => {
    for (;;) {
      const page = await reader.readAscending(cursor, pageSize);
      if (page.length === 0) return;
      for (const rec of page) {
        if (rec.idSeq !== null && rec.idSeq > stopAt) return;
        verifier.entry({
          text: rec.line,
          where: `stream id ${rec.id}`,
          idSeq: rec.idSeq,
          ...(rec.checkpoint === undefined ? {} : { checkpoint: rec.checkpoint }),
        });
        if (rec.checkpoint !== undefined) lastCheckpoint = rec.checkpoint;
        if (rec.idSeq !== null) lastRead = Math.max(lastRead, rec.idSeq);
        cursor = rec.id;
      }
    }
  };
  await readOn();
  const newest = (signed: SignedHead | null): SignedHead | null => {
    const best: SignedHead | null = lastCheckpoint !== null && lastCheckpoint.seq >= (signed?.seq ?? 0) ? lastCheckpoint : signed;
    return best !== null && best.seq >= (initial?.seq ?? 0) ? best : initial;
  };
  let now = await heads();
  let head = newest(now.signed);
  if (head !== null && head.seq < lastRead && now.end !== null && lastRead <= now.end.seq) {
    // A pending checkpoint: the trail wrote these entries and signs them within its interval.
    const deadline = Date.now() + waitMs;
    while ((head?.seq ?? 0) < lastRead && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      now = await heads();
      head = newest(now.signed);
    }
  }
  if (head !== null && head.seq > lastRead) {
    // Signed after the read reached the end: read on to that signature, and no further.
    stopAt = head.seq;
    await readOn();
  }
  return verifier.finish(head);
}

/** One line saying the verdict: `ok: N entries, head <hash>` or `seq N: <problem>: <what>`. */
export function formatVerifyResult(result: VerifyResult): string {
  if (result.ok) {
    const basis = result.start === "signed_range" ? "its start signed in the export range" : "its start taken on trust (--partial)";
    const partial = result.partial ? ` (partial: seq ${result.firstSeq}..${result.head.seq}, ${basis})` : "";
    const pin =
      result.pin === undefined
        ? ""
        : result.pin.checked
          ? `; holds the pinned head at seq ${result.pin.seq}`
          : `; the pinned head (seq ${result.pin.seq}) lies before this trail and was not checked`;
    return `ok: ${result.entries} entries, head ${result.head.hash}${partial}${pin}`;
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
