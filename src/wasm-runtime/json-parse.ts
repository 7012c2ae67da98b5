// A parser from JSON text, or Rego value text (JSON plus sets and non-string keys), to values.
//
// It works on bytes in place: strings without escapes point into the text instead of being copied (the
// text must therefore outlive the values, which holds for the SDK's input and data buffers), numbers of
// up to nine digits are read in the same pass that finds their end, and the elements of arrays, objects and
// sets gather on a value stack so that each collection is allocated once, at its final size.

import { allocate, shrink } from "./heap";
import { writeCodePoint } from "./byte-writer";
import { FALSE, NULL, TRUE, newArrayFrom, newStringRef } from "./value";
import { newNumber, parseNumber, scanNumber } from "./number";
import { newObject, newSet, objectInsert, setAdd } from "./collection";

/** Deeper nesting than this fails the parse, well before recursion here or in dumping could exhaust the stack. */
const MAX_DEPTH: i32 = 2048;

/** Slots of the value stack allocated at start; a deeper or wider document borrows a bigger one. */
const STACK_SLOTS: usize = 2048;

let pos: usize = 0;
let end: usize = 0;
let regoSyntax = false;

let baseStack: usize = 0;
let baseSlots: usize = 0;
let stack: usize = 0;
let slots: usize = 0;
let top: usize = 0;

/** Allocates the value stack; runs once from the start function so that the stack outlives evaluations. */
export function initParser(): void {
  baseStack = allocate(STACK_SLOTS << 2);
  baseSlots = STACK_SLOTS;
}

/** The value of the JSON text at (ptr, len), or 0 when it is not valid JSON. */
export function parseJSON(ptr: usize, len: usize): usize {
  return parseText(ptr, len, false);
}

/** The value of the Rego value text at (ptr, len) (JSON, `{1, 2}` sets, `set()`, any keys), or 0. */
export function parseRegoValue(ptr: usize, len: usize): usize {
  return parseText(ptr, len, true);
}

function parseText(ptr: usize, len: usize, rego: bool): usize {
  pos = ptr;
  end = ptr + len;
  regoSyntax = rego;
  stack = baseStack;
  slots = baseSlots;
  top = 0;
  let v = parseValue(0);
  skipSpace();
  // a stack borrowed for this document is garbage now; the next parse starts from the start-up one
  stack = baseStack;
  slots = baseSlots;
  return v && pos == end ? v : 0;
}

// @ts-ignore: decorator
@inline function push(v: usize): void {
  if (top == slots) growStack();
  store<u32>(stack + (top << 2), <u32>v);
  top++;
}

function growStack(): void {
  let bigger = allocate(slots << 3);
  memory.copy(bigger, stack, slots << 2);
  stack = bigger;
  slots <<= 1;
}

// @ts-ignore: decorator
@inline function skipSpace(): void {
  while (pos < end) {
    let c = load<u8>(pos);
    if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) break;
    pos++;
  }
}

// value = object / array / string / number / "true" / "false" / "null" / "set()" (Rego)
function parseValue(depth: i32): usize {
  skipSpace();
  if (pos >= end) return 0;
  let c = <u32>load<u8>(pos);
  if (c == 0x22) return parseString();
  if (c - 0x30 < 10 || c == 0x2d) return parseNumberToken();
  if (c == 0x7b) return parseBrace(depth);
  if (c == 0x5b) return parseArray(depth);
  if (c == 0x74) return literal(0x65757274, TRUE); // "true"
  if (c == 0x6e) return literal(0x6c6c756e, NULL); // "null"
  if (c == 0x66) {
    // "false"
    if (pos + 5 <= end && load<u32>(pos, 1) == 0x65736c61) {
      pos += 5;
      return FALSE;
    }
    return 0;
  }
  if (c == 0x73 && regoSyntax) {
    // "set()"
    if (pos + 5 <= end && load<u32>(pos) == 0x28746573 && load<u8>(pos, 4) == 0x29) {
      pos += 5;
      return newSet();
    }
  }
  return 0;
}

// @ts-ignore: decorator
@inline function literal(word: u32, value: usize): usize {
  if (pos + 4 <= end && load<u32>(pos) == word) {
    pos += 4;
    return value;
  }
  return 0;
}

// number: up to nine integer digits not followed by a fraction or exponent become a value right here
function parseNumberToken(): usize {
  let p = pos;
  let negative = load<u8>(p) == 0x2d;
  if (negative) p++;
  let value: u32 = 0;
  let start = p;
  let c: u32 = 0;
  while (p < end && (c = <u32>load<u8>(p) - 0x30) < 10 && p - start < 9) {
    value = value * 10 + c;
    p++;
  }
  let digits = p - start;
  if (digits > 0 && (digits == 1 || load<u8>(start) != 0x30)) {
    let next: u32 = p < end ? <u32>load<u8>(p) : 0;
    if (next - 0x30 >= 10 && next != 0x2e && (next | 0x20) != 0x65) {
      pos = p;
      return newNumber(negative ? -<f64>value : <f64>value);
    }
  }
  let n = scanNumber(pos, end);
  if (!n) return 0;
  let v = parseNumber(pos, n);
  pos += n;
  return v;
}

// string = '"' *( unescaped / '\' escape ) '"'
function parseString(): usize {
  let start = ++pos;
  while (pos < end) {
    let c = load<u8>(pos);
    if (c == 0x22) {
      let v = newStringRef(start, pos - start);
      pos++;
      return v;
    }
    if (c == 0x5c) return parseEscapedString(start);
    if (c < 0x20) return 0;
    pos++;
  }
  return 0;
}

/** Decodes a string with escapes into a new buffer, no longer than the raw text. */
function parseEscapedString(start: usize): usize {
  // find the closing quote first, to size the buffer
  let p = pos;
  while (true) {
    if (p >= end) return 0;
    let c = load<u8>(p);
    if (c == 0x22) break;
    if (c < 0x20) return 0;
    p += c == 0x5c ? 2 : 1;
  }
  let rawLen = p - start;
  let buffer = allocate(rawLen);
  let out = buffer;
  let copied = start;
  let q = pos;
  while (q < p) {
    if (load<u8>(q) != 0x5c) {
      q++;
      continue;
    }
    memory.copy(out, copied, q - copied);
    out += q - copied;
    let e = <u32>load<u8>(q + 1);
    q += 2;
    switch (e) {
      case 0x22: case 0x5c: case 0x2f: store<u8>(out++, <u8>e); break;
      case 0x62: store<u8>(out++, 0x08); break;
      case 0x66: store<u8>(out++, 0x0c); break;
      case 0x6e: store<u8>(out++, 0x0a); break;
      case 0x72: store<u8>(out++, 0x0d); break;
      case 0x74: store<u8>(out++, 0x09); break;
      case 0x75: {
        let unit = hex4(q, p);
        if (unit < 0) return 0;
        q += 4;
        let cp = <u32>unit;
        if (cp >= 0xd800 && cp < 0xdc00) {
          // a high surrogate: combine with a following \u low surrogate, else it is malformed
          let low = q + 6 <= p && load<u8>(q) == 0x5c && load<u8>(q + 1) == 0x75 ? hex4(q + 2, p) : -1;
          if (low >= 0xdc00 && low < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (<u32>low - 0xdc00);
            q += 6;
          } else {
            cp = 0xfffd;
          }
        } else if (cp >= 0xdc00 && cp < 0xe000) {
          cp = 0xfffd;
        }
        out = writeCodePoint(out, cp);
        break;
      }
      default: return 0;
    }
    copied = q;
  }
  memory.copy(out, copied, p - copied);
  out += p - copied;
  let len = out - buffer;
  shrink(buffer, rawLen, len);
  pos = p + 1;
  return newStringRef(buffer, len);
}

/** The value of four hex digits at p (before limit), or -1. */
function hex4(p: usize, limit: usize): i32 {
  if (p + 4 > limit) return -1;
  let v: i32 = 0;
  for (let i: usize = 0; i < 4; i++) {
    let c = <u32>load<u8>(p + i);
    let d: u32;
    if (c - 0x30 < 10) d = c - 0x30;
    else if ((c | 0x20) - 0x61 < 6) d = (c | 0x20) - 0x61 + 10;
    else return -1;
    v = (v << 4) | <i32>d;
  }
  return v;
}

// array = '[' [ value *( ',' value ) ] ']'
function parseArray(depth: i32): usize {
  if (depth >= MAX_DEPTH) return 0;
  pos++;
  skipSpace();
  if (pos < end && load<u8>(pos) == 0x5d) {
    pos++;
    return newArrayFrom(0, 0);
  }
  let base = top;
  while (true) {
    let v = parseValue(depth + 1);
    if (!v) return 0;
    push(v);
    skipSpace();
    if (pos >= end) return 0;
    let c = load<u8>(pos++);
    if (c == 0x5d) break;
    if (c != 0x2c) return 0;
  }
  let a = newArrayFrom(stack + (base << 2), <u32>(top - base));
  top = base;
  return a;
}

// object = '{' [ member *( ',' member ) ] '}' ; member = key ':' value, key a string in JSON, any value in Rego
// set    = '{' value *( ',' value ) '}'        (Rego only; `{}` is the empty object)
function parseBrace(depth: i32): usize {
  if (depth >= MAX_DEPTH) return 0;
  pos++;
  skipSpace();
  if (pos < end && load<u8>(pos) == 0x7d) {
    pos++;
    return newObject();
  }
  if (!regoSyntax && (pos >= end || load<u8>(pos) != 0x22)) return 0;
  let base = top;
  let first = parseValue(depth + 1);
  if (!first) return 0;
  skipSpace();
  if (pos >= end) return 0;
  if (load<u8>(pos) != 0x3a) return regoSyntax ? parseSetRest(depth, base, first) : 0;
  push(first);
  while (true) {
    // at ':' after a key
    pos++;
    let v = parseValue(depth + 1);
    if (!v) return 0;
    push(v);
    skipSpace();
    if (pos >= end) return 0;
    let c = load<u8>(pos++);
    if (c == 0x7d) break;
    if (c != 0x2c) return 0;
    skipSpace();
    if (!regoSyntax && (pos >= end || load<u8>(pos) != 0x22)) return 0;
    let k = parseValue(depth + 1);
    if (!k) return 0;
    push(k);
    skipSpace();
    if (pos >= end || load<u8>(pos) != 0x3a) return 0;
  }
  let n = (top - base) >> 1;
  let obj = newObject(<u32>n);
  for (let i: usize = 0; i < n; i++) {
    let at = stack + ((base + (i << 1)) << 2);
    objectInsert(obj, <usize>load<u32>(at), <usize>load<u32>(at, 4));
  }
  top = base;
  return obj;
}

function parseSetRest(depth: i32, base: usize, first: usize): usize {
  push(first);
  while (true) {
    if (pos >= end) return 0;
    let c = load<u8>(pos++);
    if (c == 0x7d) break;
    if (c != 0x2c) return 0;
    let v = parseValue(depth + 1);
    if (!v) return 0;
    push(v);
    skipSpace();
  }
  let n = top - base;
  let set = newSet(<u32>n);
  for (let i: usize = 0; i < n; i++) setAdd(set, <usize>load<u32>(stack + ((base + i) << 2)));
  top = base;
  return set;
}
