// Correctly rounded conversion of decimal number text to the nearest f64, for the texts number.ts's
// fast path cannot convert exactly (more than 19 significant digits, or mantissa and power of ten too
// large for one exact f64 operation).
//
// A first approximation from the leading 19 digits is off by a few units in the last place at most; it is
// then corrected one unit at a time by comparing the exact decimal value with the midpoints between
// neighbouring doubles, in exact integer arithmetic (bigint.ts), rounding halfway cases to even.

import { ByteWriter } from "./byte-writer";
import { BigInteger } from "./bigint";

const POW10: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/** 10^k for 0 <= k <= 22, exactly. */
// @ts-ignore: decorator
@inline export function pow10(k: i32): f64 {
  return unchecked(POW10[k]);
}

/** The f64 nearest to the valid JSON number text at (ptr, len). */
export function parseDecimal(ptr: usize, len: usize): f64 {
  let p = ptr;
  let end = ptr + len;
  let negative = load<u8>(p) == 0x2d;
  if (negative) p++;
  // the significant digits (without leading zeros) and the power of ten that scales them
  let digits = new ByteWriter(len);
  let exponent: i32 = 0;
  let inFraction = false;
  while (p < end) {
    let c = <u32>load<u8>(p);
    if (c == 0x2e) {
      inFraction = true;
    } else if (c - 0x30 < 10) {
      if (digits.len || c != 0x30) digits.byte(c);
      if (inFraction) exponent--;
    } else {
      break;
    }
    p++;
  }
  if (p < end) {
    p++; // 'e' or 'E'
    let expNegative = load<u8>(p) == 0x2d;
    if (expNegative || load<u8>(p) == 0x2b) p++;
    let e: i32 = 0;
    while (p < end) {
      if (e < 100000) e = e * 10 + <i32>(load<u8>(p) - 0x30);
      p++;
    }
    exponent += expNegative ? -e : e;
  }
  let n = <i32>digits.len;
  let result: f64 = 0;
  if (n > 0 && n + exponent > -324) {
    result = n + exponent > 310 ? Infinity : nearest(digits, n, exponent);
  }
  return negative ? -result : result;
}

function nearest(digits: ByteWriter, n: i32, exponent: i32): f64 {
  // approximation from up to 19 leading digits
  let lead = min(n, 19);
  let w: u64 = 0;
  for (let i = 0; i < lead; i++) w = w * 10 + <u64>(load<u8>(digits.ptr + i) - 0x30);
  let c = scale(<f64>w, exponent + n - lead);
  if (c == Infinity) c = f64.MAX_VALUE;
  // exact correction
  let value = BigInteger.parse(digits.finishString());
  for (let step = 0; step < 200; step++) {
    let bits = reinterpret<u64>(c);
    let biased = <i32>(bits >> 52);
    let fraction = bits & 0xf_ffff_ffff_ffff;
    let m: u64 = biased ? fraction | (<u64>1 << 52) : fraction;
    let e: i32 = biased ? biased - 1075 : -1074;
    // the midpoint with the next double up
    let above = compareScaled(value, exponent, 2 * m + 1, e - 1);
    if (above > 0 || (above == 0 && (m & 1))) {
      if (c == f64.MAX_VALUE) return Infinity;
      c = reinterpret<f64>(bits + 1);
      continue;
    }
    if (m == 0) break;
    // the midpoint with the next double down, closer when c is a power of two above the subnormals
    let below = fraction == 0 && biased > 1
      ? compareScaled(value, exponent, 4 * m - 1, e - 2)
      : compareScaled(value, exponent, 2 * m - 1, e - 1);
    if (below < 0 || (below == 0 && (m & 1))) {
      c = reinterpret<f64>(bits - 1);
      continue;
    }
    break;
  }
  return c;
}

/** f * 10^k with a few roundings; the correction step absorbs the error. */
function scale(f: f64, k: i32): f64 {
  while (k > 22) {
    f *= 1e22;
    k -= 22;
  }
  while (k < -22) {
    f /= 1e22;
    k += 22;
  }
  return k >= 0 ? f * pow10(k) : f / pow10(-k);
}

/** -1, 0 or 1 comparing value * 10^exponent with n * 2^p, exactly. */
function compareScaled(value: BigInteger, exponent: i32, n: u64, p: i32): i32 {
  let a = value;
  let b = BigInteger.fromU64(n);
  if (exponent >= 0) a = a.multiplyPow5(exponent);
  else b = b.multiplyPow5(-exponent);
  let twos = exponent - p;
  if (twos >= 0) a = a.shiftLeft(twos);
  else b = b.shiftLeft(-twos);
  return a.compareMagnitude(b);
}
