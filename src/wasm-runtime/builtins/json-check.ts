// A JSON syntax checker with the error texts of Go's encoding/json scanner, for json.is_valid and for
// json.unmarshal's errors ("invalid character 'x' looking for beginning of value", "unexpected EOF").
//
// The values themselves are built by the core's parser once the text is known to be valid.

import { appendGoQuote } from "./quote";
import { ByteWriter } from "../byte-writer";

/** Outcome of checkValue: the value is well formed. */
export const JSON_OK = 0;
/** Outcome of checkValue: a syntax error; see jsonError. */
export const JSON_SYNTAX = 1;
/** Outcome of checkValue: the text ended inside the value. */
export const JSON_EOF = 2;

/** Go's message for the last JSON_SYNTAX outcome. */
export let jsonError: string = "";
/** Offset just after the value, after the last JSON_OK outcome. */
export let jsonEnd: i32 = 0;

const MAX_DEPTH = 10000;

let p: usize = 0;
let n: i32 = 0;
let i: i32 = 0;
let depth: i32 = 0;

// @ts-ignore: decorator
@inline function at(k: i32): i32 {
  return <i32>load<u8>(p + <usize>k);
}

// @ts-ignore: decorator
@inline function isSpace(c: i32): bool {
  return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d;
}

/** Go's quoteChar: the byte as a quoted character ('x', '\n', '\''). */
function quoteChar(c: i32): string {
  if (c == 0x27) return "'\\''";
  if (c == 0x22) return "'\"'";
  // string(c) in Go is the code point c, so a byte above 0x7f reads as U+0080..U+00FF.
  let w = new ByteWriter(16);
  let tmp = new ByteWriter(4);
  if (c < 0x80) tmp.byte(<u32>c);
  else {
    tmp.byte(<u32>(0xc0 | (c >> 6)));
    tmp.byte(<u32>(0x80 | (c & 0x3f)));
  }
  appendGoQuote(w, tmp.ptr, <i32>tmp.len);
  return "'" + String.UTF8.decodeUnsafe(w.ptr + 1, w.len - 2) + "'";
}

function fail(c: i32, context: string): i32 {
  jsonError = "invalid character " + quoteChar(c) + " " + context;
  return JSON_SYNTAX;
}

function skipSpace(): void {
  while (i < n && isSpace(at(i))) i++;
}

/** Checks the JSON value starting at (ptr + start) (leading white space allowed), within ptr+len. */
export function checkValue(ptr: usize, len: i32, start: i32): i32 {
  p = ptr;
  n = len;
  i = start;
  depth = 0;
  skipSpace();
  let r = value();
  if (r == JSON_OK) jsonEnd = i;
  return r;
}

/** True when (ptr, len) is exactly one JSON value with optional surrounding white space (json.Valid). */
export function isValidJSON(ptr: usize, len: i32): bool {
  if (checkValue(ptr, len, 0) != JSON_OK) return false;
  skipSpace();
  return i == n;
}

function value(): i32 {
  if (i >= n) return JSON_EOF;
  let c = at(i);
  switch (c) {
    case 0x7b: return object();
    case 0x5b: return array();
    case 0x22: return str();
    case 0x74: return literal("true");
    case 0x66: return literal("false");
    case 0x6e: return literal("null");
  }
  if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return number();
  return fail(c, "looking for beginning of value");
}

function literal(word: string): i32 {
  for (let k = 1; k < word.length; k++) {
    if (i + k >= n) return JSON_EOF;
    let expected = word.charCodeAt(k);
    if (at(i + k) != expected) {
      return fail(at(i + k), "in literal " + word + " (expecting " + quoteChar(expected) + ")");
    }
  }
  i += word.length;
  return JSON_OK;
}

function number(): i32 {
  if (at(i) == 0x2d) {
    i++;
    if (i >= n) return JSON_EOF;
    let c = at(i);
    if (c < 0x30 || c > 0x39) return fail(c, "in numeric literal");
  }
  if (at(i) == 0x30) {
    i++;
  } else {
    while (i < n && at(i) >= 0x30 && at(i) <= 0x39) i++;
  }
  if (i < n && at(i) == 0x2e) {
    i++;
    if (i >= n) return JSON_EOF;
    if (at(i) < 0x30 || at(i) > 0x39) return fail(at(i), "after decimal point in numeric literal");
    while (i < n && at(i) >= 0x30 && at(i) <= 0x39) i++;
  }
  if (i < n && (at(i) == 0x65 || at(i) == 0x45)) {
    i++;
    if (i < n && (at(i) == 0x2b || at(i) == 0x2d)) i++;
    if (i >= n) return JSON_EOF;
    if (at(i) < 0x30 || at(i) > 0x39) return fail(at(i), "in exponent of numeric literal");
    while (i < n && at(i) >= 0x30 && at(i) <= 0x39) i++;
  }
  return JSON_OK;
}

function isHex(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function str(): i32 {
  i++; // opening quote
  while (true) {
    if (i >= n) return JSON_EOF;
    let c = at(i);
    if (c == 0x22) {
      i++;
      return JSON_OK;
    }
    if (c < 0x20) return fail(c, "in string literal");
    if (c == 0x5c) {
      i++;
      if (i >= n) return JSON_EOF;
      let e = at(i);
      if (e == 0x75) {
        for (let k = 1; k <= 4; k++) {
          if (i + k >= n) return JSON_EOF;
          if (!isHex(at(i + k))) return fail(at(i + k), "in \\u hexadecimal character escape");
        }
        i += 5;
        continue;
      }
      if (e == 0x22 || e == 0x5c || e == 0x2f || e == 0x62 || e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74) {
        i++;
        continue;
      }
      return fail(e, "in string escape code");
    }
    i++;
  }
  return JSON_OK;
}

function array(): i32 {
  if (++depth > MAX_DEPTH) {
    jsonError = "exceeded max depth";
    return JSON_SYNTAX;
  }
  i++; // [
  skipSpace();
  if (i >= n) return JSON_EOF;
  if (at(i) == 0x5d) {
    i++;
    depth--;
    return JSON_OK;
  }
  while (true) {
    let r = value();
    if (r != JSON_OK) return r;
    skipSpace();
    if (i >= n) return JSON_EOF;
    let c = at(i);
    if (c == 0x2c) {
      i++;
      skipSpace();
      continue;
    }
    if (c == 0x5d) {
      i++;
      depth--;
      return JSON_OK;
    }
    return fail(c, "after array element");
  }
  return JSON_OK;
}

function object(): i32 {
  if (++depth > MAX_DEPTH) {
    jsonError = "exceeded max depth";
    return JSON_SYNTAX;
  }
  i++; // {
  skipSpace();
  if (i >= n) return JSON_EOF;
  if (at(i) == 0x7d) {
    i++;
    depth--;
    return JSON_OK;
  }
  while (true) {
    if (i >= n) return JSON_EOF;
    if (at(i) != 0x22) return fail(at(i), "looking for beginning of object key string");
    let r = str();
    if (r != JSON_OK) return r;
    skipSpace();
    if (i >= n) return JSON_EOF;
    if (at(i) != 0x3a) return fail(at(i), "after object key");
    i++;
    skipSpace();
    r = value();
    if (r != JSON_OK) return r;
    skipSpace();
    if (i >= n) return JSON_EOF;
    let c = at(i);
    if (c == 0x2c) {
      i++;
      skipSpace();
      continue;
    }
    if (c == 0x7d) {
      i++;
      depth--;
      return JSON_OK;
    }
    return fail(c, "after object key:value pair");
  }
  return JSON_OK;
}
