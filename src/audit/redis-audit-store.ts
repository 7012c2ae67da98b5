/**
 * The audit trail's system of record in Redis: a Stream that is never trimmed, a head hash, and the
 * generated signing key when none is configured.
 *
 * Layout (for the default stream name `countersign:audit`):
 * - `countersign:audit`: Stream; entry seq N at id `N-0`, field `e` = the entry's canonical JSON; the
 *   last entry of each append also has `kid` and `sig`, the signed head at that point (a checkpoint).
 * - `{countersign:audit}:head`: Hash `{seq, hash, kid, sig}`, the signed head, updated in the same script
 *   as the XADDs.
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
import { APPEND_SCRIPT } from "./append-script";
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
    throw new AuditError("COUNTERSIGN_AUDIT_BAD_CONFIG", `audit stream name ${JSON.stringify(stream)} must be non-empty, without braces or spaces`);
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

  constructor(
    private readonly redis: Redis,
    stream: string = DEFAULT_AUDIT_STREAM,
  ) {
    this.keys = auditKeys(stream);
  }

  /** How far the trail is archived (`trail-archiver.ts`): seq 0 and the genesis hash when nothing is. */
  async archiveState(): Promise<{ readonly seq: number; readonly hash: string; readonly segments: number }> {
    const h = await this.redis.hgetall(this.keys.archive);
    return { seq: Number(h["seq"] ?? 0), hash: h["hash"] ?? "0".repeat(64), segments: Number(h["segments"] ?? 0) };
  }

  async append(expected: ChainHead, entries: readonly SealedEntry[], head: SignedHead, instance: string): Promise<AppendOutcome> {
    if (entries.length === 0) throw new TypeError("append needs at least one entry");
    const args: string[] = [String(expected.seq), expected.hash, String(head.seq), head.hash, head.kid, head.sig, instance];
    for (const e of entries) args.push(streamIdOf(e.seq), e.line);
    const keys = [this.keys.stream, this.keys.head, this.keys.turn];
    const reply = await this.call("append to", () => APPEND_SCRIPT.run(this.redis, keys, args));
    if (!Array.isArray(reply)) throw unavailable(`unexpected reply from the append script: ${JSON.stringify(reply)}`);
    const [status, a, b] = reply;
    if (status === 1) return { ok: true };
    if ((status === 0 || status === 2) && typeof a === "string" && typeof b === "string") {
      const seq = Number(a);
      if (!Number.isSafeInteger(seq) || seq < 0 || !isHashText(b)) throw unavailable(`the stored audit head is malformed (seq ${a}, hash ${b})`);
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

  async readHead(): Promise<SignedHead | null> {
    const [seq, hash, kid, sig] = await this.call("read the head of", () => this.redis.hmget(this.keys.head, "seq", "hash", "kid", "sig"));
    if (seq === null || seq === undefined) return null;
    return { seq: Number(seq), hash: hash ?? "", alg: "EdDSA", kid: kid ?? "", sig: sig ?? "" };
  }

  async readAscending(afterId: string | null, count: number): Promise<StoredRecord[]> {
    const start = afterId === null ? "-" : `(${afterId}`;
    const rows = await this.call("read", () => this.redis.xrange(this.keys.stream, start, "+", "COUNT", count));
    return rows.map(toRecord);
  }

  async readDescending(beforeId: string | null, count: number): Promise<StoredRecord[]> {
    if (beforeId === "0-0") return [];
    const end = beforeId === null ? "+" : `(${beforeId}`;
    const rows = await this.call("read", () => this.redis.xrevrange(this.keys.stream, end, "-", "COUNT", count));
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

function toRecord([id, fields]: [string, string[]]): StoredRecord {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] as string, fields[i + 1] as string);
  const kid = map.get("kid");
  const sig = map.get("sig");
  const idSeq = seqOfStreamId(id);
  const line = map.get("e") ?? "";
  if (kid === undefined || sig === undefined) return { id, idSeq, line };
  const link = checkpointLink(line);
  return { id, idSeq, line, ...(link === null ? {} : { checkpoint: { ...link, alg: "EdDSA" as const, kid, sig } }) };
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
