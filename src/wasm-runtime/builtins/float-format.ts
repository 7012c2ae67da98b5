// Go's strconv.FormatFloat for sprintf: the 'e', 'f' and 'g' formats, shortest or at a given precision.
//
// A fixed precision rounds the exact binary value (every f64 is a finite decimal), halves to even, as Go
// does: sprintf("%.2f", [2.675]) is "2.67" because 2.675 is stored as 2.67499999.... The shortest form is
// the shortest decimal that reads back as the same f64 and, among those, the closest, as in Go (and unlike
// asc's Grisu-based toString, which prints 0.1 + 0.2 as 0.30000000000000007).

import { ByteWriter } from "../byte-writer";
import { appendRepeated } from "./output";

/**
 * A decimal number 0.d[0]d[1]...d[nd-1] × 10^dp; digits are ASCII bytes in `d`, without trailing zeros
 * (nd 0 means zero).
 */
class Decimal {
  d: StaticArray<u8> = new StaticArray<u8>(800);
  nd: i32 = 0;
  dp: i32 = 0;

  trim(): void {
    while (this.nd > 0 && this.d[this.nd - 1] == 0x30) this.nd--;
    if (this.nd == 0) this.dp = 0;
  }

  /** Rounds to nd digits: halves go to even unless digits beyond the half were dropped earlier. */
  round(nd: i32): void {
    if (nd < 0 || nd >= this.nd) return;
    if (this.shouldRoundUp(nd)) this.roundUp(nd);
    else this.roundDown(nd);
  }

  private shouldRoundUp(nd: i32): bool {
    let c = this.d[nd];
    if (c == 0x35 && nd + 1 == this.nd) {
      // exactly halfway: round to even
      return nd > 0 && (this.d[nd - 1] - 0x30) % 2 != 0;
    }
    return c >= 0x35;
  }

  /** Truncates to nd digits. */
  roundDown(nd: i32): void {
    this.nd = nd;
    this.trim();
  }

  /** Rounds up at nd digits (999 becomes 1000). */
  roundUp(nd: i32): void {
    let i = nd - 1;
    while (i >= 0 && this.d[i] == 0x39) i--;
    if (i < 0) {
      // all nines: 999 becomes 1000
      this.d[0] = 0x31;
      this.nd = 1;
      this.dp++;
      return;
    }
    this.d[i] = this.d[i] + 1;
    this.nd = i + 1;
  }
}

/** The exact decimal value of mantissa × 2^exponent. */
function exactDecimalOf(mantissa: u64, exponent: i32): Decimal {
  let dec = new Decimal();
  if (mantissa == 0) return dec;
  // Big integer in base 10^9 limbs, least significant first.
  let limbs = new Array<u32>();
  let m = mantissa;
  while (m > 0) {
    limbs.push(<u32>(m % 1_000_000_000));
    m /= 1_000_000_000;
  }
  let scale = 0; // value = limbs × 10^-scale
  if (exponent > 0) {
    multiplyPow(limbs, 2, exponent);
  } else if (exponent < 0) {
    // m × 2^-k = m × 5^k / 10^k
    multiplyPow(limbs, 5, -exponent);
    scale = -exponent;
  }
  // Digits of the integer, most significant first.
  let text = limbs[limbs.length - 1].toString();
  for (let i = limbs.length - 2; i >= 0; i--) {
    let part = limbs[i].toString();
    text += "000000000".substring(part.length) + part;
  }
  let n = text.length;
  for (let i = 0; i < n; i++) dec.d[i] = <u8>text.charCodeAt(i);
  dec.nd = n;
  dec.dp = n - scale;
  dec.trim();
  return dec;
}

// The parts of the last splitFloat: f = floatMantissa × 2^(floatExponent - 52), as strconv splits it.
let floatMantissa: u64 = 0;
let floatExponent: i32 = 0;

function splitFloat(f: f64): void {
  let bits = reinterpret<u64>(f);
  let exponent = <i32>((bits >> 52) & 0x7ff);
  let mantissa = bits & 0xfffffffffffff;
  if (exponent == 0) exponent = 1;
  else mantissa |= <u64>1 << 52;
  floatMantissa = mantissa;
  floatExponent = exponent - 1023;
}

/** The exact decimal value of a finite, non-negative f64. */
function exactDecimal(f: f64): Decimal {
  splitFloat(f);
  return exactDecimalOf(floatMantissa, floatExponent - 52);
}

function multiplyPow(limbs: Array<u32>, base: u32, times: i32): void {
  // Multiply by base^step at a time, keeping each factor below 2^32.
  let step = base == 2 ? 29 : 13;
  while (times > 0) {
    let k = min(step, times);
    let factor: u64 = 1;
    for (let i = 0; i < k; i++) factor *= base;
    let carry: u64 = 0;
    for (let i = 0; i < limbs.length; i++) {
      let x = <u64>limbs[i] * factor + carry;
      limbs[i] = <u32>(x % 1_000_000_000);
      carry = x / 1_000_000_000;
    }
    while (carry > 0) {
      limbs.push(<u32>(carry % 1_000_000_000));
      carry /= 1_000_000_000;
    }
    times -= k;
  }
}

/**
 * The shortest decimal that reads back as f (finite, non-negative), the closest such when several have
 * that length: strconv's roundShortest, walking the digits of the exact value and of the midpoints to the
 * neighbouring floats.
 */
function shortestDecimal(f: f64): Decimal {
  splitFloat(f);
  let mant = floatMantissa;
  let exp = floatExponent;
  let d = exactDecimalOf(mant, exp - 52);
  if (mant == 0) return d;
  let minexp = -1022;
  if (exp > minexp && 332 * (d.dp - d.nd) >= 100 * (exp - 52)) return d; // already shortest
  let upper = exactDecimalOf(mant * 2 + 1, exp - 52 - 1);
  let mantlo: u64;
  let explo: i32;
  if (mant > (<u64>1 << 52) || exp == minexp) {
    mantlo = mant - 1;
    explo = exp;
  } else {
    mantlo = mant * 2 - 1;
    explo = exp - 1;
  }
  let lower = exactDecimalOf(mantlo * 2 + 1, explo - 52 - 1);
  let inclusive = mant % 2 == 0;
  let upperdelta = 0;
  for (let ui = 0; ; ui++) {
    let mi = ui - upper.dp + d.dp;
    if (mi >= d.nd) break;
    let li = ui - upper.dp + lower.dp;
    let l: u8 = li >= 0 && li < lower.nd ? lower.d[li] : 0x30;
    let m: u8 = mi >= 0 ? d.d[mi] : 0x30;
    let u: u8 = ui < upper.nd ? upper.d[ui] : 0x30;
    let okdown = l != m || (inclusive && li + 1 == lower.nd);
    if (upperdelta == 0 && m + 1 < u) upperdelta = 2;
    else if (upperdelta == 0 && m != u) upperdelta = 1;
    else if (upperdelta == 1 && (m != 0x39 || u != 0x30)) upperdelta = 2;
    let okup = upperdelta > 0 && (inclusive || upperdelta > 1 || ui + 1 < upper.nd);
    if (okdown && okup) {
      d.round(mi + 1);
      return d;
    }
    if (okdown) {
      d.roundDown(mi + 1);
      return d;
    }
    if (okup) {
      d.roundUp(mi + 1);
      return d;
    }
  }
  return d;
}

/** Decimal point position of the last shortestDigits result. */
export let shortestPoint: i32 = 0;

/**
 * The shortest round-trip digits of |f| (finite), Go's choice; the value is 0.digits × 10^shortestPoint.
 * Zero gives "".
 */
export function shortestDigits(f: f64): string {
  let d = shortestDecimal(Math.abs(f));
  shortestPoint = d.dp;
  return String.UTF8.decodeUnsafe(changetype<usize>(d.d), <usize>d.nd);
}

/** %e: d.ddddde±dd with prec digits after the point. */
function fmtE(out: ByteWriter, dec: Decimal, prec: i32, upper: bool): void {
  out.byte(dec.nd != 0 ? <u32>dec.d[0] : 0x30);
  if (prec > 0) {
    out.byte(0x2e);
    let i = 1;
    let m = min(dec.nd, prec + 1);
    while (i < m) out.byte(<u32>dec.d[i++]);
    appendRepeated(out, 0x30, prec + 1 - i);
  }
  out.byte(upper ? 0x45 : 0x65);
  let exp = dec.nd == 0 ? 0 : dec.dp - 1;
  if (exp < 0) {
    out.byte(0x2d);
    exp = -exp;
  } else {
    out.byte(0x2b);
  }
  if (exp < 10) {
    out.byte(0x30);
    out.byte(<u32>(0x30 + exp));
  } else {
    out.text(exp.toString());
  }
}

/** %f: ddd.ddd with prec digits after the point. */
function fmtF(out: ByteWriter, dec: Decimal, prec: i32): void {
  if (dec.dp > 0) {
    let m = min(dec.nd, dec.dp);
    for (let i = 0; i < m; i++) out.byte(<u32>dec.d[i]);
    appendRepeated(out, 0x30, dec.dp - m);
  } else {
    out.byte(0x30);
  }
  if (prec > 0) {
    out.byte(0x2e);
    for (let i = 1; i <= prec; i++) {
      let j = dec.dp + i - 1;
      out.byte(j >= 0 && j < dec.nd ? <u32>dec.d[j] : 0x30);
    }
  }
}

/**
 * Appends |f| (finite) in format 'e', 'E', 'f', 'g' or 'G' with precision prec (-1 for the shortest
 * representation), as Go's strconv.AppendFloat writes it; the caller writes the sign.
 */
export function appendGoFloat(out: ByteWriter, f: f64, format: i32, prec: i32): void {
  f = Math.abs(f);
  let shortest = prec < 0;
  let dec: Decimal;
  let lower = format | 0x20;
  if (shortest) {
    dec = shortestDecimal(f);
    if (lower == 0x65) prec = dec.nd - 1;
    else if (lower == 0x66) prec = max(dec.nd - dec.dp, 0);
    else prec = dec.nd;
  } else {
    dec = exactDecimal(f);
    if (lower == 0x65) dec.round(prec + 1);
    else if (lower == 0x66) dec.round(dec.dp + prec);
    else {
      if (prec == 0) prec = 1;
      dec.round(prec);
    }
  }
  let upper = format == 0x45 || format == 0x47;
  if (lower == 0x65) {
    fmtE(out, dec, prec, upper);
    return;
  }
  if (lower == 0x66) {
    fmtF(out, dec, prec);
    return;
  }
  // 'g': %e for small or large exponents, %f otherwise; trailing zeros dropped.
  let eprec = prec;
  if (eprec > dec.nd && dec.nd >= dec.dp) eprec = dec.nd;
  if (shortest) eprec = 6;
  let exp = dec.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > dec.nd) prec = dec.nd;
    fmtE(out, dec, prec - 1, upper);
    return;
  }
  if (prec > dec.dp) prec = dec.nd;
  fmtF(out, dec, max(prec - dec.dp, 0));
}

/**
 * Appends a finite f64 as Go's encoding/json writes a float64 (shortest digits; an exponent below 1e-6
 * and from 1e21 on, as in 1e+21 and 1e-7), the form the builtins use for numbers inside text they build.
 */
export function appendJSONFloat(out: ByteWriter, f: f64): void {
  if (f < 0) out.byte(0x2d);
  let abs = Math.abs(f);
  let exponential = abs != 0 && (abs < 1e-6 || abs >= 1e21);
  let start = out.len;
  appendGoFloat(out, abs, exponential ? 0x65 : 0x66, -1);
  if (exponential) {
    // e-09 becomes e-9
    let n = out.len - start;
    let p = out.ptr + start;
    if (n >= 4 && load<u8>(p + n - 4) == 0x65 && load<u8>(p + n - 3) == 0x2d && load<u8>(p + n - 2) == 0x30) {
      store<u8>(p + n - 2, load<u8>(p + n - 1));
      out.len -= 1;
    }
  }
}
