// to_number: null, booleans, numbers and number strings as numbers, with Go's ParseFloat rules and errors.

import { clearBuiltinError } from "../errors";
import { ByteWriter } from "../byte-writer";
import { TRUE, TYPE_BOOLEAN, TYPE_NULL, TYPE_NUMBER, TYPE_STRING, typeOf } from "../value";
import { newNumber, parseNumber, scanNumber } from "../number";
import { failure, strLen, strPtr, typeError } from "./operands";
import { appendGoQuote } from "./quote";
import { writerToString } from "./output";

// Outcome of goFloatSyntax.
const SYNTAX_OK = 0;
const SYNTAX_INVALID = 1;

/** Value read by the last successful goFloatSyntax. */
let parsedFloat: f64 = 0;

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): i32 {
  return <i32>load<u8>(p + <usize>i);
}

// @ts-ignore: decorator
@inline function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  let l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/**
 * Checks (p, n) against the syntax Go's strconv.ParseFloat accepts apart from inf and nan: an optional sign,
 * decimal digits with an optional point and e-exponent, or a 0x hexadecimal mantissa with a required
 * p-exponent (underscores allowed between digits only there). Sets parsedFloat.
 */
function goFloatSyntax(p: usize, n: i32): i32 {
  let i = 0;
  let negative = false;
  if (i < n && (at(p, i) == 0x2b || at(p, i) == 0x2d)) {
    negative = at(p, i) == 0x2d;
    i++;
  }
  if (n - i > 2 && at(p, i) == 0x30 && (at(p, i + 1) | 0x20) == 0x78) return hexFloat(p, n, i + 2, negative);
  let start = i;
  let digits = 0;
  let dot = false;
  while (i < n) {
    let c = at(p, i);
    if (isDigit(c)) {
      digits++;
    } else if (c == 0x2e && !dot) {
      dot = true;
    } else {
      break;
    }
    i++;
  }
  if (digits == 0) return SYNTAX_INVALID;
  if (i < n && (at(p, i) | 0x20) == 0x65) {
    i++;
    if (i < n && (at(p, i) == 0x2b || at(p, i) == 0x2d)) i++;
    if (i >= n || !isDigit(at(p, i))) return SYNTAX_INVALID;
    while (i < n && isDigit(at(p, i))) i++;
  }
  if (i != n) return SYNTAX_INVALID;
  parsedFloat = parseFloat(String.UTF8.decodeUnsafe(p + <usize>start, <usize>(n - start)));
  if (negative) parsedFloat = -parsedFloat;
  return SYNTAX_OK;
}

function hexFloat(p: usize, n: i32, i: i32, negative: bool): i32 {
  let mantissa: f64 = 0;
  let exponent = 0;
  let digits = 0;
  let dot = false;
  // The base prefix allows underscores, each between two digits (or after the prefix).
  let prevUnderscore = false;
  while (i < n) {
    let c = at(p, i);
    if (c == 0x5f) {
      if (prevUnderscore) return SYNTAX_INVALID;
      prevUnderscore = true;
      i++;
      continue;
    }
    let d = hexValue(c);
    if (d >= 0) {
      mantissa = mantissa * 16 + <f64>d;
      if (dot) exponent -= 4;
      digits++;
      prevUnderscore = false;
    } else if (c == 0x2e && !dot && !prevUnderscore) {
      dot = true;
    } else {
      break;
    }
    i++;
  }
  if (digits == 0 || prevUnderscore) return SYNTAX_INVALID;
  if (i >= n || (at(p, i) | 0x20) != 0x70) return SYNTAX_INVALID; // a hex mantissa needs an exponent
  i++;
  let expNegative = false;
  if (i < n && (at(p, i) == 0x2b || at(p, i) == 0x2d)) {
    expNegative = at(p, i) == 0x2d;
    i++;
  }
  if (i >= n || !isDigit(at(p, i))) return SYNTAX_INVALID;
  let e = 0;
  while (i < n && (isDigit(at(p, i)) || at(p, i) == 0x5f)) {
    if (at(p, i) != 0x5f && e < 10000) e = e * 10 + at(p, i) - 0x30;
    i++;
  }
  if (i != n) return SYNTAX_INVALID;
  exponent += expNegative ? -e : e;
  parsedFloat = mantissa * Math.pow(2, <f64>exponent);
  if (negative) parsedFloat = -parsedFloat;
  return SYNTAX_OK;
}

function parseError(p: usize, n: i32, reason: string): usize {
  let w = new ByteWriter(<usize>n + 48);
  w.text("strconv.ParseFloat: parsing ");
  appendGoQuote(w, p, n);
  w.text(": " + reason);
  return failure("to_number", writerToString(w));
}

/** True when (p, n) is inf, infinity or nan in any case, after any leading signs (OPA rejects these). */
function isNonFinite(p: usize, n: i32): bool {
  let i = 0;
  while (i < n && (at(p, i) == 0x2b || at(p, i) == 0x2d)) i++;
  let len = n - i;
  if (len != 3 && len != 8) return false;
  let s = String.UTF8.decodeUnsafe(p + <usize>i, <usize>len).toLowerCase();
  return s == "inf" || s == "nan" || s == "infinity";
}

/** to_number(x): 0 for null, 0 or 1 for booleans, the number itself, or the number a string spells. */
export function cs_bi_to_number(x: usize): usize {
  clearBuiltinError();
  switch (typeOf(x)) {
    case TYPE_NULL: return newNumber(0);
    case TYPE_BOOLEAN: return newNumber(x == TRUE ? 1 : 0);
    case TYPE_NUMBER: return x;
    case TYPE_STRING: {
      let p = strPtr(x);
      let n = strLen(x);
      if (isNonFinite(p, n)) return typeError("to_number", 1, x, "valid number string");
      if (goFloatSyntax(p, n) != SYNTAX_OK) return parseError(p, n, "invalid syntax");
      if (parsedFloat - parsedFloat != 0) return parseError(p, n, "value out of range");
      // JSON-shaped text keeps big integers exact; other spellings (+1, .5, 1., hex) are their f64.
      if (n > 0 && scanNumber(p, p + <usize>n) == <usize>n) return parseNumber(p, <usize>n);
      return newNumber(parsedFloat);
    }
  }
  return typeError("to_number", 1, x, "one of {null, boolean, number, string}");
}
