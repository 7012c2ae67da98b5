// Base64 and base64url encoding and decoding with the exact acceptance rules of Go's encoding/base64.
//
// OPA's base64 builtins are thin wrappers over Go's StdEncoding, URLEncoding and RawURLEncoding; decoding
// ignores CR and LF, requires correct padding, and reports the offset of the first bad byte, which becomes
// the builtin's error message.

import { ByteWriter } from "../byte-writer";

const STD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Appends the base64 encoding of (p, n) to out: URL alphabet when `url`, '=' padding when `pad`. */
export function base64Encode(p: usize, n: i32, url: bool, pad: bool, out: ByteWriter): void {
  let alphabet = changetype<usize>(url ? URL_ALPHABET : STD_ALPHABET);
  out.reserve(<usize>(((n + 2) / 3) * 4));
  let i = 0;
  while (i + 3 <= n) {
    let v = (<u32>load<u8>(p + <usize>i) << 16) | (<u32>load<u8>(p + <usize>i, 1) << 8) | <u32>load<u8>(p + <usize>i, 2);
    out.byte(load<u16>(alphabet + ((<usize>(v >> 18) & 63) << 1)));
    out.byte(load<u16>(alphabet + ((<usize>(v >> 12) & 63) << 1)));
    out.byte(load<u16>(alphabet + ((<usize>(v >> 6) & 63) << 1)));
    out.byte(load<u16>(alphabet + ((<usize>v & 63) << 1)));
    i += 3;
  }
  let rest = n - i;
  if (rest == 0) return;
  let v = <u32>load<u8>(p + <usize>i) << 16;
  if (rest == 2) v |= <u32>load<u8>(p + <usize>i, 1) << 8;
  out.byte(load<u16>(alphabet + ((<usize>(v >> 18) & 63) << 1)));
  out.byte(load<u16>(alphabet + ((<usize>(v >> 12) & 63) << 1)));
  if (rest == 2) {
    out.byte(load<u16>(alphabet + ((<usize>(v >> 6) & 63) << 1)));
    if (pad) out.byte(0x3d);
  } else if (pad) {
    out.byte(0x3d);
    out.byte(0x3d);
  }
}

/** The 6-bit value of an alphabet character, or -1. */
// @ts-ignore: decorator
@inline function sextet(c: i32, url: bool): i32 {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 26;
  if (c >= 0x30 && c <= 0x39) return c - 0x30 + 52;
  if (url) {
    if (c == 0x2d) return 62;
    if (c == 0x5f) return 63;
  } else {
    if (c == 0x2b) return 62;
    if (c == 0x2f) return 63;
  }
  return -1;
}

// @ts-ignore: decorator
@inline function isNewline(c: i32): bool {
  return c == 0x0a || c == 0x0d;
}

/**
 * Decodes padded base64 from (p, n), appending the bytes to out (pass null to only validate). Returns -1
 * on success, else the input offset Go reports in "illegal base64 data at input byte N".
 */
export function base64Decode(p: usize, n: i32, url: bool, out: ByteWriter | null): i32 {
  let si = 0;
  if (out) out.reserve(<usize>((n / 4) * 3));
  while (true) {
    let q0 = 0, q1 = 0, q2 = 0, q3 = 0;
    let dlen = 4;
    let j = 0;
    while (j < 4) {
      if (si == n) {
        if (j == 0) return -1;
        return si - j;
      }
      let c = <i32>load<u8>(p + <usize>si);
      si++;
      let v = sextet(c, url);
      if (v >= 0) {
        if (j == 0) q0 = v;
        else if (j == 1) q1 = v;
        else if (j == 2) q2 = v;
        else q3 = v;
        j++;
        continue;
      }
      if (isNewline(c)) continue;
      if (c != 0x3d) return si - 1;
      // Padding: only after two or three characters of a quantum.
      if (j < 2) return si - 1;
      if (j == 2) {
        while (si < n && isNewline(<i32>load<u8>(p + <usize>si))) si++;
        if (si == n) return n;
        if (<i32>load<u8>(p + <usize>si) != 0x3d) return si - 1;
        si++;
      }
      while (si < n && isNewline(<i32>load<u8>(p + <usize>si))) si++;
      if (si < n) return si;
      dlen = j;
      break;
    }
    if (out) {
      let val = (<u32>q0 << 18) | (<u32>q1 << 12) | (<u32>q2 << 6) | <u32>q3;
      out.byte((val >> 16) & 0xff);
      if (dlen >= 3) out.byte((val >> 8) & 0xff);
      if (dlen == 4) out.byte(val & 0xff);
    }
    if (dlen < 4) return -1;
  }
  return -1;
}
