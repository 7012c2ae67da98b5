// A growable UTF-8 byte buffer on the heap: the output side of JSON dumps, messages and string building.

import { allocate, reallocate, shrink } from "./heap";
import { newStringRef } from "./value";

/** Appends bytes to a heap block that grows in place while it is the last block on the heap. */
@final export class ByteWriter {
  /** Start of the bytes written so far. */
  ptr: usize;
  /** Number of bytes written. */
  len: usize;
  /** Bytes available at `ptr`. */
  cap: usize;

  constructor(cap: usize = 64) {
    this.ptr = allocate(cap);
    this.len = 0;
    this.cap = cap;
  }

  /** Makes room for `n` more bytes. */
  // @ts-ignore: decorator
  @inline reserve(n: usize): void {
    if (this.len + n > this.cap) this.grow(n);
  }

  private grow(n: usize): void {
    let cap = max(this.cap << 1, this.len + n + 16);
    this.ptr = reallocate(this.ptr, this.cap, cap);
    this.cap = cap;
  }

  /** Appends one byte. */
  // @ts-ignore: decorator
  @inline byte(b: u32): void {
    this.reserve(1);
    store<u8>(this.ptr + this.len, <u8>b);
    this.len += 1;
  }

  /** Appends the `n` bytes at `src`. */
  bytes(src: usize, n: usize): void {
    this.reserve(n);
    memory.copy(this.ptr + this.len, src, n);
    this.len += n;
  }

  /** Appends an AssemblyScript string, encoded as UTF-8 (lone surrogates become U+FFFD). */
  text(s: string): void {
    let n = <usize>s.length;
    let src = changetype<usize>(s);
    this.reserve(n * 3);
    let out = this.ptr + this.len;
    for (let i: usize = 0; i < n; i++) {
      let c = <u32>load<u16>(src + (i << 1));
      if (c < 0x80) {
        store<u8>(out++, <u8>c);
        continue;
      }
      if (c >= 0xd800 && c < 0xe000) {
        let lo: u32 = i + 1 < n ? <u32>load<u16>(src + ((i + 1) << 1)) : 0;
        if (c < 0xdc00 && lo >= 0xdc00 && lo < 0xe000) {
          // a surrogate pair: 4 bytes, for the 2 code units already reserved as 6
          c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
          i++;
        } else {
          c = 0xfffd;
        }
      }
      out = writeCodePoint(out, c);
    }
    this.len = out - this.ptr;
  }

  /** Appends the decimal digits of an integer. */
  integer(value: i64): void {
    this.reserve(20);
    let out = this.ptr + this.len;
    let u: u64 = <u64>value;
    if (value < 0) {
      store<u8>(out++, 0x2d);
      u = <u64>(-value);
    }
    let digits = decimalDigits(u);
    let end = out + digits;
    let p = end;
    do {
      let q = u / 10;
      store<u8>(--p, <u8>(0x30 + <u32>(u - q * 10)));
      u = q;
    } while (u != 0);
    this.len = end - this.ptr;
  }

  /** Appends a NUL and returns the start of the NUL-terminated text; the writer is done. */
  finishCString(): usize {
    this.byte(0);
    shrink(this.ptr, this.cap, this.len);
    return this.ptr;
  }

  /** Returns the bytes written as a string value; the writer is done. */
  finishString(): usize {
    shrink(this.ptr, this.cap, this.len);
    return newStringRef(this.ptr, this.len);
  }
}

/** Writes the UTF-8 encoding of code point `c` at `out`; returns the address after it. */
export function writeCodePoint(out: usize, c: u32): usize {
  if (c < 0x80) {
    store<u8>(out, <u8>c);
    return out + 1;
  }
  if (c < 0x800) {
    store<u8>(out, <u8>(0xc0 | (c >> 6)));
    store<u8>(out, <u8>(0x80 | (c & 0x3f)), 1);
    return out + 2;
  }
  if (c < 0x10000) {
    store<u8>(out, <u8>(0xe0 | (c >> 12)));
    store<u8>(out, <u8>(0x80 | ((c >> 6) & 0x3f)), 1);
    store<u8>(out, <u8>(0x80 | (c & 0x3f)), 2);
    return out + 3;
  }
  store<u8>(out, <u8>(0xf0 | (c >> 18)));
  store<u8>(out, <u8>(0x80 | ((c >> 12) & 0x3f)), 1);
  store<u8>(out, <u8>(0x80 | ((c >> 6) & 0x3f)), 2);
  store<u8>(out, <u8>(0x80 | (c & 0x3f)), 3);
  return out + 4;
}

function decimalDigits(u: u64): usize {
  let n: usize = 1;
  while (u >= 10) {
    u /= 10;
    n++;
  }
  return n;
}
