/**
 * The last line of an exported trail: the signed head the export ends on, with the public key that
 * signed it and what range the export covers.
 *
 * `{"head": {seq, hash, alg, kid, sig, public_key?}, "export": {from_seq, to_seq, partial, exported_at,
 * from_prev_hash?, kid?, sig?}}`. The head's signature covers its `seq`, `hash` and `kid`; the export range's
 * signature (when the exporter held the audit key, see `export-range-signature.ts`) covers the range and the
 * head. `public_key` is a convenience that lets a trail verify without `--key`, which proves integrity
 * against that key but not that it is the deployment's key.
 */

import type { ExportRangeInfo } from "./export-range-signature";
import type { SignedHead } from "./head-signature";

/** The signed head as exported. */
export interface ExportedHead extends SignedHead {
  /** The signing key's raw public key, base64url (JWK `x`), when the exporter knew it. */
  readonly public_key?: string;
}

/** The whole head line. */
export interface HeadLine {
  readonly head: ExportedHead;
  readonly export?: ExportRangeInfo;
}

/** Reads a parsed line as a head line, or null when it is not one (entries have no `head` member). */
export function asHeadLine(value: unknown): HeadLine | null {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const head = (value as { head?: unknown }).head;
  if (head === null || typeof head !== "object" || Array.isArray(head)) return null;
  const h = head as { [key: string]: unknown };
  if (typeof h["seq"] !== "number" || typeof h["hash"] !== "string") return null;
  const range = (value as { export?: unknown }).export;
  if (range !== undefined && (range === null || typeof range !== "object" || Array.isArray(range))) return null;
  return value as HeadLine;
}
