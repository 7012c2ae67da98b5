// Go's strconv.FormatFloat for sprintf: the 'e', 'f' and 'g' formats, shortest or at a given precision.
//
// A fixed precision rounds the exact binary value (every f64 is a finite decimal), halves to even, as Go
// does: sprintf("%.2f", [2.675]) is "2.67" because 2.675 is stored as 2.67499999.... The shortest form uses
// the digits of the runtime's shortest round-trip conversion.

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

  private roundDown(nd: i32): void {
    this.nd = nd;
    this.trim();
  }

  private roundUp(nd: i32): void {
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

/** The exact decimal value of a finite, non-negative f64. */
function exactDecimal(f: f64): Decimal {
  let dec = new Decimal();
  let bits = reinterpret<u64>(f);
  let exponent = <i32>((bits >> 52) & 0x7ff);
  let mantissa = bits & 0xfffffffffffff;
  if (exponent == 0) exponent = 1;
  else mantissa |= <u64>1 << 52;
  exponent -= 1075; // f = mantissa × 2^exponent
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

/** The shortest decimal that reads back as f (finite, non-negative). */
function shortestDecimal(f: f64): Decimal {
  let dec = new Decimal();
  if (f == 0) return dec;
  let s = f.toString(); // e.g. "0.1", "123.0", "1e+21", "1.5e-7"
  let n = s.length;
  let nd = 0;
  let dp = 0;
  let sawDot = false;
  let leading = true;
  let i = 0;
  for (; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c == 0x2e) {
      sawDot = true;
      dp = nd;
      continue;
    }
    if (c < 0x30 || c > 0x39) break;
    if (leading && c == 0x30) {
      // a leading zero after the point only moves it
      if (sawDot) dp--;
      continue;
    }
    leading = false;
    dec.d[nd++] = <u8>c;
  }
  if (!sawDot) dp = nd;
  if (i < n) {
    // exponent
    i++;
    let neg = false;
    if (s.charCodeAt(i) == 0x2b || s.charCodeAt(i) == 0x2d) {
      neg = s.charCodeAt(i) == 0x2d;
      i++;
    }
    let e = 0;
    for (; i < n; i++) e = e * 10 + (s.charCodeAt(i) - 0x30);
    dp += neg ? -e : e;
  }
  dec.nd = nd;
  dec.dp = dp;
  dec.trim();
  return dec;
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
