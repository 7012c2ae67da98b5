/**
 * The HMAC builtins: `crypto.hmac.md5`, `.sha1`, `.sha256`, `.sha512` (hex digests of a message under a key,
 * both taken as UTF-8 text) and `crypto.hmac.equal` (a constant-time comparison of two MACs).
 */

import { createHmac, timingSafeEqual } from "node:crypto";
import { stringOperand, type HostBuiltinFamily } from "./operands";

function hmac(algorithm: "md5" | "sha1" | "sha256" | "sha512"): (message: unknown, key: unknown) => string {
  const name = `crypto.hmac.${algorithm}`;
  return (message, key) => {
    const m = stringOperand(name, 1, message);
    const k = stringOperand(name, 2, key);
    return createHmac(algorithm, Buffer.from(k, "utf8")).update(Buffer.from(m, "utf8")).digest("hex");
  };
}

function hmacEqual(mac1: unknown, mac2: unknown): boolean {
  const a = Buffer.from(stringOperand("crypto.hmac.equal", 1, mac1), "utf8");
  const b = Buffer.from(stringOperand("crypto.hmac.equal", 2, mac2), "utf8");
  // Like Go's hmac.Equal: unequal lengths answer at once, equal lengths compare in constant time.
  return a.length === b.length && timingSafeEqual(a, b);
}

export const HMAC_BUILTINS: HostBuiltinFamily = {
  "crypto.hmac.md5": hmac("md5"),
  "crypto.hmac.sha1": hmac("sha1"),
  "crypto.hmac.sha256": hmac("sha256"),
  "crypto.hmac.sha512": hmac("sha512"),
  "crypto.hmac.equal": hmacEqual,
};
