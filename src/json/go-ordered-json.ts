/**
 * JSON with object keys sorted by their UTF-8 bytes at every level, as Go's encoder writes maps: the bytes
 * bundle revisions and bundle files are hashed over, matching OPA. Not RFC 8785 (`canonical-json.ts`, which
 * sorts by UTF-16 code units, is what the audit trail and grants hash); the two orders differ for keys
 * outside the Basic Multilingual Plane.
 */

import type { JsonValue } from "../bundle/bundle";

function isObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Serialises JSON with object keys sorted at every level, as Go's encoder writes maps: stable bytes for hashing. */
export function goOrderedJson(value: JsonValue): string {
  if (Array.isArray(value)) return "[" + value.map(goOrderedJson).join(",") + "]";
  if (isObject(value)) {
    const keys = Object.keys(value).sort(compareUtf16AsBytes);
    return "{" + keys.map((k) => JSON.stringify(k) + ":" + goOrderedJson(value[k]!)).join(",") + "}";
  }
  return JSON.stringify(value);
}

/** Orders strings by their UTF-8 bytes, the order Go sorts map keys in. */
function compareUtf16AsBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
