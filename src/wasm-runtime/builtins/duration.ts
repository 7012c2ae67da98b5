// Go duration strings ("1h30m", "-1.5s", "300µs") parsed to nanoseconds with time.ParseDuration's rules.

import { timeQuote } from "./quote";

/** Nanoseconds of the last successful `parseDuration`. */
export let durationNanos: i64 = 0;
/** Go's error text for the last failed `parseDuration`. */
export let durationError: string = "";

const LIMIT: u64 = 1 << 63;

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): i32 {
  return <i32>load<u8>(p + <usize>i);
}

function invalid(p: usize, n: i32): bool {
  durationError = "time: invalid duration " + timeQuote(p, 0, n);
  return false;
}

/** Nanoseconds per unit for the unit text at [s, e), or 0 when unknown. */
function unitNanos(p: usize, s: i32, e: i32): u64 {
  let len = e - s;
  let c0 = at(p, s);
  if (len == 1) {
    if (c0 == 0x73) return 1_000_000_000; // s
    if (c0 == 0x6d) return 60_000_000_000; // m
    if (c0 == 0x68) return 3_600_000_000_000; // h
    return 0;
  }
  if (len == 2 && at(p, s + 1) == 0x73) {
    if (c0 == 0x6e) return 1; // ns
    if (c0 == 0x75) return 1_000; // us
    if (c0 == 0x6d) return 1_000_000; // ms
    return 0;
  }
  // µs written with U+00B5 (micro sign) or U+03BC (Greek mu).
  if (len == 3 && at(p, s + 2) == 0x73) {
    let c1 = at(p, s + 1);
    if ((c0 == 0xc2 && c1 == 0xb5) || (c0 == 0xce && c1 == 0xbc)) return 1_000;
  }
  return 0;
}

/** Parses a Go duration from (p, n); on success sets `durationNanos`, else `durationError`. */
export function parseDuration(p: usize, n: i32): bool {
  let i = 0;
  let neg = false;
  if (n > 0) {
    let c = at(p, 0);
    if (c == 0x2d || c == 0x2b) {
      neg = c == 0x2d;
      i = 1;
    }
  }
  if (n - i == 1 && at(p, i) == 0x30) {
    durationNanos = 0;
    return true;
  }
  if (i == n) return invalid(p, n);
  let d: u64 = 0;
  while (i < n) {
    let c = at(p, i);
    if (!(c == 0x2e || (c >= 0x30 && c <= 0x39))) return invalid(p, n);
    // Integer part.
    let v: u64 = 0;
    let start = i;
    while (i < n) {
      c = at(p, i);
      if (c < 0x30 || c > 0x39) break;
      if (v > LIMIT / 10) return invalid(p, n);
      v = v * 10 + <u64>(c - 0x30);
      if (v > LIMIT) return invalid(p, n);
      i++;
    }
    let pre = i != start;
    // Fraction.
    let f: u64 = 0;
    let scale: f64 = 1;
    let post = false;
    if (i < n && at(p, i) == 0x2e) {
      i++;
      let fs = i;
      let overflow = false;
      while (i < n) {
        c = at(p, i);
        if (c < 0x30 || c > 0x39) break;
        i++;
        if (overflow) continue;
        if (f > (LIMIT - 1) / 10) {
          overflow = true;
          continue;
        }
        let y = f * 10 + <u64>(c - 0x30);
        if (y > LIMIT) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = i != fs;
    }
    if (!pre && !post) return invalid(p, n);
    // Unit.
    let us = i;
    while (i < n) {
      c = at(p, i);
      if (c == 0x2e || (c >= 0x30 && c <= 0x39)) break;
      i++;
    }
    if (us == i) {
      durationError = "time: missing unit in duration " + timeQuote(p, 0, n);
      return false;
    }
    let unit = unitNanos(p, us, i);
    if (unit == 0) {
      durationError = "time: unknown unit " + timeQuote(p, us, i) + " in duration " + timeQuote(p, 0, n);
      return false;
    }
    if (v > LIMIT / unit) return invalid(p, n);
    v *= unit;
    if (f > 0) {
      v += <u64>(<f64>f * (<f64>unit / scale));
      if (v > LIMIT) return invalid(p, n);
    }
    d += v;
    if (d > LIMIT) return invalid(p, n);
  }
  if (neg) {
    durationNanos = -<i64>d;
    return true;
  }
  if (d > LIMIT - 1) return invalid(p, n);
  durationNanos = <i64>d;
  return true;
}
