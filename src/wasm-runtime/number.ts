// Rego numbers: construction from f64s and literal text, exact big integers, ordering and printing.
//
// A number is an f64. A pure integer literal (JSON or Rego) whose value an f64 cannot hold exactly keeps its
// text as well: it prints back unchanged, and equality and ordering involving it are decided on exact
// decimal digits (an f64 beyond 2^53 is itself an integer, whose exact digits bigint.ts can spell). Every
// other number is just its f64, so 1 == 1.0 and -0 == 0, and integers print without a fraction.

import { dtoa_buffered } from "util/number";
import { allocate } from "./heap";
import { ByteWriter } from "./byte-writer";
import { NumberBox, StringBox, TYPE_NUMBER, newStringRef } from "./value";
import { compareDecimal, exactDigits } from "./bigint";
import { parseDecimal, pow10 } from "./float-parse";

/** Smallest integer with a preallocated box. */
export const SMALL_MIN: i32 = -128;
/** Largest integer with a preallocated box. */
export const SMALL_MAX: i32 = 1023;

/** 2^53: integers of smaller magnitude are exact in an f64. */
export const EXACT_LIMIT: f64 = 9007199254740992.0;

let smallInts: usize = 0;

/** Preallocates the boxes of SMALL_MIN..SMALL_MAX; runs once from the start function. */
export function initNumbers(): void {
  let n = <usize>(SMALL_MAX - SMALL_MIN + 1);
  smallInts = allocate(n << 4);
  for (let i: usize = 0; i < n; i++) {
    let box = changetype<NumberBox>(smallInts + (i << 4));
    box.kind = TYPE_NUMBER;
    box.text = 0;
    box.num = <f64>(<i32>i + SMALL_MIN);
  }
}

/** The shared box of integer `i`, which must lie in SMALL_MIN..SMALL_MAX. */
// @ts-ignore: decorator
@inline export function smallInt(i: i32): usize {
  return smallInts + (<usize>(i - SMALL_MIN) << 4);
}

/** A number; small integers come from the preallocated boxes and -0 becomes 0. */
export function newNumber(f: f64): usize {
  let i = <i32>f;
  if (<f64>i == f && i >= SMALL_MIN && i <= SMALL_MAX) return smallInt(i);
  let box = changetype<NumberBox>(allocate(offsetof<NumberBox>()));
  box.kind = TYPE_NUMBER;
  box.text = 0;
  box.num = f;
  return changetype<usize>(box);
}

/** An integer number (exact when |i| <= 2^53; see newIntegerText for larger ones). */
// @ts-ignore: decorator
@inline export function newInteger(i: i64): usize {
  return newNumber(<f64>i);
}

/**
 * The integer spelt by `text` (a string value of canonical decimal digits: optional '-', no leading zeros),
 * whose nearest f64 is `approx`. Keeps the text only when the f64 is not exact.
 */
export function newIntegerText(text: usize, approx: f64): usize {
  if (Math.abs(approx) < EXACT_LIMIT) return newNumber(approx);
  let box = changetype<NumberBox>(allocate(offsetof<NumberBox>()));
  box.kind = TYPE_NUMBER;
  box.text = text;
  box.num = approx;
  return changetype<usize>(box);
}

/** A number's f64 (for a big integer, the nearest f64). */
// @ts-ignore: decorator
@inline export function numberValue(v: usize): f64 {
  return changetype<NumberBox>(v).num;
}

/** The literal text (a string value) of a big integer, or 0 for a number that is its f64. */
// @ts-ignore: decorator
@inline export function numberText(v: usize): usize {
  return changetype<NumberBox>(v).text;
}

/** True for an integer: a big integer, or a finite f64 without a fraction. */
export function numberIsInteger(v: usize): bool {
  if (numberText(v)) return true;
  let f = numberValue(v);
  return f == Math.trunc(f) && f - f == 0;
}

/** True for an integer whose magnitude is below 2^53, so that numberValue is exact and fits an i64. */
export function numberIsSafeInteger(v: usize): bool {
  if (numberText(v)) return false;
  let f = numberValue(v);
  return f == Math.trunc(f) && Math.abs(f) < EXACT_LIMIT;
}

/** The number written as UTF-8 into `w`, as JSON and Rego print it. */
export function writeNumber(w: ByteWriter, v: usize): void {
  let text = numberText(v);
  if (text) {
    let s = changetype<StringBox>(text);
    w.bytes(s.ptr, s.len);
    return;
  }
  let f = numberValue(v);
  if (f == Math.trunc(f) && Math.abs(f) < 9.2e18) {
    w.integer(<i64>f);
    return;
  }
  if (f - f != 0) {
    // NaN and infinities have no JSON form; no Rego operation produces them
    w.bytes(changetype<usize>(NULL_TEXT), 4);
    return;
  }
  writeShortestFloat(w, f);
}

const NULL_TEXT = memory.data<u8>([0x6e, 0x75, 0x6c, 0x6c]);

/** Shortest round-trip decimal form of a non-integral (or huge) finite f64, e.g. 0.1, 1e+21, 5e-324. */
function writeShortestFloat(w: ByteWriter, f: f64): void {
  let scratch = memory.data(64);
  let n = <usize>dtoa_buffered(scratch, f);
  w.reserve(n);
  let out = w.ptr + w.len;
  for (let i: usize = 0; i < n; i++) store<u8>(out + i, <u8>load<u16>(scratch + (i << 1)));
  w.len += n;
}

/** The number as Rego prints it, as an AssemblyScript string (for messages and sprintf). */
export function numberToString(v: usize): string {
  let w = new ByteWriter(24);
  writeNumber(w, v);
  return String.UTF8.decodeUnsafe(w.ptr, w.len);
}

/** True when two numbers are equal (exactly, for big integers). */
export function numberEqual(a: usize, b: usize): bool {
  let x = changetype<NumberBox>(a);
  let y = changetype<NumberBox>(b);
  if (x.num != y.num) return false;
  if (!(x.text | y.text)) return true;
  return compareExact(a, b) == 0;
}

/** -1, 0 or 1 as a is below, equal to or above b (exactly, for big integers). */
export function numberCompare(a: usize, b: usize): i32 {
  let x = changetype<NumberBox>(a);
  let y = changetype<NumberBox>(b);
  // rounding to f64 is monotonic, so distinct nearest f64s order the exact values too
  if (x.num < y.num) return -1;
  if (x.num > y.num) return 1;
  if (!(x.text | y.text)) return 0;
  return compareExact(a, b);
}

/** Compares two integers of equal nearest f64, at least one of them big, by their exact digits. */
function compareExact(a: usize, b: usize): i32 {
  return compareDecimal(exactDigitsOf(a), exactDigitsOf(b));
}

/** The exact decimal digits (a string value) of an integer number. */
export function exactDigitsOf(v: usize): usize {
  let text = numberText(v);
  return text ? text : exactDigits(numberValue(v));
}

// ---- literal text ---------------------------------------------------------------------------------------------

/**
 * Length of the JSON number token at ptr (at most `end`): -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?,
 * or 0 when no valid number starts there.
 */
export function scanNumber(ptr: usize, end: usize): usize {
  let p = ptr;
  if (p < end && load<u8>(p) == 0x2d) p++;
  if (p >= end) return 0;
  let c = <u32>load<u8>(p);
  if (c == 0x30) {
    p++;
  } else if (c - 0x31 < 9) {
    p++;
    while (p < end && <u32>load<u8>(p) - 0x30 < 10) p++;
  } else {
    return 0;
  }
  if (p < end && load<u8>(p) == 0x2e) {
    p++;
    let digits = p;
    while (p < end && <u32>load<u8>(p) - 0x30 < 10) p++;
    if (p == digits) return 0;
  }
  if (p < end && (<u32>load<u8>(p) | 0x20) == 0x65) {
    p++;
    if (p < end && (load<u8>(p) == 0x2b || load<u8>(p) == 0x2d)) p++;
    let digits = p;
    while (p < end && <u32>load<u8>(p) - 0x30 < 10) p++;
    if (p == digits) return 0;
  }
  return p - ptr;
}

/**
 * The number spelt by the complete token at (ptr, len), as scanNumber accepts it, or 0 when it is not one.
 * The text is referenced, not copied, when it must be kept (big integers).
 */
export function parseNumber(ptr: usize, len: usize): usize {
  if (len == 0 || scanNumber(ptr, ptr + len) != len) return 0;
  let p = ptr;
  let end = ptr + len;
  let negative = load<u8>(p) == 0x2d;
  if (negative) p++;
  // integer part: up to 19 significant digits accumulate exactly in a u64
  let mantissa: u64 = 0;
  let digits = 0;
  let dropped = 0;
  let c: u32 = 0;
  while (p < end && (c = <u32>load<u8>(p) - 0x30) < 10) {
    if (digits < 19) {
      mantissa = mantissa * 10 + c;
      if (mantissa) digits++;
    } else {
      dropped++;
    }
    p++;
  }
  if (p == end) {
    // a pure integer
    if (!dropped && mantissa <= <u64>EXACT_LIMIT) {
      let f = <f64>mantissa;
      return newNumber(negative ? -f : f);
    }
    let approx = dropped ? parseDecimal(ptr, len) : (negative ? -<f64>mantissa : <f64>mantissa);
    if (!dropped && <u64>Math.abs(approx) == mantissa) return newNumber(approx);
    return newIntegerText(newStringRef(ptr, len), approx);
  }
  let exponent: i32 = dropped;
  if (load<u8>(p) == 0x2e) {
    p++;
    while (p < end && (c = <u32>load<u8>(p) - 0x30) < 10) {
      if (digits < 19) {
        mantissa = mantissa * 10 + c;
        if (mantissa) digits++;
        exponent--;
      } else {
        dropped++;
      }
      p++;
    }
  }
  if (p < end) {
    // exponent part ('e' or 'E', validated by scanNumber)
    p++;
    let expNegative = load<u8>(p) == 0x2d;
    if (expNegative || load<u8>(p) == 0x2b) p++;
    let e: i32 = 0;
    while (p < end) {
      if (e < 100000) e = e * 10 + <i32>(load<u8>(p) - 0x30);
      p++;
    }
    exponent += expNegative ? -e : e;
  }
  let f: f64;
  if (!dropped && mantissa <= <u64>EXACT_LIMIT && exponent >= -22 && exponent <= 22 + 15) {
    // Clinger's fast path: with both operands exact, one correctly rounded operation gives the nearest f64
    f = <f64>mantissa;
    if (exponent > 22) {
      // move the excess of the exponent into the mantissa when that stays exact
      f *= pow10(exponent - 22);
      if (f > EXACT_LIMIT) return newNumber(parseDecimal(ptr, len));
      exponent = 22;
    }
    f = exponent < 0 ? f / pow10(-exponent) : f * pow10(exponent);
    if (negative) f = -f;
  } else {
    f = parseDecimal(ptr, len);
  }
  return newNumber(f);
}
