/**
 * Verifying a signed approval callback on the receiving side: the HMAC-SHA256 of the raw body under the
 * shared secret (`X-Countersign-Signature: sha256=<hex>`), compared in constant time, and the timestamp
 * header agreeing with the body's and recent, so a captured delivery cannot be replayed later.
 */

import { createHmac, timingSafeEqual } from "node:crypto";

/** Headers as Node, fetch or a plain object hold them. */
export type CallbackHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** What `verifyCallback` accepts besides the message. */
export interface VerifyCallbackOptions {
  /** How far the timestamp may be from now, in seconds (default 300). */
  readonly toleranceSeconds?: number;
  /** The current time in epoch milliseconds (default Date.now()). */
  readonly nowMs?: number;
}

/** A verified callback: the parsed body. */
export interface VerifiedCallback {
  readonly body: Record<string, unknown>;
  readonly deliveryId: string | undefined;
  readonly timestamp: number;
}

/**
 * Checks a callback delivery; returns the parsed body, or null when the signature, the timestamp or the
 * body does not verify (never throws on hostile input).
 */
export function verifyCallback(
  headers: CallbackHeaders,
  rawBody: string | Uint8Array,
  secret: string,
  opts: VerifyCallbackOptions = {},
): VerifiedCallback | null {
  const signature = header(headers, "x-countersign-signature");
  const stamp = header(headers, "x-countersign-timestamp");
  if (signature === undefined || stamp === undefined || !/^\d{1,12}$/.test(stamp)) return null;
  const raw = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : Buffer.from(rawBody);
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`);
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const timestamp = Number(stamp);
  const now = (opts.nowMs ?? Date.now()) / 1000;
  if (Math.abs(now - timestamp) > (opts.toleranceSeconds ?? 300)) return null;
  let body: unknown;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch {
    return null;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return null;
  const inBody = (body as { timestamp?: unknown }).timestamp;
  if (inBody !== undefined && Number(inBody) !== timestamp) return null;
  return { body: body as Record<string, unknown>, deliveryId: header(headers, "x-countersign-delivery"), timestamp };
}

function header(headers: CallbackHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  for (const [key, value] of Object.entries(record)) {
    if (key.toLowerCase() !== name) continue;
    return Array.isArray(value) ? value[0] : (value as string | undefined);
  }
  return undefined;
}
