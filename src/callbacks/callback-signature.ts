/**
 * Signing callback bodies: `X-Countersign-Signature: sha256=<hex HMAC-SHA256 of the raw body>` with the
 * configured secret, and `X-Countersign-Timestamp` (Unix seconds). The body carries the same `timestamp`,
 * so it is covered by the signature: receivers verify the HMAC over the raw bytes, then check that the
 * header and body timestamps agree and are recent, and de-duplicate on `delivery.id`.
 */

import { createHmac, timingSafeEqual } from "node:crypto";

/** The signature header. */
export const SIGNATURE_HEADER = "X-Countersign-Signature";
/** The timestamp header. */
export const TIMESTAMP_HEADER = "X-Countersign-Timestamp";
/** The delivery id header (stable across retries of one delivery). */
export const DELIVERY_HEADER = "X-Countersign-Delivery";

/** `sha256=<hex>` for a raw body. */
export function signCallbackBody(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Constant-time check of a signature header value against a raw body (for receivers and tests). */
export function verifyCallbackSignature(body: string | Buffer, secret: string, header: string | undefined): boolean {
  if (typeof header !== "string") return false;
  const expected = Buffer.from(signCallbackBody(body, secret));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
