// String builtins with the semantics of Go's strings package that OPA builds on.
//
// Offsets and lengths that Rego exposes (substring, indexof, count) are in code points; the rest works on
// bytes. Results that are slices of an operand point into the operand's bytes instead of copying them.

import { clearBuiltinError } from "../errors";
import { ByteWriter } from "../byte-writer";
import {
  EMPTY_STRING, FALSE, TRUE, TYPE_ARRAY, TYPE_OBJECT, TYPE_SET, TYPE_STRING,
  arrayAt, arrayLength, arrayPush, newArray, newBoolean, newStringRef, typeOf,
} from "../value";
import { newNumber } from "../number";
import { collectionCount, collectionKeyAt, collectionValueAt } from "../collection";
import { bytesEqual } from "../compare";
import { elementError, failure, intOperand, operandError, operandFailed, strLen, strPtr, typeError } from "./operands";
import { RUNE_ERROR, decodeRune, isAscii, isSpaceRune, runeCount, runeOffset, runeWidth, toLowerRune, toUpperRune } from "./utf8";
import { appendRune } from "./output";

// ---- search helpers ---------------------------------------------------------------------------------------------

/** Byte index of the first occurrence of (np, nn) in (hp, hn) at or after `from`, or -1. */
function indexOfBytes(hp: usize, hn: i32, np: usize, nn: i32, from: i32): i32 {
  if (nn == 0) return from <= hn ? from : -1;
  let first = load<u8>(np);
  let last = hn - nn;
  for (let i = from; i <= last; i++) {
    if (load<u8>(hp + <usize>i) == first && bytesEqual(hp + <usize>i, np, <usize>nn)) return i;
  }
  return -1;
}

// @ts-ignore: decorator
@inline function hasPrefix(sp: usize, sn: i32, pp: usize, pn: i32): bool {
  return pn <= sn && bytesEqual(sp, pp, <usize>pn);
}

// @ts-ignore: decorator
@inline function hasSuffix(sp: usize, sn: i32, pp: usize, pn: i32): bool {
  return pn <= sn && bytesEqual(sp + <usize>(sn - pn), pp, <usize>pn);
}

/** A string value for bytes [start, end) of string v (sharing its bytes), or v itself when it is all of it. */
function slice(v: usize, start: i32, end: i32): usize {
  if (start == 0 && end == strLen(v)) return v;
  if (start >= end) return EMPTY_STRING;
  return newStringRef(strPtr(v) + <usize>start, <usize>(end - start));
}

// ---- simple predicates ------------------------------------------------------------------------------------------

/** contains(s, sub) */
export function cs_bi_contains(s: usize, sub: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("contains", 1, s, "string");
  if (typeOf(sub) != TYPE_STRING) return typeError("contains", 2, sub, "string");
  return newBoolean(indexOfBytes(strPtr(s), strLen(s), strPtr(sub), strLen(sub), 0) >= 0);
}

/** startswith(s, prefix) */
export function cs_bi_startswith(s: usize, prefix: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("startswith", 1, s, "string");
  if (typeOf(prefix) != TYPE_STRING) return typeError("startswith", 2, prefix, "string");
  return newBoolean(hasPrefix(strPtr(s), strLen(s), strPtr(prefix), strLen(prefix)));
}

/** endswith(s, suffix) */
export function cs_bi_endswith(s: usize, suffix: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("endswith", 1, s, "string");
  if (typeOf(suffix) != TYPE_STRING) return typeError("endswith", 2, suffix, "string");
  return newBoolean(hasSuffix(strPtr(s), strLen(s), strPtr(suffix), strLen(suffix)));
}

// ---- case -------------------------------------------------------------------------------------------------------

/** lower(s): Go's strings.ToLower. */
export function cs_bi_lower(s: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("lower", 1, s, "string");
  return mapCase(s, false);
}

/** upper(s): Go's strings.ToUpper. */
export function cs_bi_upper(s: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("upper", 1, s, "string");
  return mapCase(s, true);
}

function mapCase(s: usize, upper: bool): usize {
  let p = strPtr(s);
  let n = strLen(s);
  // Unchanged strings are returned as they are (no allocation).
  let i = 0;
  while (i < n) {
    let c = <i32>load<u8>(p + <usize>i);
    let r = c;
    let w = 1;
    if (c >= 0x80) {
      r = decodeRune(p, n, i);
      w = runeWidth;
      if (r == RUNE_ERROR && w == 1) break; // invalid bytes become U+FFFD
    }
    if ((upper ? toUpperRune(r) : toLowerRune(r)) != r) break;
    i += w;
  }
  if (i == n) return s;
  let out = new ByteWriter(<usize>n + 8);
  out.bytes(p, <usize>i);
  while (i < n) {
    let c = <i32>load<u8>(p + <usize>i);
    if (c < 0x80) {
      out.byte(<u32>(upper ? (c >= 0x61 && c <= 0x7a ? c - 32 : c) : (c >= 0x41 && c <= 0x5a ? c + 32 : c)));
      i++;
      continue;
    }
    let r = decodeRune(p, n, i);
    i += runeWidth;
    appendRune(out, upper ? toUpperRune(r) : toLowerRune(r));
  }
  return out.finishString();
}

// ---- split, concat ----------------------------------------------------------------------------------------------

/** split(s, delim): Go's strings.Split (an empty delimiter splits into code points). */
export function cs_bi_split(s: usize, delim: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("split", 1, s, "string");
  if (typeOf(delim) != TYPE_STRING) return typeError("split", 2, delim, "string");
  let p = strPtr(s);
  let n = strLen(s);
  let dp = strPtr(delim);
  let dn = strLen(delim);
  if (dn == 0) {
    let out = newArray(<u32>n);
    let i = 0;
    while (i < n) {
      let w = 1;
      if (load<u8>(p + <usize>i) >= 0x80) {
        decodeRune(p, n, i);
        w = runeWidth;
      }
      arrayPush(out, newStringRef(p + <usize>i, <usize>w));
      i += w;
    }
    return out;
  }
  let first = indexOfBytes(p, n, dp, dn, 0);
  if (first < 0) {
    let out = newArray(1);
    arrayPush(out, s);
    return out;
  }
  let out = newArray(4);
  let start = 0;
  let at = first;
  while (at >= 0) {
    arrayPush(out, slice(s, start, at));
    start = at + dn;
    at = indexOfBytes(p, n, dp, dn, start);
  }
  arrayPush(out, slice(s, start, n));
  return out;
}

/** concat(delim, xs): the strings of an array or set (in Rego's order) joined by delim. */
export function cs_bi_concat(delim: usize, xs: usize): usize {
  clearBuiltinError();
  if (typeOf(delim) != TYPE_STRING) return typeError("concat", 1, delim, "string");
  let kind = typeOf(xs);
  if (kind != TYPE_ARRAY && kind != TYPE_SET) return typeError("concat", 2, xs, "one of {set, array}");
  let n = kind == TYPE_ARRAY ? arrayLength(xs) : collectionCount(xs);
  if (n == 0) return EMPTY_STRING;
  let total: usize = 0;
  for (let i: u32 = 0; i < n; i++) {
    let x = kind == TYPE_ARRAY ? arrayAt(xs, i) : collectionKeyAt(xs, i);
    if (typeOf(x) != TYPE_STRING) return elementError("concat", 2, xs, x, "string");
    total += <usize>strLen(x);
  }
  if (n == 1) return kind == TYPE_ARRAY ? arrayAt(xs, 0) : collectionKeyAt(xs, 0);
  let dn = strLen(delim);
  let out = new ByteWriter(total + <usize>dn * <usize>(n - 1));
  for (let i: u32 = 0; i < n; i++) {
    let x = kind == TYPE_ARRAY ? arrayAt(xs, i) : collectionKeyAt(xs, i);
    if (i > 0) out.bytes(strPtr(delim), <usize>dn);
    out.bytes(strPtr(x), <usize>strLen(x));
  }
  return out.finishString();
}

// ---- replace ----------------------------------------------------------------------------------------------------

/**
 * Go's strings.Replacer over the pairs (olds[k] → news[k]) in priority order: at each position the first
 * old string that matches wins; an empty old string matches at every byte position, though not twice in a
 * row at the same place. Returns s itself when nothing changed.
 */
function replaceAll(s: usize, olds: StaticArray<usize>, news: StaticArray<usize>): usize {
  let p = strPtr(s);
  let n = strLen(s);
  let count = olds.length;
  let out: ByteWriter | null = null;
  let last = 0;
  let prevMatchEmpty = false;
  let i = 0;
  while (i <= n) {
    let found = -1;
    for (let k = 0; k < count; k++) {
      let o = unchecked(olds[k]);
      let on = strLen(o);
      if (on == 0) {
        if (prevMatchEmpty) continue;
        found = k;
        break;
      }
      if (i + on <= n && load<u8>(p + <usize>i) == load<u8>(strPtr(o)) && bytesEqual(p + <usize>i, strPtr(o), <usize>on)) {
        found = k;
        break;
      }
    }
    if (found >= 0) {
      let o = unchecked(olds[found]);
      let r = unchecked(news[found]);
      if (out == null) out = new ByteWriter(<usize>n + 16);
      let w = out as ByteWriter;
      w.bytes(p + <usize>last, <usize>(i - last));
      w.bytes(strPtr(r), <usize>strLen(r));
      let on = strLen(o);
      i += on;
      last = i;
      prevMatchEmpty = on == 0;
      continue;
    }
    prevMatchEmpty = false;
    i++;
  }
  if (out == null) return s;
  let w = out as ByteWriter;
  w.bytes(p + <usize>last, <usize>(n - last));
  if (<i32>w.len == n && bytesEqual(w.ptr, p, <usize>n)) return s;
  return w.finishString();
}

/** replace(s, old, new): every non-overlapping occurrence of old replaced, left to right. */
export function cs_bi_replace(s: usize, old: usize, replacement: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("replace", 1, s, "string");
  if (typeOf(old) != TYPE_STRING) return typeError("replace", 2, old, "string");
  if (typeOf(replacement) != TYPE_STRING) return typeError("replace", 3, replacement, "string");
  let olds = new StaticArray<usize>(1);
  let news = new StaticArray<usize>(1);
  olds[0] = old;
  news[0] = replacement;
  return replaceAll(s, olds, news);
}

/** strings.replace_n(patterns, s): all replacements of a {old: new} object at once, keys in sorted order. */
export function cs_bi_strings__replace_n(patterns: usize, s: usize): usize {
  clearBuiltinError();
  let name = "strings.replace_n";
  if (typeOf(patterns) != TYPE_OBJECT) return typeError(name, 1, patterns, "object");
  if (typeOf(s) != TYPE_STRING) return typeError(name, 2, s, "string");
  let n = collectionCount(patterns);
  let olds = new StaticArray<usize>(n);
  let news = new StaticArray<usize>(n);
  for (let i: u32 = 0; i < n; i++) {
    let k = collectionKeyAt(patterns, i);
    if (typeOf(k) != TYPE_STRING) return operandError(name, 1, "non-string key found in pattern object");
    let v = collectionValueAt(patterns, i);
    if (typeOf(v) != TYPE_STRING) return operandError(name, 1, "non-string value found in pattern object");
    olds[i] = k;
    news[i] = v;
  }
  return replaceAll(s, olds, news);
}

// ---- trimming ---------------------------------------------------------------------------------------------------

/** True when rune r occurs in the cutset (p, n); U+FFFD matches an invalid byte there too, as in Go. */
function cutsetHas(p: usize, n: i32, r: i32): bool {
  let i = 0;
  while (i < n) {
    let c = <i32>load<u8>(p + <usize>i);
    if (c < 0x80) {
      if (c == r) return true;
      i++;
      continue;
    }
    if (decodeRune(p, n, i) == r) return true;
    i += runeWidth;
  }
  return false;
}

/** Byte offset after the leading runes of s that are in the cutset. */
function trimLeftOffset(p: usize, n: i32, cp: usize, cn: i32): i32 {
  let i = 0;
  while (i < n) {
    let r = <i32>load<u8>(p + <usize>i);
    let w = 1;
    if (r >= 0x80) {
      r = decodeRune(p, n, i);
      w = runeWidth;
    }
    if (!cutsetHas(cp, cn, r)) break;
    i += w;
  }
  return i;
}

/** Byte offset of the end of s once its trailing runes in the cutset are removed (not below `floor`). */
function trimRightOffset(p: usize, n: i32, cp: usize, cn: i32, floor: i32): i32 {
  let end = n;
  while (end > floor) {
    let start = lastRuneStart(p, floor, end);
    let r = decodeRune(p, end, start);
    if (runeWidth != end - start) {
      // the bytes before end do not form one rune: the last byte alone is an invalid rune
      start = end - 1;
      r = RUNE_ERROR;
    }
    if (!cutsetHas(cp, cn, r)) break;
    end = start;
  }
  return end;
}

/** Start of the rune that ends at `end` (looking back at most 4 bytes and not before `floor`). */
function lastRuneStart(p: usize, floor: i32, end: i32): i32 {
  let start = end - 1;
  let lim = max(floor, end - 4);
  while (start > lim && (load<u8>(p + <usize>start) & 0xc0) == 0x80) start--;
  return start;
}

/** trim(s, cutset): leading and trailing code points in cutset removed. */
export function cs_bi_trim(s: usize, cutset: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("trim", 1, s, "string");
  if (typeOf(cutset) != TYPE_STRING) return typeError("trim", 2, cutset, "string");
  let p = strPtr(s), n = strLen(s), cp = strPtr(cutset), cn = strLen(cutset);
  if (cn == 0) return s;
  let start = trimLeftOffset(p, n, cp, cn);
  return slice(s, start, trimRightOffset(p, n, cp, cn, start));
}

/** trim_left(s, cutset) */
export function cs_bi_trim_left(s: usize, cutset: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("trim_left", 1, s, "string");
  if (typeOf(cutset) != TYPE_STRING) return typeError("trim_left", 2, cutset, "string");
  if (strLen(cutset) == 0) return s;
  return slice(s, trimLeftOffset(strPtr(s), strLen(s), strPtr(cutset), strLen(cutset)), strLen(s));
}

/** trim_right(s, cutset) */
export function cs_bi_trim_right(s: usize, cutset: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("trim_right", 1, s, "string");
  if (typeOf(cutset) != TYPE_STRING) return typeError("trim_right", 2, cutset, "string");
  if (strLen(cutset) == 0) return s;
  return slice(s, 0, trimRightOffset(strPtr(s), strLen(s), strPtr(cutset), strLen(cutset), 0));
}

/** trim_prefix(s, prefix) */
export function cs_bi_trim_prefix(s: usize, prefix: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("trim_prefix", 1, s, "string");
  if (typeOf(prefix) != TYPE_STRING) return typeError("trim_prefix", 2, prefix, "string");
  let n = strLen(s), pn = strLen(prefix);
  if (!hasPrefix(strPtr(s), n, strPtr(prefix), pn)) return s;
  return slice(s, pn, n);
}

/** trim_suffix(s, suffix) */
export function cs_bi_trim_suffix(s: usize, suffix: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("trim_suffix", 1, s, "string");
  if (typeOf(suffix) != TYPE_STRING) return typeError("trim_suffix", 2, suffix, "string");
  let n = strLen(s), sn = strLen(suffix);
  if (!hasSuffix(strPtr(s), n, strPtr(suffix), sn)) return s;
  return slice(s, 0, n - sn);
}

/** trim_space(s): leading and trailing Unicode white space removed. */
export function cs_bi_trim_space(s: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("trim_space", 1, s, "string");
  let p = strPtr(s);
  let n = strLen(s);
  let start = 0;
  while (start < n) {
    let r = <i32>load<u8>(p + <usize>start);
    let w = 1;
    if (r >= 0x80) {
      r = decodeRune(p, n, start);
      w = runeWidth;
    }
    if (!isSpaceRune(r)) break;
    start += w;
  }
  let end = n;
  while (end > start) {
    let b = lastRuneStart(p, start, end);
    let r = decodeRune(p, end, b);
    if (runeWidth != end - b) break; // an invalid byte is not space
    if (!isSpaceRune(r)) break;
    end = b;
  }
  return slice(s, start, end);
}

// ---- positions --------------------------------------------------------------------------------------------------

/** substring(s, offset, length): code points from offset, length of them (all when negative). */
export function cs_bi_substring(s: usize, offset: usize, length: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("substring", 1, s, "string");
  let start = intOperand("substring", 2, offset);
  if (operandFailed) return 0;
  let len = intOperand("substring", 3, length);
  if (operandFailed) return 0;
  if (start < 0) return failure("substring", "negative offset");
  let p = strPtr(s);
  let n = strLen(s);
  if (n == 0) return EMPTY_STRING;
  let from = start > <i64>n ? n : runeOffset(p, n, <i32>start);
  if (from >= n) return EMPTY_STRING;
  if (len < 0) return slice(s, from, n);
  let to = len > <i64>n ? n : from + runeOffset(p + <usize>from, n - from, <i32>len);
  return slice(s, from, to);
}

/** The code points of (p, n), for the rune-wise searches. */
function runesOf(p: usize, n: i32): StaticArray<i32> {
  let runes = new StaticArray<i32>(runeCount(p, n));
  let i = 0;
  let k = 0;
  while (i < n) {
    let r = <i32>load<u8>(p + <usize>i);
    let w = 1;
    if (r >= 0x80) {
      r = decodeRune(p, n, i);
      w = runeWidth;
    }
    runes[k++] = r;
    i += w;
  }
  return runes;
}

// @ts-ignore: decorator
@inline function runesMatchAt(base: StaticArray<i32>, at: i32, search: StaticArray<i32>): bool {
  let m = search.length;
  for (let j = 0; j < m; j++) if (unchecked(base[at + j]) != unchecked(search[j])) return false;
  return true;
}

/** indexof(s, search): the code-point index of the first occurrence, or -1. */
export function cs_bi_indexof(s: usize, search: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("indexof", 1, s, "string");
  if (typeOf(search) != TYPE_STRING) return typeError("indexof", 2, search, "string");
  let p = strPtr(s), n = strLen(s), sp = strPtr(search), sn = strLen(search);
  if (sn == 0) return failure("indexof", "empty search character");
  if (isAscii(p, n) && isAscii(sp, sn)) return newNumber(<f64>indexOfBytes(p, n, sp, sn, 0));
  let base = runesOf(p, n);
  let needle = runesOf(sp, sn);
  for (let i = 0; i + needle.length <= base.length; i++) {
    if (runesMatchAt(base, i, needle)) return newNumber(<f64>i);
  }
  return newNumber(-1);
}

/** indexof_n(s, search): the code-point indexes of every (possibly overlapping) occurrence. */
export function cs_bi_indexof_n(s: usize, search: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("indexof_n", 1, s, "string");
  if (typeOf(search) != TYPE_STRING) return typeError("indexof_n", 2, search, "string");
  let sn = strLen(search);
  if (sn == 0) return failure("indexof_n", "empty search character");
  let base = runesOf(strPtr(s), strLen(s));
  let needle = runesOf(strPtr(search), sn);
  let out = newArray(0);
  for (let i = 0; i + needle.length <= base.length; i++) {
    if (runesMatchAt(base, i, needle)) arrayPush(out, newNumber(<f64>i));
  }
  return out;
}

/** strings.count(s, sub): non-overlapping occurrences; code points + 1 for an empty sub. */
export function cs_bi_strings__count(s: usize, sub: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("strings.count", 1, s, "string");
  if (typeOf(sub) != TYPE_STRING) return typeError("strings.count", 2, sub, "string");
  let p = strPtr(s), n = strLen(s), sp = strPtr(sub), sn = strLen(sub);
  if (sn == 0) return newNumber(<f64>(runeCount(p, n) + 1));
  let count = 0;
  let at = indexOfBytes(p, n, sp, sn, 0);
  while (at >= 0) {
    count++;
    at = indexOfBytes(p, n, sp, sn, at + sn);
  }
  return newNumber(<f64>count);
}

/** strings.reverse(s): the code points in reverse order. */
export function cs_bi_strings__reverse(s: usize): usize {
  clearBuiltinError();
  if (typeOf(s) != TYPE_STRING) return typeError("strings.reverse", 1, s, "string");
  let p = strPtr(s);
  let n = strLen(s);
  if (n < 2) return s;
  let out = new ByteWriter(<usize>n);
  let dst = out.ptr + <usize>n;
  let i = 0;
  while (i < n) {
    let w = 1;
    if (load<u8>(p + <usize>i) >= 0x80) {
      decodeRune(p, n, i);
      w = runeWidth;
    }
    dst -= <usize>w;
    memory.copy(dst, p + <usize>i, <usize>w);
    i += w;
  }
  out.len = <usize>n;
  return out.finishString();
}

// ---- prefix and suffix sets -------------------------------------------------------------------------------------

/**
 * Collects the strings of an operand that is a string, or an array or set of strings; null (with the error
 * recorded) for anything else.
 */
function stringList(name: string, n: i32, v: usize): StaticArray<usize> | null {
  let kind = typeOf(v);
  if (kind == TYPE_STRING) {
    let one = new StaticArray<usize>(1);
    one[0] = v;
    return one;
  }
  if (kind != TYPE_ARRAY && kind != TYPE_SET) {
    typeError(name, n, v, "one of {string, set, array}");
    return null;
  }
  let count = kind == TYPE_ARRAY ? arrayLength(v) : collectionCount(v);
  let list = new StaticArray<usize>(count);
  for (let i: u32 = 0; i < count; i++) {
    let x = kind == TYPE_ARRAY ? arrayAt(v, i) : collectionKeyAt(v, i);
    if (typeOf(x) != TYPE_STRING) {
      elementError(name, n, v, x, "string");
      return null;
    }
    list[i] = x;
  }
  return list;
}

function anyMatch(name: string, a: usize, b: usize, suffix: bool): usize {
  let strs = stringList(name, 1, a);
  if (strs == null) return 0;
  let fixes = stringList(name, 2, b);
  if (fixes == null) return 0;
  for (let i = 0; i < strs.length; i++) {
    let s = unchecked(strs[i]);
    for (let j = 0; j < fixes.length; j++) {
      let f = unchecked(fixes[j]);
      let hit = suffix
        ? hasSuffix(strPtr(s), strLen(s), strPtr(f), strLen(f))
        : hasPrefix(strPtr(s), strLen(s), strPtr(f), strLen(f));
      if (hit) return TRUE;
    }
  }
  return FALSE;
}

/** strings.any_prefix_match(strs, prefixes): some string starts with some prefix. */
export function cs_bi_strings__any_prefix_match(strs: usize, prefixes: usize): usize {
  clearBuiltinError();
  return anyMatch("strings.any_prefix_match", strs, prefixes, false);
}

/** strings.any_suffix_match(strs, suffixes): some string ends with some suffix. */
export function cs_bi_strings__any_suffix_match(strs: usize, suffixes: usize): usize {
  clearBuiltinError();
  return anyMatch("strings.any_suffix_match", strs, suffixes, true);
}
