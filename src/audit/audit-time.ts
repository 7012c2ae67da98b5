/**
 * Audit timestamps: RFC 3339 in UTC with nanoseconds (`2026-11-21T12:00:00.123456789Z`), the form OPA's
 * decision logs use, fixed-width so that text order is time order.
 */

import { AuditError } from "./audit-error";

const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;

/** Formats nanoseconds since the Unix epoch as RFC 3339 UTC with exactly nine fraction digits. */
export function formatTimestamp(ns: bigint): string {
  let seconds = ns / NS_PER_S;
  let frac = ns % NS_PER_S;
  if (frac < 0n) {
    frac += NS_PER_S;
    seconds -= 1n;
  }
  const iso = new Date(Number(seconds) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${iso.slice(0, 19)}.${frac.toString().padStart(9, "0")}Z`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/** Parses an RFC 3339 timestamp (any offset, up to nine fraction digits) to nanoseconds since the epoch; null when malformed. */
export function parseTimestamp(text: string): bigint | null {
  const m = RFC3339.exec(text);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, fracText, zone, sign, oh, om] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return null;
  // Date.UTC rolls over out-of-range fields; refuse instead of silently moving the instant.
  const check = new Date(ms);
  if (check.getUTCDate() !== Number(d) || check.getUTCHours() !== Number(h) || check.getUTCMinutes() !== Number(mi)) return null;
  let ns = BigInt(ms) * NS_PER_MS + BigInt((fracText ?? "").padEnd(9, "0") || "0");
  if (zone !== "Z" && zone !== "z") {
    const offsetMin = Number(oh) * 60 + Number(om);
    ns -= BigInt(sign === "-" ? -offsetMin : offsetMin) * 60n * NS_PER_S;
  }
  return ns;
}

/** Parses an RFC 3339 timestamp or throws COUNTERSIGN_AUDIT_BAD_QUERY naming the parameter. */
export function requireTimestamp(text: string, name: string): bigint {
  const ns = parseTimestamp(text);
  if (ns === null)
    throw new AuditError("COUNTERSIGN_AUDIT_BAD_QUERY", `${name} must be an RFC 3339 timestamp, got ${JSON.stringify(text)}`);
  return ns;
}

/**
 * The entry's own `timestamp` from its JSON text without parsing the whole entry: the member of the outermost
 * object, whatever nested objects (a decision's `input`) hold under the same name. Undefined when the text
 * has no such top-level string member, or is not JSON text the scan can follow.
 */
export function entryTimestampText(line: string): string | undefined {
  const key = '"timestamp"';
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(line, i);
      if (end < 0) return undefined;
      if (depth === 1 && expectKey && end - i + 1 === key.length && line.startsWith(key, i)) {
        let j = skipSpace(line, end + 1);
        if (line.charCodeAt(j) !== 0x3a /* : */) return undefined;
        j = skipSpace(line, j + 1);
        if (line.charCodeAt(j) !== 0x22) return undefined;
        const valueEnd = stringEnd(line, j);
        if (valueEnd < 0) return undefined;
        try {
          return JSON.parse(line.slice(j, valueEnd + 1)) as string;
        } catch {
          return undefined;
        }
      }
      expectKey = false;
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      expectKey = c === 0x7b && depth === 1;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    } else if (c === 0x2c /* , */ && depth === 1) {
      expectKey = true;
    }
  }
  return undefined;
}

/** The index of the quote closing the string that opens at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) return -1;
    let backslashes = 0;
    for (let k = q - 1; k > start && text.charCodeAt(k) === 0x5c; k--) backslashes++;
    if (backslashes % 2 === 0) return q;
    i = q + 1;
  }
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "\t")) i++;
  return i;
}
