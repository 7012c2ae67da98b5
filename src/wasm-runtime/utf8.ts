// UTF-8 helpers for string values: code points (Rego counts and indexes strings by them) and conversions
// to and from AssemblyScript strings.

import { ByteWriter } from "./byte-writer";
import { StringBox, newStringRef } from "./value";

/** The number of code points in the UTF-8 bytes at (ptr, len): every byte that does not continue one. */
export function codePointCount(ptr: usize, len: usize): u32 {
  let count: u32 = 0;
  let p = ptr;
  let end = ptr + len;
  while (p + 8 <= end) {
    // count the bytes of a word that are not 10xxxxxx continuation bytes
    let w = load<u64>(p);
    let continuation = (w & ~(w << 1)) & 0x8080_8080_8080_8080;
    count += 8 - <u32>popcnt(continuation);
    p += 8;
  }
  while (p < end) {
    if ((load<u8>(p) & 0xc0) != 0x80) count++;
    p++;
  }
  return count;
}

/** The number of code points of a string value (Rego's `count` of a string). */
export function stringCodePoints(v: usize): u32 {
  let s = changetype<StringBox>(v);
  return codePointCount(s.ptr, s.len);
}

/**
 * The byte offset of code point `n` in the UTF-8 bytes at (ptr, len), or `len` when there are at most n
 * code points.
 */
export function codePointOffset(ptr: usize, len: usize, n: u32): usize {
  let p: usize = 0;
  while (p < len) {
    if ((load<u8>(ptr + p) & 0xc0) != 0x80) {
      if (n == 0) return p;
      n--;
    }
    p++;
  }
  return len;
}

/** The code point starting at `ptr` (before `end`); U+FFFD for a malformed sequence. See codePointSize. */
export function decodeCodePoint(ptr: usize, end: usize): u32 {
  let b0 = <u32>load<u8>(ptr);
  if (b0 < 0x80) return b0;
  let size = codePointSize(ptr, end);
  if (size == 1) return 0xfffd;
  let c: u32 = size == 2 ? b0 & 0x1f : size == 3 ? b0 & 0x0f : b0 & 0x07;
  for (let i: usize = 1; i < size; i++) c = (c << 6) | (<u32>load<u8>(ptr + i) & 0x3f);
  return c;
}

/** The number of bytes of the code point starting at `ptr`: 1 to 4, and 1 for a malformed byte. */
export function codePointSize(ptr: usize, end: usize): usize {
  let b0 = <u32>load<u8>(ptr);
  let size: usize = b0 < 0x80 ? 1 : b0 < 0xc2 ? 0 : b0 < 0xe0 ? 2 : b0 < 0xf0 ? 3 : b0 < 0xf5 ? 4 : 0;
  if (size <= 1) return 1;
  if (ptr + size > end) return 1;
  for (let i: usize = 1; i < size; i++) {
    if ((load<u8>(ptr + i) & 0xc0) != 0x80) return 1;
  }
  return size;
}

/** A string value holding the UTF-8 encoding of an AssemblyScript string. */
export function stringFromAS(s: string): usize {
  if (s.length == 0) return newStringRef(0, 0);
  let w = new ByteWriter(<usize>s.length);
  w.text(s);
  return w.finishString();
}

/** The AssemblyScript string of a string value (malformed UTF-8 becomes U+FFFD). */
export function stringToAS(v: usize): string {
  let s = changetype<StringBox>(v);
  return String.UTF8.decodeUnsafe(s.ptr, s.len);
}
