// UTF-8 decoding over raw bytes with Go's rules, plus the Unicode case mapping Go's strings package uses.
//
// Rego strings are UTF-8 byte runs that may hold invalid sequences (base64.decode can produce them); like Go,
// a byte that does not start a valid sequence decodes as U+FFFD of width one, so counts and offsets agree
// with OPA's even on such input.

import { casemap } from "~lib/util/casemap";

/** The replacement character produced for invalid input. */
export const RUNE_ERROR: i32 = 0xfffd;

/** Width in bytes of the sequence read by the last `decodeRune`. */
export let runeWidth: i32 = 0;

/**
 * Decodes the code point starting at byte i of (p, n) and sets `runeWidth`; an invalid or truncated
 * sequence yields U+FFFD with width 1.
 */
export function decodeRune(p: usize, n: i32, i: i32): i32 {
  let b0 = <i32>load<u8>(p + <usize>i);
  if (b0 < 0x80) {
    runeWidth = 1;
    return b0;
  }
  let left = n - i;
  runeWidth = 1;
  if (b0 < 0xc2 || b0 > 0xf4) return RUNE_ERROR;
  if (b0 < 0xe0) {
    if (left < 2) return RUNE_ERROR;
    let b1 = <i32>load<u8>(p + <usize>i, 1);
    if ((b1 & 0xc0) != 0x80) return RUNE_ERROR;
    runeWidth = 2;
    return ((b0 & 0x1f) << 6) | (b1 & 0x3f);
  }
  if (b0 < 0xf0) {
    if (left < 3) return RUNE_ERROR;
    let b1 = <i32>load<u8>(p + <usize>i, 1);
    let lo = b0 == 0xe0 ? 0xa0 : 0x80;
    let hi = b0 == 0xed ? 0x9f : 0xbf;
    if (b1 < lo || b1 > hi) return RUNE_ERROR;
    let b2 = <i32>load<u8>(p + <usize>i, 2);
    if ((b2 & 0xc0) != 0x80) return RUNE_ERROR;
    runeWidth = 3;
    return ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
  }
  if (left < 4) return RUNE_ERROR;
  let b1 = <i32>load<u8>(p + <usize>i, 1);
  let lo = b0 == 0xf0 ? 0x90 : 0x80;
  let hi = b0 == 0xf4 ? 0x8f : 0xbf;
  if (b1 < lo || b1 > hi) return RUNE_ERROR;
  let b2 = <i32>load<u8>(p + <usize>i, 2);
  let b3 = <i32>load<u8>(p + <usize>i, 3);
  if ((b2 & 0xc0) != 0x80 || (b3 & 0xc0) != 0x80) return RUNE_ERROR;
  runeWidth = 4;
  return ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
}

/** Number of code points in (p, n), counting each invalid byte as one, like Go's utf8.RuneCountInString. */
export function runeCount(p: usize, n: i32): i32 {
  let count = 0;
  let i = 0;
  while (i < n) {
    if (load<u8>(p + <usize>i) < 0x80) {
      i++;
    } else {
      decodeRune(p, n, i);
      i += runeWidth;
    }
    count++;
  }
  return count;
}

/** True when every byte of (p, n) is ASCII. */
export function isAscii(p: usize, n: i32): bool {
  let i = 0;
  while (i + 8 <= n) {
    if ((load<u64>(p + <usize>i) & 0x8080808080808080) != 0) return false;
    i += 8;
  }
  while (i < n) {
    if (load<u8>(p + <usize>i) >= 0x80) return false;
    i++;
  }
  return true;
}

/** True when (p, n) is valid UTF-8. */
export function isValidUtf8(p: usize, n: i32): bool {
  let i = 0;
  while (i < n) {
    if (load<u8>(p + <usize>i) < 0x80) {
      i++;
      continue;
    }
    let r = decodeRune(p, n, i);
    if (r == RUNE_ERROR && runeWidth == 1) return false;
    i += runeWidth;
  }
  return true;
}

/** Byte offset of the code point with index k in (p, n), or n when the string has k or fewer code points. */
export function runeOffset(p: usize, n: i32, k: i32): i32 {
  let i = 0;
  while (k > 0 && i < n) {
    if (load<u8>(p + <usize>i) < 0x80) i++;
    else {
      decodeRune(p, n, i);
      i += runeWidth;
    }
    k--;
  }
  return i;
}

/** Go's unicode.ToLower for one code point (simple case mapping). */
export function toLowerRune(c: i32): i32 {
  if (c < 0x80) return c >= 0x41 && c <= 0x5a ? c + 32 : c;
  if (c >= 0x24b6 && c <= 0x24cf) return c + 26;
  if (c == 0x130) return 0x69;
  return casemap(<u32>c, 0) & 0x1fffff;
}

/** Go's unicode.ToUpper for one code point (simple case mapping). */
export function toUpperRune(c: i32): i32 {
  if (c < 0x80) return c >= 0x61 && c <= 0x7a ? c - 32 : c;
  if (c >= 0x24d0 && c <= 0x24e9) return c - 26;
  if (c == 0x131) return 0x49;
  if (c == 0xdf) return c; // ß has no simple upper-case mapping (musl's table gives ẞ)
  return casemap(<u32>c, 1) & 0x1fffff;
}

/** True for the code points Go's unicode.IsSpace accepts. */
export function isSpaceRune(c: i32): bool {
  if (c < 0x80) return c == 0x20 || (c >= 0x09 && c <= 0x0d);
  return (
    c == 0x85 ||
    c == 0xa0 ||
    c == 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c == 0x2028 ||
    c == 0x2029 ||
    c == 0x202f ||
    c == 0x205f ||
    c == 0x3000
  );
}
