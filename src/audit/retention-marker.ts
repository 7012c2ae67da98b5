/**
 * A retention marker: the signed statement, kept in the archive, that the segments before a seq were deleted
 * by the retention policy and that the archive now starts there, from a stated `prev_hash`.
 *
 * Why: once old segments are deleted the chain no longer reaches seq 1, and "the oldest segments are gone"
 * looks the same whether retention deleted them or someone else did. The archiver writes a marker (signed
 * with the audit key, never replaced) before it deletes anything; the verifier then starts the chain at the
 * newest marker's seq, requires the first kept entry to link to the marker's `from_prev_hash`, and says so in
 * its verdict. Segments deleted without a marker are `missing`, as before. The signed bytes are the canonical
 * JSON of `{typ, kid, from_seq, from_prev_hash, deleted_at, retention_days}`.
 */

import { sign, verify } from "node:crypto";
import { canonicalJson } from "../json/canonical-json";
import type { AuditSigningKey, AuditVerificationKey } from "./signing-key";

/** The `typ` of the signed payload. */
export const RETENTION_MARKER_TYPE = "countersign.audit.retention.v1";

/** What a marker states. */
export interface RetentionClaim {
  /** The first seq the archive keeps; every seq before it was deleted. */
  readonly from_seq: number;
  /** The hash of entry `from_seq - 1`, which entry `from_seq` links to. */
  readonly from_prev_hash: string;
  /** When the older segments were deleted (RFC 3339). */
  readonly deleted_at: string;
  /** The retention in force then. */
  readonly retention_days: number;
}

/** A marker as stored (JSON). */
export interface RetentionMarker extends RetentionClaim {
  readonly typ: typeof RETENTION_MARKER_TYPE;
  readonly kid: string;
  /** Ed25519 over the claim, base64url. */
  readonly sig: string;
}

function signingInput(claim: RetentionClaim, kid: string): Buffer {
  return Buffer.from(
    canonicalJson({
      typ: RETENTION_MARKER_TYPE,
      kid,
      from_seq: claim.from_seq,
      from_prev_hash: claim.from_prev_hash,
      deleted_at: claim.deleted_at,
      retention_days: claim.retention_days,
    }),
    "utf8",
  );
}

/** The claim signed by `key`. */
export function signRetentionMarker(claim: RetentionClaim, key: AuditSigningKey): RetentionMarker {
  const kid = key.verification.kid;
  return { typ: RETENTION_MARKER_TYPE, kid, ...claim, sig: sign(null, signingInput(claim, kid), key.privateKey).toString("base64url") };
}

/** The marker in `bytes` when it parses and is signed by one of `keys`; otherwise why not. */
export function readRetentionMarker(bytes: Buffer, keys: readonly AuditVerificationKey[]): RetentionMarker | string {
  let m: Partial<RetentionMarker>;
  try {
    m = JSON.parse(bytes.toString("utf8")) as Partial<RetentionMarker>;
  } catch {
    return "is not JSON";
  }
  if (m === null || typeof m !== "object" || m.typ !== RETENTION_MARKER_TYPE) return "is not a retention marker";
  if (
    !Number.isSafeInteger(m.from_seq) ||
    typeof m.from_prev_hash !== "string" ||
    typeof m.deleted_at !== "string" ||
    typeof m.retention_days !== "number"
  ) {
    return "lacks from_seq, from_prev_hash, deleted_at or retention_days";
  }
  const key = keys.find((k) => k.kid === m.kid);
  if (key === undefined)
    return `is signed by key ${String(m.kid)}, not by the audit key${keys.length === 0 ? " (no key given: pass --key)" : ` ${keys.map((k) => k.kid).join(", ")}`}`;
  try {
    if (
      typeof m.sig === "string" &&
      verify(null, signingInput(m as RetentionClaim, key.kid), key.publicKey, Buffer.from(m.sig, "base64url"))
    )
      return m as RetentionMarker;
  } catch {
    // fall through
  }
  return "has a signature that does not verify (edited?)";
}
