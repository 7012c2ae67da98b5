/**
 * LEB128, the variable-length integer encoding of the wasm binary format, and the byte cursors that write
 * and read it.
 *
 * The writer is a growable buffer so that encoding a module is a handful of allocations, not one per
 * instruction; the reader walks a module in place without copying.
 */

import { LinkError } from "./link-error";

const MAX_U32 = 0xffff_ffff;
const MIN_I32 = -(1n << 31n);
const MAX_I32 = (1n << 31n) - 1n;
const MIN_I64 = -(1n << 63n);
const MAX_I64 = (1n << 63n) - 1n;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });
const f64Scratch = new DataView(new ArrayBuffer(8));

/** A growable byte buffer with the primitive encoders of the wasm binary format. */
export class ByteWriter {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** Forgets everything written, keeping the allocated capacity. */
  reset(): void {
    this.pos = 0;
  }

  /** Appends one byte (0..255). */
  byte(b: number): void {
    if (this.pos === this.buf.length) this.grow(1);
    this.buf[this.pos++] = b;
  }

  /** Appends raw bytes. */
  bytes(src: Uint8Array): void {
    if (this.pos + src.length > this.buf.length) this.grow(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** Appends an unsigned LEB128 u32. */
  u32(value: number): void {
    // `>>> 0` round-trips exactly the integers 0..2^32-1 (bit operations are also cheaper than
    // Number.isInteger, which matters on the encoder's hottest path).
    if (value >>> 0 !== value) throw new RangeError(`not a u32: ${value}`);
    let v = value;
    while (v >= 0x80) {
      this.byte((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    this.byte(v);
  }

  /** Appends a signed LEB128 i32. */
  s32(value: number): void {
    if ((value | 0) !== value) throw new RangeError(`not an i32: ${value}`);
    let v = value;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      // Done once the remaining bits are all copies of the sign bit just written (bit 6 of b).
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.byte(b);
        return;
      }
      this.byte(b | 0x80);
    }
  }

  /** Appends a signed LEB128 i64. */
  s64(value: bigint): void {
    if (value < MIN_I64 || value > MAX_I64) throw new RangeError(`not an i64: ${value}`);
    if (value >= MIN_I32 && value <= MAX_I32) {
      this.s32(Number(value));
      return;
    }
    let v = value;
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
        this.byte(b);
        return;
      }
      this.byte(b | 0x80);
    }
  }

  /** Appends an IEEE 754 double, little-endian. */
  f64(value: number): void {
    f64Scratch.setFloat64(0, value, true);
    for (let i = 0; i < 8; i++) this.byte(f64Scratch.getUint8(i));
  }

  /** Appends a name: its UTF-8 length as a u32, then the bytes. */
  name(text: string): void {
    // Generated names are ASCII: write them directly rather than through a TextEncoder allocation.
    let ascii = true;
    for (let i = 0; i < text.length && ascii; i++) ascii = text.charCodeAt(i) < 0x80;
    if (ascii) {
      this.u32(text.length);
      if (this.pos + text.length > this.buf.length) this.grow(text.length);
      for (let i = 0; i < text.length; i++) this.buf[this.pos++] = text.charCodeAt(i);
      return;
    }
    const encoded = utf8Encoder.encode(text);
    this.u32(encoded.length);
    this.bytes(encoded);
  }

  /** A view of the bytes written; valid until the next write or reset. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of the bytes written. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  private grow(extra: number): void {
    let capacity = this.buf.length * 2;
    while (capacity < this.pos + extra) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
}

/** The number of bytes `value` takes as an unsigned LEB128. */
export function u32Size(value: number): number {
  let size = 1;
  for (let v = value >>> 0; v >= 0x80; v >>>= 7) size++;
  return size;
}

/** The unsigned LEB128 encoding of a u32. */
export function encodeU32(value: number): Uint8Array {
  const w = new ByteWriter(8);
  w.u32(value);
  return w.toBytes();
}

/** A cursor over bytes that decodes the primitives of the wasm binary format; malformed input is a LinkError. */
export class ByteReader {
  /** Current offset into `bytes`. */
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    /** Offset the reader must not read past. */
    readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  /** True when every byte up to `end` has been read. */
  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** Reads one byte. */
  u8(): number {
    if (this.pos >= this.end) this.fail("unexpected end of data");
    return this.bytes[this.pos++]!;
  }

  /** Reads an unsigned LEB128 u32. */
  u32(): number {
    const start = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (result > MAX_U32) this.fail("u32 out of range", start);
        return result;
      }
      scale *= 128;
    }
    return this.fail("u32 longer than 5 bytes", start);
  }

  /** Reads a signed LEB128 i32. */
  s32(): number {
    const start = this.pos;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.u8();
      result |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) {
        if (shift < 32 && (b & 0x40) !== 0) result |= -1 << shift;
        return result | 0;
      }
    }
    return this.fail("i32 longer than 5 bytes", start);
  }

  /** Reads a signed LEB128 i64. */
  s64(): bigint {
    const start = this.pos;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.u8();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) {
        if ((b & 0x40) !== 0) result -= 1n << shift;
        return BigInt.asIntN(64, result);
      }
    }
    return this.fail("i64 longer than 10 bytes", start);
  }

  /** Reads `n` bytes as a view (no copy). */
  take(n: number): Uint8Array {
    if (this.pos + n > this.end) this.fail(`expected ${n} more bytes`);
    const view = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }

  /** Skips `n` bytes. */
  skip(n: number): void {
    if (this.pos + n > this.end) this.fail(`expected ${n} more bytes`);
    this.pos += n;
  }

  /** Reads a name: a u32 length, then that many bytes of UTF-8. */
  name(): string {
    const length = this.u32();
    const start = this.pos;
    try {
      return utf8Decoder.decode(this.take(length));
    } catch (e) {
      if (e instanceof LinkError) throw e;
      return this.fail("name is not valid UTF-8", start);
    }
  }

  /** Throws a LinkError for malformed input at `at` (default: the current offset). */
  fail(message: string, at = this.pos): never {
    throw new LinkError("COUNTERSIGN_LINK_MALFORMED_RUNTIME", `${message} at byte offset ${at}`);
  }
}
