// Serialises values as JSON (what the SDK reads back) or as Rego value text (sets as `{…}` / `set()`).
//
// Objects and sets are written in Rego's order. JSON has no sets, so a set is written as the array of its
// sorted elements; and JSON keys are strings, so an object key that is not a string is written as the
// JSON text of the key, quoted (OPA does the same: the key 3 becomes "3", the key [1] becomes "[1]").

import { ByteWriter } from "./byte-writer";
import {
  ArrayBox, CollectionBox, StringBox,
  TYPE_ARRAY, TYPE_BOOLEAN, TYPE_NULL, TYPE_NUMBER, TYPE_OBJECT, TYPE_SET, TYPE_STRING,
} from "./value";
import { writeNumber } from "./number";
import { ensureSorted } from "./collection";

/** The JSON text of a value, NUL-terminated; undefined (0) is written as null. */
export function dumpJSON(v: usize): usize {
  let w = new ByteWriter(256);
  writeValue(w, v, false);
  return w.finishCString();
}

/** The Rego value text of a value, NUL-terminated. */
export function dumpRego(v: usize): usize {
  let w = new ByteWriter(256);
  writeValue(w, v, true);
  return w.finishCString();
}

/** Appends the JSON text (rego false) or the Rego value text (rego true) of a value. */
export function writeValue(w: ByteWriter, v: usize, rego: bool): void {
  switch (v ? load<u8>(v) : TYPE_NULL) {
    case TYPE_NULL: {
      writeWord(w, 0x6c6c756e, 4);
      return;
    }
    case TYPE_BOOLEAN: {
      if (load<u8>(v, 1)) {
        writeWord(w, 0x65757274, 4);
      } else {
        writeWord(w, 0x736c6166, 4);
        w.byte(0x65);
      }
      return;
    }
    case TYPE_NUMBER: {
      writeNumber(w, v);
      return;
    }
    case TYPE_STRING: {
      let s = changetype<StringBox>(v);
      writeQuoted(w, s.ptr, s.len);
      return;
    }
    case TYPE_ARRAY: {
      let a = changetype<ArrayBox>(v);
      w.byte(0x5b);
      for (let i: usize = 0, n = <usize>a.len; i < n; i++) {
        if (i) w.byte(0x2c);
        writeValue(w, <usize>load<u32>(a.elems + (i << 2)), rego);
      }
      w.byte(0x5d);
      return;
    }
    case TYPE_OBJECT: {
      ensureSorted(v);
      let o = changetype<CollectionBox>(v);
      w.byte(0x7b);
      for (let i: usize = 0, n = <usize>o.count; i < n; i++) {
        if (i) w.byte(0x2c);
        let key = <usize>load<u32>(o.keys + (i << 2));
        if (rego || load<u8>(key) == TYPE_STRING) {
          writeValue(w, key, rego);
        } else {
          let text = new ByteWriter(32);
          writeValue(text, key, false);
          writeQuoted(w, text.ptr, text.len);
        }
        w.byte(0x3a);
        writeValue(w, <usize>load<u32>(o.vals + (i << 2)), rego);
      }
      w.byte(0x7d);
      return;
    }
    case TYPE_SET: {
      ensureSorted(v);
      let s = changetype<CollectionBox>(v);
      let n = <usize>s.count;
      if (rego && n == 0) {
        writeWord(w, 0x28746573, 4);
        w.byte(0x29);
        return;
      }
      w.byte(rego ? 0x7b : 0x5b);
      for (let i: usize = 0; i < n; i++) {
        if (i) w.byte(0x2c);
        writeValue(w, <usize>load<u32>(s.keys + (i << 2)), rego);
      }
      w.byte(rego ? 0x7d : 0x5d);
      return;
    }
  }
}

// @ts-ignore: decorator
@inline function writeWord(w: ByteWriter, word: u32, n: usize): void {
  w.reserve(4);
  store<u32>(w.ptr + w.len, word);
  w.len += n;
}

/** Appends the bytes at (ptr, len) as a JSON string literal, escaping quotes, backslashes and controls. */
export function writeQuoted(w: ByteWriter, ptr: usize, len: usize): void {
  w.reserve(len + 2);
  w.byte(0x22);
  let run = ptr;
  let p = ptr;
  let end = ptr + len;
  while (p < end) {
    let c = <u32>load<u8>(p);
    if (c >= 0x20 && c != 0x22 && c != 0x5c) {
      p++;
      continue;
    }
    if (p > run) w.bytes(run, p - run);
    writeEscape(w, c);
    p++;
    run = p;
  }
  if (p > run) w.bytes(run, p - run);
  w.byte(0x22);
}

function writeEscape(w: ByteWriter, c: u32): void {
  w.reserve(6);
  let out = w.ptr + w.len;
  store<u8>(out, 0x5c);
  let short: u32 = c == 0x22 ? 0x22 : c == 0x5c ? 0x5c : c == 0x0a ? 0x6e : c == 0x0d ? 0x72 : c == 0x09 ? 0x74
    : c == 0x08 ? 0x62 : c == 0x0c ? 0x66 : 0;
  if (short) {
    store<u8>(out, <u8>short, 1);
    w.len += 2;
    return;
  }
  store<u32>(out, 0x30303075, 1); // "u000", then the two hex digits of a control character
  store<u8>(out, <u8>(0x30 + (c >> 4)), 4);
  let low = c & 15;
  store<u8>(out, <u8>(low < 10 ? 0x30 + low : 0x61 + low - 10), 5);
  w.len += 6;
}
