/**
 * The signed range of an export: which seqs the export holds and the hash its first entry chains from,
 * signed with the audit key, so that an export that is partial says so in a signature and cutting entries
 * from its start is caught.
 *
 * Why: entries chain backwards, and the signed head pins only the end. Without a signature over the start,
 * deleting the oldest entries of a trail (or the first lines of an export) leaves a shorter chain that is
 * still internally consistent. The signed bytes are the canonical JSON of
 * `{typ, kid, from_seq, from_prev_hash, to_seq, head_seq, head_hash, partial, exported_at}`; `typ` keeps it
 * apart from head signatures.
 */

import { sign, verify } from "node:crypto";
import { canonicalJson } from "../json/canonical-json";
import type { ChainHead } from "./chain";
import type { AuditSigningKey, AuditVerificationKey } from "./signing-key";

/** The `typ` of the signed payload. */
export const EXPORT_RANGE_TYPE = "countersign.audit.export.v1";

/** What an export covers, as written in its head line. */
export interface ExportRangeInfo {
  readonly from_seq: number;
  readonly to_seq: number;
  /** True when the export does not start at seq 1. */
  readonly partial: boolean;
  readonly exported_at: string;
  /** The first entry's `prev_hash` (the genesis hash for a full export); present when the range is signed. */
  readonly from_prev_hash?: string;
  /** The id of the key that signed the range. */
  readonly kid?: string;
  /** Ed25519 signature over the range and the head it ends on, base64url. */
  readonly sig?: string;
}

/** The range fields that are signed, without the signature. */
export type ExportRangeClaim = Omit<ExportRangeInfo, "kid" | "sig"> & { readonly from_prev_hash: string };

function signingInput(range: ExportRangeClaim, head: ChainHead, kid: string): Buffer {
  return Buffer.from(
    canonicalJson({
      typ: EXPORT_RANGE_TYPE,
      kid,
      from_seq: range.from_seq,
      from_prev_hash: range.from_prev_hash,
      to_seq: range.to_seq,
      head_seq: head.seq,
      head_hash: head.hash,
      partial: range.partial,
      exported_at: range.exported_at,
    }),
    "utf8",
  );
}

/** The range with its signature by `key`, bound to the head the export ends on. */
export function signExportRange(range: ExportRangeClaim, head: ChainHead, key: AuditSigningKey): ExportRangeInfo {
  const kid = key.verification.kid;
  const sig = sign(null, signingInput(range, head, kid), key.privateKey).toString("base64url");
  return { ...range, kid, sig };
}

/** True when the range carries a valid signature by `key` over itself and `head`. */
export function verifyExportRange(range: ExportRangeInfo, head: ChainHead, key: AuditVerificationKey): boolean {
  if (typeof range.sig !== "string" || range.kid !== key.kid || typeof range.from_prev_hash !== "string") return false;
  try {
    return verify(null, signingInput(range as ExportRangeClaim, head, key.kid), key.publicKey, Buffer.from(range.sig, "base64url"));
  } catch {
    return false;
  }
}
