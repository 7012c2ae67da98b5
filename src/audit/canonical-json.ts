/**
 * Canonical JSON (RFC 8785, JSON Canonicalization Scheme) for hashing entries and masked values.
 *
 * The `canonicalize` package implements JCS: object members sorted by UTF-16 code units, ECMAScript number
 * formatting, minimal string escapes. This module only pins its contract: a JSON value in, text out, and a
 * clear failure for values JSON cannot carry.
 */

import canonicalize from "canonicalize";

/** The RFC 8785 canonical text of a JSON value; throws on values JSON cannot represent (undefined, NaN, Infinity). */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError("value has no JSON representation");
  return text;
}
