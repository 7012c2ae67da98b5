/**
 * Base64 decoding as Go's `encoding/base64` does it, errors included (`illegal base64 data at input byte 13`),
 * for builtins whose failures OPA reports in Go's words (JWT sections, PEM bodies, x509 inputs).
 */

const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function decodeMap(alphabet: string): Int8Array {
  const map = new Int8Array(256).fill(-1);
  for (let i = 0; i < alphabet.length; i++) map[alphabet.charCodeAt(i)] = i;
  return map;
}

const STD_MAP = decodeMap(STD);
const URL_MAP = decodeMap(URL);

/** A decoding failure, worded as Go's `base64.CorruptInputError`. */
export class GoBase64Error extends Error {
  constructor(readonly offset: number) {
    super(`illegal base64 data at input byte ${offset}`);
    this.name = "GoBase64Error";
  }
}

/**
 * Decodes base64 text (bytes of its UTF-8 form) as Go's padded `StdEncoding` or `URLEncoding` would: `\r` and
 * `\n` are skipped, padding is required for a final partial quantum, and the offset of the first bad byte is
 * reported. Trailing bits of a partial quantum are not checked (Go's decoders are not strict by default).
 */
export function goBase64Decode(text: string | Uint8Array, url = false): Buffer {
  const src = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  const map = url ? URL_MAP : STD_MAP;
  const out: number[] = [];
  let si = 0;
  for (;;) {
    const quantum = [0, 0, 0, 0];
    let dlen = 4;
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Buffer.from(out);
        throw new GoBase64Error(si - j);
      }
      const c = src[si]!;
      si++;
      const v = map[c]!;
      if (v >= 0) {
        quantum[j] = v;
        continue;
      }
      if (c === 0x0a || c === 0x0d) {
        j--;
        continue;
      }
      if (c !== 0x3d) throw new GoBase64Error(si - 1);
      // Padding: only in the last two places of a quantum, '=' or '==', and nothing but newlines after.
      if (j < 2) throw new GoBase64Error(si - 1);
      if (j === 2) {
        while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
        if (si === src.length) throw new GoBase64Error(src.length);
        if (src[si] !== 0x3d) throw new GoBase64Error(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
      if (si < src.length) throw new GoBase64Error(si);
      dlen = j;
      break;
    }
    const n = (quantum[0]! << 18) | (quantum[1]! << 12) | (quantum[2]! << 6) | quantum[3]!;
    if (dlen >= 2) out.push((n >> 16) & 0xff);
    if (dlen >= 3) out.push((n >> 8) & 0xff);
    if (dlen >= 4) out.push(n & 0xff);
    if (dlen < 4) return Buffer.from(out);
  }
}

/**
 * OPA's `base64url.decode`, which JWT sections go through: unpadded input is padded first (RFC 7515
 * appendix C); a length that cannot be padded is `illegal base64url string: <s>`.
 */
export function opaBase64UrlDecode(s: string): Buffer {
  let padded = s;
  if (!s.endsWith("=")) {
    switch (s.length % 4) {
      case 0:
        break;
      case 2:
        padded += "==";
        break;
      case 3:
        padded += "=";
        break;
      default:
        throw new Error(`illegal base64url string: ${s}`);
    }
  }
  return goBase64Decode(padded, true);
}

/** Unpadded base64url, as JWS compact serialisation writes its sections. */
export function base64UrlEncode(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString("base64url");
}
