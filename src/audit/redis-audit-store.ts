/**
 * The audit trail's system of record in Redis: a Stream that is never trimmed, a head hash, and the
 * generated signing key when none is configured.
 *
 * Layout (for the default stream name `countersign:audit`):
 * - `countersign:audit`: Stream. With `compress: true`, one stream entry per append: at id `F-0`, where F
 *   is the seq of the append's first entry, field `b` = a pack, the texts of the append's entries seqs F,
 *   F+1, … deflated together (`entry-codec.ts`). With `compress: false`, one stream entry per entry:
 *   seq N at id `N-0`, field `e` = its text. Older trails may also hold `z` (one entry deflated alone). A
 *   stream entry that ends a checkpoint append also has `kid` and `sig`, the signed head at its last entry.
 *   Readers see entries either way, each with the id `N-0` of its seq (`readAscending`, `readDescending`).
 * - `{countersign:audit}:head`: Hash `{seq, hash, sseq, shash, kid, sig}`: the chain's end and the newest
 *   signed head (the same when the last append was a checkpoint), updated in the same script as the
 *   XADDs. An older head has no `sseq`: its `seq`/`hash` are signed.
 * - `{countersign:audit}:signing-key`: String, the Ed25519 private key (PKCS#8 PEM), written once with
 *   SET NX, only when no key is configured.
 * - `{countersign:audit}:turn`: String with a short TTL, the instance that lost the last append race and
 *   goes next (see `append-script.ts`); absent while there is no contention.
 * The `{…}` hash tag puts the head and key in the stream's cluster slot, so the script's keys share a slot.
 */

import type Redis from "ioredis";
import { AuditError } from "./audit-error";
import type { AuditReader, StoredRecord } from "./audit-reader";
import type { AppendOutcome, AuditStore } from "./audit-store";
import { APPEND_SCRIPT, SEAL_SCRIPT } from "./append-script";
import { DEFLATE_FIELD, PACK_FIELD, PLAIN_FIELD, decodeEntry, decodePack, encodePackWhereCheapest } from "./entry-codec";
import { isHashText, type ChainHead, type SealedEntry } from "./chain";
import type { SignedHead } from "./head-signature";
import type { SigningKeyStore } from "./signing-key";
import { seqOfStreamId, streamIdOf } from "./stream-id";

/** The default stream name. */
export const DEFAULT_AUDIT_STREAM = "countersign:audit";

/** The Redis keys of one trail. */
export interface AuditKeys {
  readonly stream: string;
  readonly head: string;
  readonly signingKey: string;
  readonly turn: string;
  /** Hash `{seq, hash, segments}`: the last archived entry (`trail-archiver.ts`); the stream holds what follows. */
  readonly archive: string;
  /** String with a TTL: the instance archiving now. */
  readonly archiveLease: string;
}

/** The keys for a stream name. */
export function auditKeys(stream: string = DEFAULT_AUDIT_STREAM): AuditKeys {
  if (stream === "" || /[{}\s]/.test(stream)) {
    throw new AuditError(
      "COUNTERSIGN_AUDIT_BAD_CONFIG",
      `audit stream name ${JSON.stringify(stream)} must be non-empty, without braces or spaces`,
    );
  }
  return {
    stream,
    head: `{${stream}}:head`,
    signingKey: `{${stream}}:signing-key`,
    turn: `{${stream}}:turn`,
    archive: `{${stream}}:archive`,
    archiveLease: `{${stream}}:archive-lease`,
  };
}

/** The trail's storage in one Redis (any connection; the trail adds no client settings of its own). */
export class RedisAuditStore implements AuditStore, AuditReader, SigningKeyStore {
  readonly keys: AuditKeys;

  private readonly compress: boolean;

  /** `compress` (default false): store each append's entries as one deflated pack (`entry-codec.ts`); every kind is read back. */
  constructor(
    private readonly redis: Redis,
    stream: string = DEFAULT_AUDIT_STREAM,
    opts: { readonly compress?: boolean } = {},
  ) {
    this.keys = auditKeys(stream);
    this.compress = opts.compress === true;
  }

  /** How far the trail is archived (`trail-archiver.ts`): seq 0 and the genesis hash when nothing is. */
  async archiveState(): Promise<{ readonly seq: number; readonly hash: string; readonly segments: number }> {
    const h = await this.redis.hgetall(this.keys.archive);
    return { seq: Number(h["seq"] ?? 0), hash: h["hash"] ?? "0".repeat(64), segments: Number(h["segments"] ?? 0) };
  }

  async append(expected: ChainHead, entries: readonly SealedEntry[], head: SignedHead | null, instance: string): Promise<AppendOutcome> {
    if (entries.length === 0) throw new TypeError("append needs at least one entry");
    const last = entries[entries.length - 1] as SealedEntry;
    const args: (string | Buffer)[] = [
      String(expected.seq),
      expected.hash,
      String(last.seq),
      last.hash,
      head?.kid ?? "",
      head?.sig ?? "",
      instance,
      this.compress ? PACK_FIELD : PLAIN_FIELD,
    ];
    if (this.compress) args.push(streamIdOf((entries[0] as SealedEntry).seq), await encodePackWhereCheapest(entries.map((e) => e.line)));
    else for (const e of entries) args.push(streamIdOf(e.seq), e.line);
    const keys = [this.keys.stream, this.keys.head, this.keys.turn];
    const reply = await this.call("append to", () => APPEND_SCRIPT.run(this.redis, keys, args));
    if (!Array.isArray(reply)) throw unavailable(`unexpected reply from the append script: ${JSON.stringify(reply)}`);
    const [status, a, b] = reply;
    if (status === 1) return { ok: true };
    if ((status === 0 || status === 2) && typeof a === "string" && typeof b === "string") {
      const seq = Number(a);
      if (!Number.isSafeInteger(seq) || seq < 0 || !isHashText(b))
        throw unavailable(`the stored audit head is malformed (seq ${a}, hash ${b})`);
      return { ok: false, head: { seq, hash: b }, waitTurn: status === 2 };
    }
    if (status === -1) {
      throw unavailable(
        `the audit stream ${this.keys.stream} already holds entries past its head at seq ${expected.seq} (${String(a)}); ` +
          "writes are refused until the trail is inspected (countersign audit verify --redis)",
      );
    }
    throw unavailable(`unexpected reply from the append script: ${JSON.stringify(reply)}`);
  }

  /**
   * Signs the chain's end when no append has moved it since `head` (a checkpoint after a quiet spell); false
   * when it has moved (the instance that moved it signs its own appends).
   */
  async seal(head: SignedHead): Promise<boolean> {
    const reply = await this.call("sign the head of", () =>
      SEAL_SCRIPT.run(this.redis, [this.keys.head], [String(head.seq), head.hash, head.kid, head.sig]),
    );
    return reply === 1;
  }

  /**
   * The newest signed head, or null for an empty trail. While a checkpoint is pending (the chain's end is
   * past the signed head) it waits, up to `settleMs` (default 1 s), for a signature that covers the end it
   * found, so that an export or a sink started now includes what was recorded before it; after that it
   * answers the newest signed head there is.
   */
  async readHead(settleMs = 1_000): Promise<SignedHead | null> {
    let { signed, end } = await this.readHeads();
    const deadline = Date.now() + settleMs;
    const target = end?.seq ?? 0;
    while (signed !== null && signed.seq < target && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      ({ signed, end } = await this.readHeads());
    }
    return signed;
  }

  /** The newest signed head and the chain's end as the trail wrote it (past the signed head while a checkpoint is pending). */
  async readHeads(): Promise<{ readonly signed: SignedHead | null; readonly end: ChainHead | null }> {
    const [seq, hash, sseq, shash, kid, sig] = await this.call("read the head of", () =>
      this.redis.hmget(this.keys.head, "seq", "hash", "sseq", "shash", "kid", "sig"),
    );
    if (seq === null || seq === undefined) return { signed: null, end: null };
    const end = { seq: Number(seq), hash: hash ?? "" };
    // A signed head past the end cannot be (the head was put back by hand, as a rewind does): the end's own fields are the head then.
    const lagging = sseq !== null && sseq !== undefined && Number(sseq) <= end.seq;
    const signed: SignedHead = lagging
      ? { seq: Number(sseq), hash: shash ?? "", alg: "EdDSA", kid: kid ?? "", sig: sig ?? "" }
      : { seq: end.seq, hash: end.hash, alg: "EdDSA", kid: kid ?? "", sig: sig ?? "" };
    return { signed, end };
  }

  async readAscending(afterId: string | null, count: number): Promise<StoredRecord[]> {
    const after = afterId === null ? null : seqOfStreamId(afterId);
    let out: StoredRecord[] = [];
    let start = afterId === null ? "-" : `(${afterId}`;
    if (after !== null) {
      // The entry after `after` may sit inside a pack that starts at or before it: that pack's rest comes first.
      const [holding] = await this.call("read", () => this.redis.xrevrangeBuffer(this.keys.stream, streamIdOf(after + 1), "-", "COUNT", 1));
      if (holding !== undefined) {
        out = toRecords(holding).filter((r) => r.idSeq === null || r.idSeq > after);
        start = `(${holding[0].toString("latin1")}`;
      }
    }
    // (An `afterId` not of the chain's form, in a tampered stream, is read past by id.)
    return this.collect(
      out,
      count,
      start,
      (from, n) => this.redis.xrangeBuffer(this.keys.stream, from, "+", "COUNT", n),
      (r) => r,
    );
  }

  async readDescending(beforeId: string | null, count: number): Promise<StoredRecord[]> {
    if (beforeId === "0-0") return [];
    const before = beforeId === null ? null : seqOfStreamId(beforeId);
    const end = beforeId === null ? "+" : `(${beforeId}`;
    // A pack starting before `before` may run past it: only its entries before it.
    const keep = (records: StoredRecord[]): StoredRecord[] =>
      before === null ? records.reverse() : records.reverse().filter((r) => r.idSeq === null || r.idSeq < before);
    return this.collect([], count, end, (from, n) => this.redis.xrevrangeBuffer(this.keys.stream, from, "-", "COUNT", n), keep);
  }

  /**
   * Reads stream entries from `from` on (exclusive after the first call) until `count` records are in hand
   * or the stream ends. A stream entry holds one record or a pack of many, so each read asks for as many
   * stream entries as the records per entry seen so far say are still needed: text pages take two reads,
   * and a page of packs does not inflate dozens of packs only to drop them.
   */
  private async collect(
    out: StoredRecord[],
    count: number,
    from: string,
    read: (from: string, n: number) => Promise<[Buffer, Buffer[]][]>,
    keep: (records: StoredRecord[]) => StoredRecord[],
  ): Promise<StoredRecord[]> {
    let rows = 0;
    let records = 0;
    let cursor = from;
    while (out.length < count) {
      const want = count - out.length;
      const n = rows === 0 ? Math.min(want, 8) : Math.max(1, Math.min(want, Math.ceil(want / Math.max(1, records / rows))));
      const page = await this.call("read", () => read(cursor, n));
      for (const row of page) {
        const got = toRecords(row);
        rows++;
        records += got.length;
        for (const r of keep(got)) out.push(r);
      }
      if (page.length < n) break;
      cursor = `(${(page[page.length - 1] as [Buffer, Buffer[]])[0].toString("latin1")}`;
    }
    return out.slice(0, count);
  }

  /** Removes the entries up to seq `seq` from the stream (they are archived); a pack that runs past `seq` stays whole. */
  async trimThrough(seq: number): Promise<void> {
    const [holding] = await this.call("read", () => this.redis.xrevrangeBuffer(this.keys.stream, streamIdOf(seq + 1), "-", "COUNT", 1));
    const lastHeld = holding === undefined ? null : (toRecords(holding).at(-1)?.idSeq ?? null);
    const keepFrom = holding !== undefined && lastHeld !== null && lastHeld > seq ? holding[0].toString("latin1") : streamIdOf(seq + 1);
    await this.call("trim", () => this.redis.xtrim(this.keys.stream, "MINID", keepFrom));
  }

  async ensureSigningKey(pem: string): Promise<string> {
    return this.call("store the signing key of", async () => {
      await this.redis.set(this.keys.signingKey, pem, "NX");
      const stored = await this.redis.get(this.keys.signingKey);
      if (stored === null) throw new Error("the signing key vanished right after SET NX");
      return stored;
    });
  }

  /** The generated signing key stored in Redis, or null when there is none (a configured key is never stored). */
  async readSigningKey(): Promise<string | null> {
    return this.call("read the signing key of", () => this.redis.get(this.keys.signingKey));
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AuditError) throw err;
      throw unavailable(`cannot ${what} the audit trail in Redis: ${(err as Error).message}`, err);
    }
  }
}

/** The entries of one stream entry: one, or a pack's, each with the id of its seq; a checkpoint's signature goes with the last. */
function toRecords([idBytes, fields]: [Buffer, Buffer[]]): StoredRecord[] {
  const id = idBytes.toString("latin1");
  let lines: string[] = [];
  let packed = false;
  let kid: string | undefined;
  let sig: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = (fields[i] as Buffer).toString("latin1");
    const value = fields[i + 1] as Buffer;
    if (name === PLAIN_FIELD) lines = [value.toString("utf8")];
    else if (name === DEFLATE_FIELD) lines = [decoded(value)];
    else if (name === PACK_FIELD) {
      lines = unpacked(value);
      packed = true;
    } else if (name === "kid") kid = value.toString("utf8");
    else if (name === "sig") sig = value.toString("utf8");
  }
  if (lines.length === 0) lines = [""];
  const firstSeq = seqOfStreamId(id);
  const records = lines.map((line, i): StoredRecord => {
    // A pack at an id not of the chain's form (tampering) keeps that id for each of its entries.
    const idSeq = firstSeq === null ? null : firstSeq + i;
    return { id: !packed || idSeq === null ? id : streamIdOf(idSeq), idSeq, line };
  });
  if (kid === undefined || sig === undefined) return records;
  const last = records[records.length - 1] as StoredRecord;
  const link = checkpointLink(last.line);
  if (link !== null) records[records.length - 1] = { ...last, checkpoint: { ...link, alg: "EdDSA" as const, kid, sig } };
  return records;
}

/** The texts of a pack; bytes that do not inflate read as one text that is no entry, which verify reports as malformed. */
function unpacked(value: Buffer): string[] {
  try {
    return decodePack(value);
  } catch (err) {
    return [`undecodable stored pack: ${(err as Error).message}`];
  }
}

/** The text of a deflated entry; bytes that do not inflate read as text that is no entry, which verify reports as malformed. */
function decoded(value: Buffer): string {
  try {
    return decodeEntry(value);
  } catch (err) {
    return `undecodable stored entry: ${(err as Error).message}`;
  }
}

/** The seq and hash of a checkpoint's entry (the signature covers them); null when the text does not parse. */
function checkpointLink(line: string): ChainHead | null {
  try {
    const { seq, hash } = JSON.parse(line) as { seq?: unknown; hash?: unknown };
    return typeof seq === "number" && typeof hash === "string" ? { seq, hash } : null;
  } catch {
    return null;
  }
}

function unavailable(message: string, cause?: unknown): AuditError {
  return new AuditError("COUNTERSIGN_AUDIT_UNAVAILABLE", message, cause === undefined ? undefined : { cause });
}
