// Appending runes, integers in any base and runs of bytes to the core's ByteWriter, for builtin results.

import { ByteWriter, writeCodePoint } from "../byte-writer";

/** Appends a code point as UTF-8; surrogates and values beyond U+10FFFF become U+FFFD, as in Go. */
export function appendRune(w: ByteWriter, c: i32): void {
  if (c < 0 || c > 0x10ffff || (c >= 0xd800 && c < 0xe000)) c = 0xfffd;
  w.reserve(4);
  w.len = writeCodePoint(w.ptr + w.len, <u32>c) - w.ptr;
}

/** Appends the digits of an unsigned integer in base 2 to 16 (lower-case letters). */
export function appendUnsigned(w: ByteWriter, v: u64, base: u32 = 10): void {
  let digits: usize = 1;
  let t = v;
  while (t >= <u64>base) {
    t /= <u64>base;
    digits++;
  }
  w.reserve(digits);
  let end = w.ptr + w.len + digits;
  for (let i: usize = 1; i <= digits; i++) {
    let d = <u32>(v % <u64>base);
    v /= <u64>base;
    store<u8>(end - i, <u8>(d < 10 ? 0x30 + d : 0x57 + d));
  }
  w.len += digits;
}

/** Appends a signed integer in decimal, zero-padded to at least `width` digits (the sign not counted). */
export function appendPadded(w: ByteWriter, v: i64, width: i32): void {
  let u = <u64>v;
  if (v < 0) {
    w.byte(0x2d);
    u = <u64>(-v);
  }
  let digits = 1;
  let t = u;
  while (t >= 10) {
    t /= 10;
    digits++;
  }
  appendRepeated(w, 0x30, width - digits);
  appendUnsigned(w, u);
}

/** Appends `n` copies of byte `b` (nothing when n <= 0). */
export function appendRepeated(w: ByteWriter, b: u32, n: i32): void {
  if (n <= 0) return;
  w.reserve(<usize>n);
  memory.fill(w.ptr + w.len, <u8>b, <usize>n);
  w.len += <usize>n;
}

/** Appends an AssemblyScript string made only of ASCII characters. */
export function appendAscii(w: ByteWriter, s: string): void {
  let n = <usize>s.length;
  w.reserve(n);
  let src = changetype<usize>(s);
  let out = w.ptr + w.len;
  for (let i: usize = 0; i < n; i++) store<u8>(out + i, <u8>load<u16>(src + (i << 1)));
  w.len += n;
}

/** The last byte written; the writer must not be empty. */
// @ts-ignore: decorator
@inline export function lastByte(w: ByteWriter): u32 {
  return <u32>load<u8>(w.ptr + w.len - 1);
}

/** The bytes written so far as an AssemblyScript string (for error messages). */
export function writerToString(w: ByteWriter): string {
  return String.UTF8.decodeUnsafe(w.ptr, w.len);
}
