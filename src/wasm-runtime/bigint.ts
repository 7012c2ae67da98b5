// Exact integers of any size, for big-integer literals and for integer arithmetic that leaves 2^53.
//
// Only the rare paths use this file (numbers beyond 2^53), so it favours brevity over speed: magnitudes are
// little-endian arrays of base-10^9 limbs, and the interchange form is the canonical decimal text as a
// string value ("-123", "0": optional minus, no leading zeros), which is what number boxes keep.

import { ByteWriter } from "./byte-writer";
import { StringBox } from "./value";

const BASE: u64 = 1_000_000_000;

/** A sign and a magnitude of base-10^9 limbs, least significant first, without leading zero limbs. */
@final export class BigInteger {
  constructor(public negative: bool, public limbs: u32[]) {}

  /** The integer spelt by a canonical decimal string value. */
  static parse(text: usize): BigInteger {
    let s = changetype<StringBox>(text);
    let start = s.ptr;
    let end = s.ptr + s.len;
    let negative = start < end && load<u8>(start) == 0x2d;
    if (negative) start++;
    let limbs = new Array<u32>();
    let p = end;
    while (p > start) {
      let from = p >= start + 9 ? p - 9 : start;
      let limb: u32 = 0;
      for (let q = from; q < p; q++) limb = limb * 10 + <u32>(load<u8>(q) - 0x30);
      limbs.push(limb);
      p = from;
    }
    return normalise(negative, limbs);
  }

  /** The value of an unsigned 64-bit integer. */
  static fromU64(n: u64): BigInteger {
    let limbs = new Array<u32>();
    while (n) {
      limbs.push(<u32>(n % BASE));
      n /= BASE;
    }
    return new BigInteger(false, limbs);
  }

  /** The exact value of an integral, finite f64. */
  static fromF64(f: f64): BigInteger {
    let bits = reinterpret<u64>(f);
    let negative = (bits >> 63) != 0;
    let exponent = <i32>((bits >> 52) & 0x7ff);
    let mantissa = bits & 0xf_ffff_ffff_ffff;
    if (exponent) mantissa |= <u64>1 << 52;
    // f = mantissa * 2^(exponent - 1075); shift out the fraction bits, which are zero for an integer
    let shift = exponent - 1075;
    if (shift < 0) {
      mantissa = shift > -64 ? mantissa >> <u64>(-shift) : 0;
      shift = 0;
    }
    return normalise(negative, BigInteger.fromU64(mantissa).shiftLeft(shift).limbs);
  }

  /** The canonical decimal text as a string value. */
  toText(): usize {
    let w = new ByteWriter(this.limbs.length * 9 + 2);
    let n = this.limbs.length;
    if (n == 0) {
      w.byte(0x30);
      return w.finishString();
    }
    if (this.negative) w.byte(0x2d);
    w.integer(unchecked(this.limbs[n - 1]));
    for (let i = n - 2; i >= 0; i--) {
      let limb = unchecked(this.limbs[i]);
      w.reserve(9);
      let out = w.ptr + w.len;
      for (let d = 8; d >= 0; d--) {
        store<u8>(out + d, <u8>(0x30 + limb % 10));
        limb /= 10;
      }
      w.len += 9;
    }
    return w.finishString();
  }

  /** this * 2^bits (a new integer). */
  shiftLeft(bits: i32): BigInteger {
    let result = new BigInteger(this.negative, this.limbs.slice());
    while (bits > 0) {
      let step = min(bits, 32);
      result.multiplySmallInPlace(<u64>1 << <u64>step);
      bits -= step;
    }
    return result;
  }

  /** this * 5^k (a new integer). */
  multiplyPow5(k: i32): BigInteger {
    let result = new BigInteger(this.negative, this.limbs.slice());
    while (k > 0) {
      let step = min(k, 13); // 5^13 < 2^32
      result.multiplySmallInPlace(<u64>ipow5(step));
      k -= step;
    }
    return result;
  }

  /** Multiplies the magnitude by f (at most 2^32) in place. */
  private multiplySmallInPlace(f: u64): void {
    let limbs = this.limbs;
    let carry: u64 = 0;
    for (let i = 0; i < limbs.length; i++) {
      let x = <u64>unchecked(limbs[i]) * f + carry;
      unchecked((limbs[i] = <u32>(x % BASE)));
      carry = x / BASE;
    }
    while (carry) {
      limbs.push(<u32>(carry % BASE));
      carry /= BASE;
    }
  }

  /** -1, 0 or 1 comparing the magnitudes of this and other. */
  compareMagnitude(other: BigInteger): i32 {
    return compareMagnitudes(this.limbs, other.limbs);
  }

  /** this + other. */
  add(other: BigInteger): BigInteger {
    if (this.negative == other.negative) return normalise(this.negative, addMagnitudes(this.limbs, other.limbs));
    let order = compareMagnitudes(this.limbs, other.limbs);
    if (order == 0) return new BigInteger(false, []);
    return order > 0
      ? normalise(this.negative, subtractMagnitudes(this.limbs, other.limbs))
      : normalise(other.negative, subtractMagnitudes(other.limbs, this.limbs));
  }

  /** this - other. */
  subtract(other: BigInteger): BigInteger {
    return this.add(new BigInteger(!other.negative, other.limbs));
  }

  /** this * other. */
  multiply(other: BigInteger): BigInteger {
    let a = this.limbs;
    let b = other.limbs;
    let product = new Array<u32>(a.length + b.length);
    for (let i = 0; i < a.length; i++) {
      let carry: u64 = 0;
      let x = <u64>unchecked(a[i]);
      for (let j = 0; j < b.length; j++) {
        let t = x * <u64>unchecked(b[j]) + <u64>unchecked(product[i + j]) + carry;
        unchecked((product[i + j] = <u32>(t % BASE)));
        carry = t / BASE;
      }
      let k = i + b.length;
      while (carry) {
        let t = <u64>unchecked(product[k]) + carry;
        unchecked((product[k] = <u32>(t % BASE)));
        carry = t / BASE;
        k++;
      }
    }
    return normalise(this.negative != other.negative, product);
  }

  /** The remainder of this / divisor (divisor not zero), truncated: it takes this one's sign, as Go's Rem. */
  remainder(divisor: BigInteger): BigInteger {
    // decimal long division; the quotient digit is at most 9, found by repeated subtraction
    let magnitude = new BigInteger(false, divisor.limbs);
    let ten = new BigInteger(false, [10]);
    let r = new BigInteger(false, []);
    let digits = changetype<StringBox>(new BigInteger(false, this.limbs).toText());
    for (let i: usize = 0; i < <usize>digits.len; i++) {
      let d = <u32>load<u8>(digits.ptr + i) - 0x30;
      r = r.multiply(ten).add(new BigInteger(false, d ? [d] : []));
      while (compareMagnitudes(r.limbs, magnitude.limbs) >= 0) r = r.subtract(magnitude);
    }
    return new BigInteger(this.negative && r.limbs.length > 0, r.limbs);
  }
}

function ipow5(k: i32): u32 {
  let p: u32 = 1;
  while (k-- > 0) p *= 5;
  return p;
}

function normalise(negative: bool, limbs: u32[]): BigInteger {
  let n = limbs.length;
  while (n > 0 && unchecked(limbs[n - 1]) == 0) n--;
  limbs.length = n;
  return new BigInteger(negative && n > 0, limbs);
}

function compareMagnitudes(a: u32[], b: u32[]): i32 {
  if (a.length != b.length) return a.length < b.length ? -1 : 1;
  for (let i = a.length - 1; i >= 0; i--) {
    let x = unchecked(a[i]);
    let y = unchecked(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

function addMagnitudes(a: u32[], b: u32[]): u32[] {
  let n = max(a.length, b.length);
  let sum = new Array<u32>(n + 1);
  let carry: u32 = 0;
  for (let i = 0; i < n; i++) {
    let t = (i < a.length ? unchecked(a[i]) : 0) + (i < b.length ? unchecked(b[i]) : 0) + carry;
    carry = t >= <u32>BASE ? 1 : 0;
    unchecked((sum[i] = t - carry * <u32>BASE));
  }
  unchecked((sum[n] = carry));
  return sum;
}

/** a - b for magnitudes with a >= b. */
function subtractMagnitudes(a: u32[], b: u32[]): u32[] {
  let difference = new Array<u32>(a.length);
  let borrow: i64 = 0;
  for (let i = 0; i < a.length; i++) {
    let t = <i64>unchecked(a[i]) - (i < b.length ? <i64>unchecked(b[i]) : 0) - borrow;
    borrow = t < 0 ? 1 : 0;
    unchecked((difference[i] = <u32>(t + borrow * <i64>BASE)));
  }
  return difference;
}

/** -1, 0 or 1 comparing two canonical decimal string values as integers. */
export function compareDecimal(a: usize, b: usize): i32 {
  let x = changetype<StringBox>(a);
  let y = changetype<StringBox>(b);
  let xNegative = x.len > 0 && load<u8>(x.ptr) == 0x2d;
  let yNegative = y.len > 0 && load<u8>(y.ptr) == 0x2d;
  if (xNegative != yNegative) return xNegative ? -1 : 1;
  let order: i32;
  if (x.len != y.len) {
    order = x.len < y.len ? -1 : 1;
  } else {
    order = memory.compare(x.ptr, y.ptr, x.len);
    order = order < 0 ? -1 : order > 0 ? 1 : 0;
  }
  return xNegative ? -order : order;
}

/** The canonical decimal text (a string value) of an integral, finite f64. */
export function exactDigits(f: f64): usize {
  if (Math.abs(f) < 9.2e18) {
    let w = new ByteWriter(21);
    w.integer(<i64>f);
    return w.finishString();
  }
  return BigInteger.fromF64(f).toText();
}
