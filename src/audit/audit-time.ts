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
  if (ns === null) throw new AuditError("COUNTERSIGN_AUDIT_BAD_QUERY", `${name} must be an RFC 3339 timestamp, got ${JSON.stringify(text)}`);
  return ns;
}
