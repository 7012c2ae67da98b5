// LEB128 writer and reader: minimal encodings at every range edge, padded input, malformed input.

import { ByteReader, ByteWriter, encodeU32, u32Size } from "../../../src/compiler/wasm/leb128";
import { LinkError } from "../../../src/compiler/wasm/link-error";

function written(write: (w: ByteWriter) => void): number[] {
  const w = new ByteWriter(16);
  write(w);
  return [...w.view()];
}

describe("LEB128 encoding", () => {
  it.each([
    [0, [0x00]],
    [1, [0x01]],
    [63, [0x3f]],
    [64, [0x40]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [624485, [0xe5, 0x8e, 0x26]],
    [0xffff_ffff, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  ])("writes u32 %d as the minimal unsigned form", (value, bytes) => {
    expect(written((w) => w.u32(value))).toEqual(bytes);
    expect(u32Size(value)).toBe(bytes.length);
    expect([...encodeU32(value)]).toEqual(bytes);
  });

  it.each([
    [0, [0x00]],
    [63, [0x3f]],
    // 64 has bit 6 set, which a one-byte signed LEB would read as negative: it needs a second byte.
    [64, [0xc0, 0x00]],
    [-1, [0x7f]],
    [-64, [0x40]],
    [-65, [0xbf, 0x7f]],
    [-123456, [0xc0, 0xbb, 0x78]],
    [0x7fff_ffff, [0xff, 0xff, 0xff, 0xff, 0x07]],
    [-0x8000_0000, [0x80, 0x80, 0x80, 0x80, 0x78]],
  ])("writes i32 %d as the minimal signed form", (value, bytes) => {
    expect(written((w) => w.s32(value))).toEqual(bytes);
  });

  it.each([
    [0n, [0x00]],
    [64n, [0xc0, 0x00]],
    [-1n, [0x7f]],
    [0x1_0000_0000n, [0x80, 0x80, 0x80, 0x80, 0x10]],
    [(1n << 63n) - 1n, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]],
    [-(1n << 63n), [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f]],
  ])("writes i64 %s as the minimal signed form", (value, bytes) => {
    expect(written((w) => w.s64(value))).toEqual(bytes);
  });

  it("rejects values outside each type's range", () => {
    const w = new ByteWriter();
    expect(() => w.u32(-1)).toThrow(RangeError);
    expect(() => w.u32(2 ** 32)).toThrow(RangeError);
    expect(() => w.u32(1.5)).toThrow(RangeError);
    expect(() => w.s32(2 ** 31)).toThrow(RangeError);
    expect(() => w.s64(1n << 63n)).toThrow(RangeError);
  });

  it("writes f64 as little-endian IEEE 754", () => {
    expect(written((w) => w.f64(1.5))).toEqual([0, 0, 0, 0, 0, 0, 0xf8, 0x3f]);
    expect(written((w) => w.f64(-0))).toEqual([0, 0, 0, 0, 0, 0, 0, 0x80]);
  });

  it("writes names as a byte length and UTF-8", () => {
    expect(written((w) => w.name("é!"))).toEqual([3, 0xc3, 0xa9, 0x21]);
  });

  it("grows past its initial capacity and keeps earlier bytes", () => {
    const w = new ByteWriter(16);
    for (let i = 0; i < 10_000; i++) w.u32(i);
    const r = new ByteReader(w.view());
    const back: number[] = [];
    while (!r.atEnd) back.push(r.u32());
    expect(back).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
  });
});

describe("LEB128 decoding", () => {
  it("reads back what the writer wrote, across the edges of each range", () => {
    const ints = [0, 1, -1, 63, 64, -64, -65, 127, 128, -128, -129, 8191, 8192, 0x7fff_ffff, -0x8000_0000];
    const longs = [0n, 64n, -65n, 1n << 32n, -(1n << 40n), (1n << 63n) - 1n, -(1n << 63n)];
    const w = new ByteWriter();
    for (const v of ints) w.s32(v);
    for (const v of longs) w.s64(v);
    w.u32(0xffff_ffff);
    const r = new ByteReader(w.view());
    expect(ints.map(() => r.s32())).toEqual(ints);
    expect(longs.map(() => r.s64())).toEqual(longs);
    expect(r.u32()).toBe(0xffff_ffff);
  });

  it("accepts padded (non-minimal) encodings, which the format allows", () => {
    expect(new ByteReader(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x00)).u32()).toBe(0);
    expect(new ByteReader(Uint8Array.of(0xff, 0x7f)).s32()).toBe(-1);
  });

  it("reports truncated and over-long input as a malformed runtime", () => {
    const truncated = (): number => new ByteReader(Uint8Array.of(0x80)).u32();
    expect(truncated).toThrow(LinkError);
    expect(truncated).toThrow(/COUNTERSIGN_LINK_MALFORMED_RUNTIME: unexpected end of data/);
    expect(() => new ByteReader(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x00)).u32()).toThrow(/longer than 5/);
    expect(() => new ByteReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x1f)).u32()).toThrow(/out of range/);
  });

  it("reports names that are not UTF-8", () => {
    expect(() => new ByteReader(Uint8Array.of(1, 0xff)).name()).toThrow(/not valid UTF-8/);
  });
});
