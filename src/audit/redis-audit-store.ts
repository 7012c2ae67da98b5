/**
 * The audit trail's system of record in Redis: a Stream that is never trimmed, a head hash, and the
 * generated signing key when none is configured.
 *
 * Layout (for the default stream name `countersign:audit`):
 * - `countersign:audit`: Stream; entry seq N at id `N-0`, field `z` = the entry's canonical JSON deflated
 *   (`entry-codec.ts`), or `e` = the text itself (older entries, `compress: false`); the last entry of an
 *   append that is a checkpoint also has `kid` and `sig`, the signed head at that point.
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
import { DEFLATE_FIELD, PLAIN_FIELD, decodeEntry, encodeEntry } from "./entry-codec";
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

  /** `compress` (default false): store new entries deflated (`entry-codec.ts`); either kind is read back. */
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
      this.compress ? DEFLATE_FIELD : PLAIN_FIELD,
    ];
    for (const e of entries) args.push(streamIdOf(e.seq), this.compress ? encodeEntry(e.line) : e.line);
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
    const start = afterId === null ? "-" : `(${afterId}`;
    const rows = await this.call("read", () => this.redis.xrangeBuffer(this.keys.stream, start, "+", "COUNT", count));
    return rows.map(toRecord);
  }

  async readDescending(beforeId: string | null, count: number): Promise<StoredRecord[]> {
    if (beforeId === "0-0") return [];
    const end = beforeId === null ? "+" : `(${beforeId}`;
    const rows = await this.call("read", () => this.redis.xrevrangeBuffer(this.keys.stream, end, "-", "COUNT", count));
    return rows.map(toRecord);
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

function toRecord([idBytes, fields]: [Buffer, Buffer[]]): StoredRecord {
  const id = idBytes.toString("latin1");
  let line = "";
  let kid: string | undefined;
  let sig: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = (fields[i] as Buffer).toString("latin1");
    const value = fields[i + 1] as Buffer;
    if (name === PLAIN_FIELD) line = value.toString("utf8");
    else if (name === DEFLATE_FIELD) line = decoded(value);
    else if (name === "kid") kid = value.toString("utf8");
    else if (name === "sig") sig = value.toString("utf8");
  }
  const idSeq = seqOfStreamId(id);
  if (kid === undefined || sig === undefined) return { id, idSeq, line };
  const link = checkpointLink(line);
  return { id, idSeq, line, ...(link === null ? {} : { checkpoint: { ...link, alg: "EdDSA" as const, kid, sig } }) };
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
