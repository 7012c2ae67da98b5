/**
 * Canonical JSON (RFC 8785, JSON Canonicalization Scheme): the text the audit chain hashes, masked values
 * are digested from and grants bind actions with.
 *
 * JCS is ECMAScript's own JSON serialisation with object members sorted by their names' UTF-16 code units:
 * strings and numbers are written exactly as `JSON.stringify` writes them. This writer is the hot part of
 * every audit append (a decision event carries the whole policy input), so it avoids a `JSON.stringify`
 * call per plain string (text with nothing to escape is quoted as it is) and quotes each member name once
 * (`memberPrefix`: a bounded cache, as names repeat from one event to the next). The
 * `canonicalize` package is the reference it is tested against (test/json/canonical-json.test.ts);
 * it is about three times slower on decision events.
 *
 * Only JSON data is accepted: a value JSON cannot carry (NaN, ±Infinity, a bigint, a function, a symbol,
 * or undefined as the whole value) is a TypeError, never a silent `null`. As with JSON.stringify, members
 * whose value is undefined are left out and an undefined array element is `null`; objects with a `toJSON`
 * method (Date) are written as what it returns.
 */

/** Characters a JSON string must escape: quote, backslash, controls, and any surrogate (lone ones are escaped). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `"name":` for member names seen before: names repeat from one event to the next, so each is checked and quoted once. */
const quotedNames = new Map<string, string>();
/** At most this many names of at most this many characters are kept (≤ 640 K characters in all). */
const MAX_QUOTED_NAMES = 10_000;
const MAX_QUOTED_NAME_LENGTH = 64;

/** The member name's quoted text followed by a colon. */
export function memberPrefix(key: string): string {
  let quoted = quotedNames.get(key);
  if (quoted === undefined) {
    quoted = (NEEDS_ESCAPE.test(key) ? JSON.stringify(key) : '"' + key + '"') + ":";
    if (key.length <= MAX_QUOTED_NAME_LENGTH) {
      // A flood of distinct names empties the cache rather than growing it.
      if (quotedNames.size >= MAX_QUOTED_NAMES) quotedNames.clear();
      quotedNames.set(key, quoted);
    }
  }
  return quoted;
}

/** The RFC 8785 canonical text of a JSON value. */
export function canonicalJson(value: unknown): string {
  return write(value);
}

function write(value: unknown): string {
  switch (typeof value) {
    case "string":
      return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : '"' + value + '"';
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`${value} has no JSON representation`);
      // Number#toString is JCS's number format (and JSON.stringify's), -0 included ("0").
      return value === 0 ? "0" : String(value);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      if (value === null) return "null";
      if (Array.isArray(value)) return writeArray(value);
      if (typeof (value as { toJSON?: unknown }).toJSON === "function") return write((value as { toJSON(): unknown }).toJSON());
      return writeObject(value as Record<string, unknown>);
    default:
      throw new TypeError(`${typeof value === "undefined" ? "undefined" : `a ${typeof value}`} has no JSON representation`);
  }
}

function writeArray(items: readonly unknown[]): string {
  let out = "[";
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ",";
    const item = items[i];
    // As JSON.stringify: an undefined array element (a hole) is null.
    out += item === undefined ? "null" : write(item);
  }
  return out + "]";
}

function writeObject(record: Record<string, unknown>): string {
  // Array#sort without a comparator orders by UTF-16 code units: JCS's order.
  const keys = Object.keys(record);
  if (keys.length > 1) keys.sort();
  let out = "{";
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    if (!first) out += ",";
    first = false;
    out += memberPrefix(key) + write(member);
  }
  return out + "}";
}
