// Exact decimal sums and products of the numbers' shortest decimal forms, for sum and product.
//
// OPA adds and multiplies floating-point numbers as big.Floats parsed from their decimal text, so
// sum([0.1, 0.2]) is 0.3 there, not the f64 result 0.30000000000000004. Working on the shortest decimal
// forms (mantissa × 10^exponent in an i64) gives OPA's answer for every-day values; when a mantissa would
// overflow, the caller falls back to f64 arithmetic.

import { numberValue } from "../number";
import { shortestDigits, shortestPoint } from "./float-format";

/** Mantissa of the last decimalOf / decimal result. */
export let decMantissa: i64 = 0;
/** Power-of-ten exponent of the last decimalOf / decimal result. */
export let decExponent: i32 = 0;

const MAX_MANTISSA: i64 = 100_000_000_000_000_000; // 1e17: room to add two without overflow

/** Reads a number's shortest decimal form into decMantissa × 10^decExponent; false when too long. */
export function decimalOf(v: usize): bool {
  let f = numberValue(v);
  let digits = shortestDigits(f);
  let n = digits.length;
  if (n > 17) return false;
  let m: i64 = 0;
  for (let i = 0; i < n; i++) m = m * 10 + <i64>(digits.charCodeAt(i) - 0x30);
  decMantissa = f < 0 ? -m : m;
  decExponent = shortestPoint - n;
  return true;
}

/** 10^k for 0 <= k <= 18. */
function pow10(k: i32): i64 {
  let r: i64 = 1;
  for (let i = 0; i < k; i++) r *= 10;
  return r;
}

// @ts-ignore: decorator
@inline function abs64(x: i64): i64 {
  return x < 0 ? -x : x;
}

/** Sets decMantissa/decExponent to a + b (each mantissa × 10^exponent); false on overflow. */
export function decimalAdd(am: i64, ae: i32, bm: i64, be: i32): bool {
  if (ae > be) {
    // bring a to b's (smaller) exponent
    let k = ae - be;
    if (k > 17 || abs64(am) >= MAX_MANTISSA / pow10(k)) return am == 0 ? setDecimal(bm, be) : false;
    am *= pow10(k);
    ae = be;
  } else if (be > ae) {
    let k = be - ae;
    if (k > 17 || abs64(bm) >= MAX_MANTISSA / pow10(k)) return bm == 0 ? setDecimal(am, ae) : false;
    bm *= pow10(k);
  }
  let m = am + bm;
  if (abs64(m) >= MAX_MANTISSA * 9) return false;
  return setDecimal(m, ae);
}

/** Sets decMantissa/decExponent to a × b; false on overflow. */
export function decimalMultiply(am: i64, ae: i32, bm: i64, be: i32): bool {
  if (am == 0 || bm == 0) return setDecimal(0, 0);
  let x = abs64(am);
  let y = abs64(bm);
  if (<f64>x * <f64>y >= 9.0e18) return false;
  return setDecimal(am * bm, ae + be);
}

function setDecimal(m: i64, e: i32): bool {
  // Drop trailing zeros so mantissas stay small.
  while (m != 0 && m % 10 == 0) {
    m /= 10;
    e++;
  }
  if (m == 0) e = 0;
  decMantissa = m;
  decExponent = e;
  return true;
}

const POW10_EXACT: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/** The f64 nearest to m × 10^e. */
export function decimalToF64(m: i64, e: i32): f64 {
  let f = <f64>m;
  if (Math.abs(f) < 9007199254740992.0 && e >= -22 && e <= 22) {
    return e < 0 ? f / POW10_EXACT[-e] : f * POW10_EXACT[e];
  }
  return parseFloat(m.toString() + "e" + e.toString());
}
