/**
 * Masking for the audit trail: the shared pointer walker (`src/json/document-masking.ts`: the policy's
 * `mask` pointers and the always-masked secret member names) with a salted digest as the replacement. Each
 * masked value becomes `{"$masked": "sha256:<hex>"}`, where hex is HMAC-SHA256(salt, canonical JSON of the
 * value).
 *
 * Why a keyed digest rather than a plain hash or a blank: an auditor who holds the value (and the
 * deployment's salt) can prove what was sent by recomputing the digest, while a reader of the log alone
 * cannot confirm guesses of low-entropy values (a plain SHA-256 of "hunter2" is one dictionary lookup away).
 * Logs, approval views and Teams cards show the same values as `[MASKED]` instead.
 */

import { createHmac } from "node:crypto";
import type { JsonValue } from "../bundle/bundle";
import { ALWAYS_MASKED_KEYS, maskJson, normaliseKey } from "../json/document-masking";
import { canonicalJson } from "../json/canonical-json";

export { ALWAYS_MASKED_KEYS, normaliseKey };

/** What a masked value is replaced with. */
export interface MaskedValue {
  readonly $masked: string;
}

/** The digest text for a value: `sha256:` + hex HMAC-SHA256(salt, canonical JSON of the value). */
export function maskDigest(value: unknown, salt: Uint8Array): string {
  return "sha256:" + createHmac("sha256", salt).update(canonicalJson(value), "utf8").digest("hex");
}

/** The marker that replaces a value. */
export function maskedMarker(value: unknown, salt: Uint8Array): MaskedValue {
  return { $masked: maskDigest(value, salt) };
}

/** True for a masking marker (a one-member object `{"$masked": string}`). */
export function isMaskedMarker(value: unknown): value is MaskedValue {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  // Asked of every object the masking walk passes (an entire decision input): most have no `$masked` member,
  // and this answers them without listing their members.
  if (!Object.prototype.hasOwnProperty.call(value, "$masked")) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === "$masked" && typeof (value as MaskedValue).$masked === "string";
}

/** How to mask a document. */
export interface MaskOptions {
  /** The per-deployment secret keying the digests. */
  readonly salt: Uint8Array;
  /** JSON pointers (RFC 6901) whose values are masked; pointers naming nothing are ignored. */
  readonly pointers?: readonly string[];
  /** Normalised member names masked anywhere; default ALWAYS_MASKED_KEYS. Pass an empty set to mask pointers only. */
  readonly keys?: ReadonlySet<string>;
}

/** A masked copy of a document and what was masked. */
export interface MaskResult {
  readonly value: JsonValue;
  /** Pointers (into the document) of every value that was replaced, in document order of discovery. */
  readonly masked: readonly string[];
  /** Pointers given that are not valid RFC 6901 text (nothing was masked for them). */
  readonly invalidPointers: readonly string[];
}

/**
 * Masks a JSON document: the values at `pointers`, then every member whose normalised name is in `keys`.
 * The input is not modified; a value that is already a marker is left as it is, so masking twice is harmless.
 * An invalid pointer masks nothing and is reported (the audit event's own fields must survive it).
 */
export function maskDocument(document: JsonValue, opts: MaskOptions): MaskResult {
  const salt = opts.salt;
  return maskJson(document, opts.pointers ?? [], {
    replace: (value) => maskedMarker(value, salt),
    isMasked: isMaskedMarker,
    invalidPointers: "ignore",
    ...(opts.keys === undefined ? {} : { keys: opts.keys }),
  });
}
