// Pattern-matching builtins: regex.match, regex.is_valid, regex.find_n, regex.split,
// regex.find_all_string_submatch_n, glob.match and glob.quote_meta.

import { clearBuiltinError } from "../errors";
import { ByteWriter } from "../byte-writer";
import {
  EMPTY_STRING, FALSE, TYPE_ARRAY, TYPE_NULL, TYPE_STRING, arrayAt, arrayLength, arrayPush, newArray, newBoolean,
  newStringRef, typeOf,
} from "../value";
import { compilePattern, regexError } from "./regex";
import { RegexParser } from "./regex-parser";
import { compileGlob, globError } from "./glob";
import { decodeRune, runeWidth } from "./utf8";
import { elementError, failure, intOperand, operandFailed, strLen, strPtr, typeError } from "./operands";

/** regex.match(pattern, value): whether the RE2 pattern matches anywhere in value. */
export function cs_bi_regex__match(pattern: usize, value: usize): usize {
  clearBuiltinError();
  let name = "regex.match";
  if (typeOf(pattern) != TYPE_STRING) return typeError(name, 1, pattern, "string");
  if (typeOf(value) != TYPE_STRING) return typeError(name, 2, value, "string");
  let re = compilePattern(strPtr(pattern), strLen(pattern));
  if (re == null) return failure(name, regexError);
  return newBoolean(re.test(strPtr(value), strLen(value)));
}

/** regex.is_valid(pattern): whether the pattern parses; false for non-strings. */
export function cs_bi_regex__is_valid(pattern: usize): usize {
  clearBuiltinError();
  if (typeOf(pattern) != TYPE_STRING) return FALSE;
  return newBoolean(new RegexParser().parse(strPtr(pattern), strLen(pattern)) != null);
}

/** regex.find_n(pattern, value, n): up to n (all when negative) non-overlapping matches. */
export function cs_bi_regex__find_n(pattern: usize, value: usize, n: usize): usize {
  clearBuiltinError();
  let name = "regex.find_n";
  if (typeOf(pattern) != TYPE_STRING) return typeError(name, 1, pattern, "string");
  if (typeOf(value) != TYPE_STRING) return typeError(name, 2, value, "string");
  let limit = intOperand(name, 3, n);
  if (operandFailed) return 0;
  let re = compilePattern(strPtr(pattern), strLen(pattern));
  if (re == null) return failure(name, regexError);
  let out = newArray(0);
  if (limit == 0) return out;
  let p = strPtr(value);
  let caps = re.findAll(p, strLen(value), limit < 0 ? -1 : <i32>min(limit, 0x7fffffff), false);
  for (let k = 0; k < caps.length; k += 2) arrayPush(out, piece(p, caps[k], caps[k + 1]));
  return out;
}

/** regex.find_all_string_submatch_n(pattern, value, n): each match with its groups ("" when unset). */
export function cs_bi_regex__find_all_string_submatch_n(pattern: usize, value: usize, n: usize): usize {
  clearBuiltinError();
  let name = "regex.find_all_string_submatch_n";
  if (typeOf(pattern) != TYPE_STRING) return typeError(name, 1, pattern, "string");
  if (typeOf(value) != TYPE_STRING) return typeError(name, 2, value, "string");
  let limit = intOperand(name, 3, n);
  if (operandFailed) return 0;
  let re = compilePattern(strPtr(pattern), strLen(pattern));
  if (re == null) return failure(name, regexError);
  let out = newArray(0);
  if (limit == 0) return out;
  let p = strPtr(value);
  let groups = (re.numCap + 1) * 2;
  let caps = re.findAll(p, strLen(value), limit < 0 ? -1 : <i32>min(limit, 0x7fffffff), true);
  for (let k = 0; k < caps.length; k += groups) {
    let match = newArray(<u32>(groups / 2));
    for (let g = 0; g < groups; g += 2) {
      let s = caps[k + g];
      arrayPush(match, s < 0 ? EMPTY_STRING : piece(p, s, caps[k + g + 1]));
    }
    arrayPush(out, match);
  }
  return out;
}

/** regex.split(pattern, value): the pieces of value between matches (Go's Regexp.Split with n = -1). */
export function cs_bi_regex__split(pattern: usize, value: usize): usize {
  clearBuiltinError();
  let name = "regex.split";
  if (typeOf(pattern) != TYPE_STRING) return typeError(name, 1, pattern, "string");
  if (typeOf(value) != TYPE_STRING) return typeError(name, 2, value, "string");
  let re = compilePattern(strPtr(pattern), strLen(pattern));
  if (re == null) return failure(name, regexError);
  let p = strPtr(value);
  let n = strLen(value);
  let out = newArray(0);
  if (strLen(pattern) > 0 && n == 0) {
    arrayPush(out, EMPTY_STRING);
    return out;
  }
  let caps = re.findAll(p, n, -1, false);
  let begin = 0;
  let end = 0;
  for (let k = 0; k < caps.length; k += 2) {
    end = caps[k];
    if (caps[k + 1] != 0) arrayPush(out, piece(p, begin, end));
    begin = caps[k + 1];
  }
  if (end != n) arrayPush(out, piece(p, begin, n));
  return out;
}

function piece(p: usize, start: i32, end: i32): usize {
  return end > start ? newStringRef(p + <usize>start, <usize>(end - start)) : EMPTY_STRING;
}

/** glob.match(pattern, delimiters, value): gobwas glob matching; null delimiters mean none, [] means ["."]. */
export function cs_bi_glob__match(pattern: usize, delimiters: usize, value: usize): usize {
  clearBuiltinError();
  let name = "glob.match";
  if (typeOf(pattern) != TYPE_STRING) return typeError(name, 1, pattern, "string");
  let delims = new Array<i32>();
  let kind = typeOf(delimiters);
  if (kind == TYPE_ARRAY) {
    for (let i: u32 = 0, n = arrayLength(delimiters); i < n; i++) {
      let d = arrayAt(delimiters, i);
      if (typeOf(d) != TYPE_STRING) return elementError(name, 2, delimiters, d, "string");
      let dp = strPtr(d);
      let dn = strLen(d);
      let r = dn > 0 ? decodeRune(dp, dn, 0) : -1;
      if (dn == 0 || runeWidth != dn) return elementError(name, 2, delimiters, d, "rune");
      delims.push(r);
    }
    if (delims.length == 0) delims.push(0x2e);
  } else if (kind != TYPE_NULL) {
    return typeError(name, 2, delimiters, "one of {array, null}");
  }
  if (typeOf(value) != TYPE_STRING) return typeError(name, 3, value, "string");
  let glob = compileGlob(strPtr(pattern), strLen(pattern), delims);
  if (glob == null) return failure(name, globError);
  return newBoolean(glob.matches(strPtr(value), strLen(value)));
}

/** glob.quote_meta(pattern): the pattern with every glob special character escaped. */
export function cs_bi_glob__quote_meta(pattern: usize): usize {
  clearBuiltinError();
  if (typeOf(pattern) != TYPE_STRING) return typeError("glob.quote_meta", 1, pattern, "string");
  let p = strPtr(pattern);
  let n = strLen(pattern);
  let out = new ByteWriter(<usize>n * 2 + 1);
  for (let i = 0; i < n; i++) {
    let c = <u32>load<u8>(p + <usize>i);
    if (c == 0x2a || c == 0x3f || c == 0x5c || c == 0x5b || c == 0x5d || c == 0x7b || c == 0x7d) out.byte(0x5c);
    out.byte(c);
  }
  return out.finishString();
}
