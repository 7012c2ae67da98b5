// Encoding builtins: json.marshal, json.marshal_with_options, json.unmarshal, json.is_valid, the base64 and
// base64url family, and hex.
//
// json.marshal writes what Go's json.Marshal writes for OPA's JSON form of a value: sets become sorted
// arrays, a non-string object key becomes its JSON text, keys are sorted, and <, >, &, U+2028 and U+2029
// are escaped as \u003c and so on.

import { clearBuiltinError } from "../errors";
import { ByteWriter } from "../byte-writer";
import {
  FALSE, TRUE, TYPE_ARRAY, TYPE_BOOLEAN, TYPE_NULL, TYPE_NUMBER, TYPE_OBJECT, TYPE_SET, TYPE_STRING,
  arrayAt, arrayLength, newBoolean, typeName, typeOf,
} from "../value";
import { collectionCount, collectionKeyAt, collectionValueAt } from "../collection";
import { compareBytes } from "../compare";
import { parseJSON } from "../json-parse";
import { appendAscii } from "./output";
import { appendNumberText, failure, operandError, strLen, strPtr, typeError } from "./operands";
import { appendRegoText } from "./rego-text";
import { JSON_EOF, JSON_OK, checkValue, isValidJSON, jsonEnd, jsonError } from "./json-check";
import { base64Decode, base64Encode } from "./base64";
import { decodeRune, runeWidth } from "./utf8";

// ---- json.marshal -----------------------------------------------------------------------------------------------

const HEX = "0123456789abcdef";

/** Appends (p, n) as a Go json.Marshal string literal. */
function appendJSONString(out: ByteWriter, p: usize, n: i32): void {
  out.byte(0x22);
  let run = 0;
  let i = 0;
  while (i < n) {
    let c = <i32>load<u8>(p + <usize>i);
    if (c >= 0x20 && c < 0x80 && c != 0x22 && c != 0x5c && c != 0x3c && c != 0x3e && c != 0x26) {
      i++;
      continue;
    }
    if (c < 0x80) {
      out.bytes(p + <usize>run, <usize>(i - run));
      out.byte(0x5c);
      if (c == 0x22 || c == 0x5c) out.byte(<u32>c);
      else if (c == 0x0a) out.byte(0x6e);
      else if (c == 0x0d) out.byte(0x72);
      else if (c == 0x09) out.byte(0x74);
      else if (c == 0x08) out.byte(0x62);
      else if (c == 0x0c) out.byte(0x66);
      else {
        appendAscii(out, "u00");
        out.byte(<u32>HEX.charCodeAt(c >> 4));
        out.byte(<u32>HEX.charCodeAt(c & 15));
      }
      i++;
      run = i;
      continue;
    }
    let r = decodeRune(p, n, i);
    let w = runeWidth;
    if ((r == 0xfffd && w == 1) || r == 0x2028 || r == 0x2029) {
      out.bytes(p + <usize>run, <usize>(i - run));
      if (r == 0xfffd) appendAscii(out, "\\ufffd");
      else appendAscii(out, r == 0x2028 ? "\\u2028" : "\\u2029");
      i += w;
      run = i;
      continue;
    }
    i += w;
  }
  out.bytes(p + <usize>run, <usize>(n - run));
  out.byte(0x22);
}

/** Appends the JSON of a key that is not a string: its own JSON text, as Go encodes it. */
function keyText(k: usize): ByteWriter {
  let w = new ByteWriter(16);
  appendJSON(w, k);
  return w;
}

/** Appends the Go json.Marshal form of OPA's JSON value of v. */
function appendJSON(out: ByteWriter, v: usize): void {
  switch (typeOf(v)) {
    case TYPE_NULL: appendAscii(out, "null"); return;
    case TYPE_BOOLEAN: appendAscii(out, v == TRUE ? "true" : "false"); return;
    case TYPE_NUMBER: appendNumberText(out, v); return;
    case TYPE_STRING: appendJSONString(out, strPtr(v), strLen(v)); return;
    case TYPE_ARRAY: {
      out.byte(0x5b);
      for (let i: u32 = 0, n = arrayLength(v); i < n; i++) {
        if (i) out.byte(0x2c);
        appendJSON(out, arrayAt(v, i));
      }
      out.byte(0x5d);
      return;
    }
    case TYPE_SET: {
      out.byte(0x5b);
      for (let i: u32 = 0, n = collectionCount(v); i < n; i++) {
        if (i) out.byte(0x2c);
        appendJSON(out, collectionKeyAt(v, i));
      }
      out.byte(0x5d);
      return;
    }
    case TYPE_OBJECT: {
      let n = collectionCount(v);
      // String keys in Rego's order are already in Go's (bytewise) order; other keys sort by their text.
      let simple = true;
      for (let i: u32 = 0; i < n; i++) if (typeOf(collectionKeyAt(v, i)) != TYPE_STRING) simple = false;
      out.byte(0x7b);
      if (simple) {
        for (let i: u32 = 0; i < n; i++) {
          if (i) out.byte(0x2c);
          let k = collectionKeyAt(v, i);
          appendJSONString(out, strPtr(k), strLen(k));
          out.byte(0x3a);
          appendJSON(out, collectionValueAt(v, i));
        }
      } else {
        let keys = new Array<ByteWriter>(<i32>n);
        let order = new Array<i32>(<i32>n);
        for (let i: u32 = 0; i < n; i++) {
          let k = collectionKeyAt(v, i);
          if (typeOf(k) == TYPE_STRING) {
            let w = new ByteWriter(<usize>strLen(k) + 1);
            w.bytes(strPtr(k), <usize>strLen(k));
            keys[i] = w;
          } else {
            keys[i] = keyText(k);
          }
          order[i] = <i32>i;
        }
        sortByText(order, keys);
        for (let j = 0; j < <i32>n; j++) {
          if (j) out.byte(0x2c);
          let k = keys[order[j]];
          appendJSONString(out, k.ptr, <i32>k.len);
          out.byte(0x3a);
          appendJSON(out, collectionValueAt(v, <u32>order[j]));
        }
      }
      out.byte(0x7d);
      return;
    }
  }
}

function sortByText(order: Array<i32>, keys: Array<ByteWriter>): void {
  for (let a = 1; a < order.length; a++) {
    let x = order[a];
    let b = a - 1;
    while (b >= 0) {
      let kb = keys[order[b]];
      let kx = keys[x];
      if (compareBytes(kb.ptr, kb.len, kx.ptr, kx.len) <= 0) break;
      order[b + 1] = order[b];
      b--;
    }
    order[b + 1] = x;
  }
}

/** json.marshal(x): the JSON text of x. */
export function cs_bi_json__marshal(x: usize): usize {
  clearBuiltinError();
  let out = new ByteWriter(64);
  appendJSON(out, x);
  return out.finishString();
}

/**
 * json.marshal_with_options(x, opts): json.marshal's text, or Go's json.MarshalIndent of it with every line
 * (the first too) starting with opts.prefix and each level indented by opts.indent (default a tab). Giving
 * prefix or indent asks for indenting unless opts.pretty says otherwise; any other key is an error.
 */
export function cs_bi_json__marshal_with_options(x: usize, opts: usize): usize {
  clearBuiltinError();
  let name = "json.marshal_with_options";
  if (typeOf(opts) != TYPE_OBJECT) return typeError(name, 2, opts, "object");
  let prefix: usize = 0;
  let indent: usize = 0;
  let implicitPretty = false;
  let explicit = false;
  let pretty = false;
  for (let i: u32 = 0, n = collectionCount(opts); i < n; i++) {
    let k = collectionKeyAt(opts, i);
    let v = collectionValueAt(opts, i);
    let idx = i.toString();
    if (typeOf(k) != TYPE_STRING) {
      let text = new ByteWriter(16);
      appendRegoText(text, k);
      let shown = String.UTF8.decodeUnsafe(text.ptr, text.len);
      return operandError(name, 2, "failed to stringify key " + shown + " at index " + idx + ": operand " + idx + " must be string but got " + typeName(k));
    }
    let key = String.UTF8.decodeUnsafe(strPtr(k), <usize>strLen(k));
    if (key == "prefix" || key == "indent") {
      if (typeOf(v) != TYPE_STRING) {
        return operandError(name, 2, "key " + key + " failed cast to string: operand " + idx + " must be string but got " + typeName(v));
      }
      if (key == "prefix") prefix = v;
      else indent = v;
      implicitPretty = true;
    } else if (key == "pretty") {
      explicit = true;
      if (typeOf(v) != TYPE_BOOLEAN) return operandError(name, 2, "key pretty failed cast to bool");
      pretty = v == TRUE;
    } else {
      return operandError(name, 2, "object contained unknown key " + key);
    }
  }
  if (!explicit) pretty = implicitPretty;
  let compact = new ByteWriter(64);
  appendJSON(compact, x);
  if (!pretty) return compact.finishString();
  let out = new ByteWriter(compact.len * 2 + 16);
  if (prefix) out.bytes(strPtr(prefix), <usize>strLen(prefix));
  appendIndented(out, compact.ptr, compact.len, prefix, indent);
  return out.finishString();
}

/** Writes a newline, the prefix, and the indent `depth` times (a tab when indent is 0). */
function newline(out: ByteWriter, prefix: usize, indent: usize, depth: i32): void {
  out.byte(0x0a);
  if (prefix) out.bytes(strPtr(prefix), <usize>strLen(prefix));
  for (let d = 0; d < depth; d++) {
    if (indent) out.bytes(strPtr(indent), <usize>strLen(indent));
    else out.byte(0x09);
  }
}

/**
 * Appends compact JSON (p, n) laid out as Go's json.Indent lays it out: one element or member per line, `": "`
 * after keys, and empty arrays and objects kept as `[]` and `{}`.
 */
function appendIndented(out: ByteWriter, p: usize, n: usize, prefix: usize, indent: usize): void {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let opened = false;
  for (let i: usize = 0; i < n; i++) {
    let c = <u32>load<u8>(p + i);
    if (inString) {
      out.byte(c);
      if (escaped) escaped = false;
      else if (c == 0x5c) escaped = true;
      else if (c == 0x22) inString = false;
      continue;
    }
    if (opened) {
      opened = false;
      if (c == 0x5d || c == 0x7d) {
        depth--;
        out.byte(c);
        continue;
      }
      newline(out, prefix, indent, depth);
    }
    if (c == 0x22) {
      inString = true;
      out.byte(c);
    } else if (c == 0x5b || c == 0x7b) {
      out.byte(c);
      depth++;
      opened = true;
    } else if (c == 0x5d || c == 0x7d) {
      depth--;
      newline(out, prefix, indent, depth);
      out.byte(c);
    } else if (c == 0x2c) {
      out.byte(c);
      newline(out, prefix, indent, depth);
    } else if (c == 0x3a) {
      out.byte(c);
      out.byte(0x20);
    } else {
      out.byte(c);
    }
  }
}

// ---- json.unmarshal, json.is_valid -------------------------------------------------------------------------------

/** json.unmarshal(s): the value of the JSON text s. */
export function cs_bi_json__unmarshal(s: usize): usize {
  clearBuiltinError();
  let name = "json.unmarshal";
  if (typeOf(s) != TYPE_STRING) return typeError(name, 1, s, "string");
  let p = strPtr(s);
  let n = strLen(s);
  let r = checkValue(p, n, 0);
  if (r == JSON_EOF) {
    // Go's decoder says EOF for nothing at all, and "unexpected EOF" for a value cut short.
    let k = 0;
    while (k < n && isSpace(<i32>load<u8>(p + <usize>k))) k++;
    return failure(name, k == n ? "EOF" : "unexpected EOF");
  }
  if (r != JSON_OK) return failure(name, jsonError);
  let end = jsonEnd;
  // OPA then reads one more token and complains about anything but the end (a null token slips through).
  let k = end;
  while (k < n && isSpace(<i32>load<u8>(p + <usize>k))) k++;
  if (k < n) {
    let c = <i32>load<u8>(p + <usize>k);
    if (c == 0x5d || c == 0x7d || c == 0x2c || c == 0x3a) {
      return failure(name, "invalid character '" + String.fromCharCode(c) + "' looking for beginning of value");
    }
    let t = checkValue(p, n, k);
    if (t == JSON_OK) {
      let tokenEnd = jsonEnd;
      if (c == 0x22) {
        return failure(name, "error: invalid character '" + String.UTF8.decodeUnsafe(p + <usize>k + 1, <usize>(tokenEnd - k - 2)) + "' after top-level value");
      }
      if (c == 0x74 || c == 0x66) return failure(name, "error: invalid character '%!s(bool=" + (c == 0x74 ? "true" : "false") + ")' after top-level value");
      if (c == 0x6e) return parseJSON(p, <usize>end);
      if (c == 0x5b || c == 0x7b) return failure(name, "error: invalid character '" + String.fromCharCode(c) + "' after top-level value");
      return failure(name, "error: invalid character '" + String.UTF8.decodeUnsafe(p + <usize>k, <usize>(tokenEnd - k)) + "' after top-level value");
    }
    if (c == 0x5b || c == 0x7b) return failure(name, "error: invalid character '" + String.fromCharCode(c) + "' after top-level value");
    if (t == JSON_EOF) return failure(name, "unexpected EOF");
    return failure(name, jsonError);
  }
  let v = parseJSON(p, <usize>end);
  if (!v) return failure(name, "invalid JSON");
  return v;
}

// @ts-ignore: decorator
@inline function isSpace(c: i32): bool {
  return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d;
}

/** json.is_valid(s): true when s is one JSON value; false for anything else, including non-strings. */
export function cs_bi_json__is_valid(s: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return FALSE;
  return newBoolean(isValidJSON(strPtr(s), strLen(s)));
}

// ---- base64 -----------------------------------------------------------------------------------------------------

function encode(name: string, s: usize, url: bool, pad: bool): usize {
  if (typeOf(s) != TYPE_STRING) return typeError(name, 1, s, "string");
  let n = strLen(s);
  let out = new ByteWriter(<usize>(((n + 2) / 3) * 4) + 1);
  base64Encode(strPtr(s), n, url, pad, out);
  return out.finishString();
}

/** base64.encode(s) */
export function cs_bi_base64__encode(s: usize): usize {
  clearBuiltinError();
  return encode("base64.encode", s, false, true);
}

/** base64url.encode(s) */
export function cs_bi_base64url__encode(s: usize): usize {
  clearBuiltinError();
  return encode("base64url.encode", s, true, true);
}

/** base64url.encode_no_pad(s) */
export function cs_bi_base64url__encode_no_pad(s: usize): usize {
  clearBuiltinError();
  return encode("base64url.encode_no_pad", s, true, false);
}

/** base64.decode(s): the bytes of padded standard base64 text. */
export function cs_bi_base64__decode(s: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("base64.decode", 1, s, "string");
  let n = strLen(s);
  let out = new ByteWriter(<usize>((n / 4) * 3) + 3);
  let bad = base64Decode(strPtr(s), n, false, out);
  if (bad >= 0) return failure("base64.decode", "illegal base64 data at input byte " + bad.toString());
  return out.finishString();
}

/** base64.is_valid(s): whether base64.decode would succeed; false for non-strings. */
export function cs_bi_base64__is_valid(s: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return FALSE;
  return newBoolean(base64Decode(strPtr(s), strLen(s), false, null) < 0);
}

/** base64url.decode(s): URL-alphabet base64, padding optional. */
export function cs_bi_base64url__decode(s: usize): usize {
  clearBuiltinError();
  let name = "base64url.decode";
  if (typeOf(s) != TYPE_STRING) return typeError(name, 1, s, "string");
  let p = strPtr(s);
  let n = strLen(s);
  // Missing padding is restored first (RFC 7515, appendix C), as OPA does.
  let padded = new ByteWriter(<usize>n + 3);
  padded.bytes(p, <usize>n);
  if (n == 0 || load<u8>(p + <usize>(n - 1)) != 0x3d) {
    let rest = n % 4;
    if (rest == 2) appendAscii(padded, "==");
    else if (rest == 3) appendAscii(padded, "=");
    else if (rest == 1) {
      return failure(name, "illegal base64url string: " + String.UTF8.decodeUnsafe(p, <usize>n));
    }
  }
  let out = new ByteWriter(<usize>((padded.len / 4) * 3) + 3);
  let bad = base64Decode(padded.ptr, <i32>padded.len, true, out);
  if (bad >= 0) return failure(name, "illegal base64 data at input byte " + bad.toString());
  return out.finishString();
}

// ---- hex --------------------------------------------------------------------------------------------------------

/** hex.encode(s): the bytes of s as lower-case hexadecimal. */
export function cs_bi_hex__encode(s: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("hex.encode", 1, s, "string");
  let p = strPtr(s);
  let n = strLen(s);
  let out = new ByteWriter(<usize>n * 2 + 1);
  for (let i = 0; i < n; i++) {
    let b = <i32>load<u8>(p + <usize>i);
    out.byte(<u32>HEX.charCodeAt(b >> 4));
    out.byte(<u32>HEX.charCodeAt(b & 15));
  }
  return out.finishString();
}

function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Go's InvalidByteError text: "encoding/hex: invalid byte: U+0067 'g'" (%#U of the byte as a rune). */
function invalidByte(c: i32): usize {
  let hex = c.toString(16).toUpperCase();
  while (hex.length < 4) hex = "0" + hex;
  let text = "encoding/hex: invalid byte: U+" + hex;
  let printable = (c >= 0x20 && c < 0x7f) || (c >= 0xa1 && c != 0xad);
  if (printable) text += " '" + String.fromCharCode(c) + "'";
  return failure("hex.decode", text);
}

/** hex.decode(s): the bytes spelt by hexadecimal text. */
export function cs_bi_hex__decode(s: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("hex.decode", 1, s, "string");
  let p = strPtr(s);
  let n = strLen(s);
  let out = new ByteWriter(<usize>(n / 2) + 1);
  let j = 1;
  for (; j < n; j += 2) {
    let a = <i32>load<u8>(p + <usize>(j - 1));
    let b = <i32>load<u8>(p + <usize>j);
    let x = hexValue(a);
    let y = hexValue(b);
    if (x < 0) return invalidByte(a);
    if (y < 0) return invalidByte(b);
    out.byte(<u32>((x << 4) | y));
  }
  if (n % 2 == 1) {
    let last = <i32>load<u8>(p + <usize>(j - 1));
    if (hexValue(last) < 0) return invalidByte(last);
    return failure("hex.decode", "encoding/hex: odd length hex string");
  }
  return out.finishString();
}
