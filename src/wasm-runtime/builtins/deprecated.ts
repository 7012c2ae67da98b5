// Rego v0's deprecated built-ins: any, all, re_match, set_diff and the cast_* family, as OPA 1.x still runs
// them for modules read as Rego v0 (a v1 module calling one is a compile error; see the compiler's
// deprecated-builtins.ts). Each answers as OPA's own implementation does, errors named after the built-in.

import { clearBuiltinError } from "../errors";
import {
  TRUE, TYPE_ARRAY, TYPE_BOOLEAN, TYPE_NULL, TYPE_OBJECT, TYPE_SET, TYPE_STRING,
  arrayAt, arrayLength, arrayPush, newArray, newBoolean, typeOf,
} from "../value";
import { collectionCount, collectionFind, collectionKeyAt, newSet, setAdd } from "../collection";
import { compilePattern, regexError } from "./regex";
import { failure, strLen, strPtr, typeError } from "./operands";

/** any(xs): whether an array or set holds the value true. */
export function cs_bi_any(xs: usize): usize {
  clearBuiltinError();
  let t = typeOf(xs);
  if (t == TYPE_SET) return newBoolean(collectionFind(xs, TRUE) >= 0);
  if (t != TYPE_ARRAY) return typeError("any", 1, xs, "one of {array, set}");
  for (let i: u32 = 0, n = arrayLength(xs); i < n; i++) if (arrayAt(xs, i) == TRUE) return TRUE;
  return newBoolean(false);
}

/** all(xs): whether every element of an array or set is true (so true when there are none). */
export function cs_bi_all(xs: usize): usize {
  clearBuiltinError();
  let t = typeOf(xs);
  if (t == TYPE_SET) {
    let n = collectionCount(xs);
    return newBoolean(n == 0 || (n == 1 && collectionKeyAt(xs, 0) == TRUE));
  }
  if (t != TYPE_ARRAY) return typeError("all", 1, xs, "one of {array, set}");
  for (let i: u32 = 0, n = arrayLength(xs); i < n; i++) if (arrayAt(xs, i) != TRUE) return newBoolean(false);
  return TRUE;
}

/** re_match(pattern, value): regex.match under its v0 name. */
export function cs_bi_re_match(pattern: usize, value: usize): usize {
  clearBuiltinError();
  let name = "re_match";
  if (typeOf(pattern) != TYPE_STRING) return typeError(name, 1, pattern, "string");
  if (typeOf(value) != TYPE_STRING) return typeError(name, 2, value, "string");
  let re = compilePattern(strPtr(pattern), strLen(pattern));
  if (re == null) return failure(name, regexError);
  return newBoolean(re.test(strPtr(value), strLen(value)));
}

/** set_diff(a, b): the elements of set a not in set b (the `-` operator on sets). */
export function cs_bi_set_diff(a: usize, b: usize): usize {
  clearBuiltinError();
  if (typeOf(a) != TYPE_SET) return typeError("set_diff", 1, a, "set");
  if (typeOf(b) != TYPE_SET) return typeError("set_diff", 2, b, "set");
  let out = newSet();
  for (let i: u32 = 0, n = collectionCount(a); i < n; i++) {
    let e = collectionKeyAt(a, i);
    if (collectionFind(b, e) < 0) setAdd(out, e);
  }
  return out;
}

/** cast_array(x): an array as it is, a set as the array of its elements in Rego's order. */
export function cs_bi_cast_array(x: usize): usize {
  clearBuiltinError();
  let t = typeOf(x);
  if (t == TYPE_ARRAY) return x;
  if (t != TYPE_SET) return typeError("cast_array", 1, x, "one of {array, set}");
  let n = collectionCount(x);
  let out = newArray(n);
  for (let i: u32 = 0; i < n; i++) arrayPush(out, collectionKeyAt(x, i));
  return out;
}

/** cast_set(x): a set as it is, an array as the set of its elements. */
export function cs_bi_cast_set(x: usize): usize {
  clearBuiltinError();
  let t = typeOf(x);
  if (t == TYPE_SET) return x;
  if (t != TYPE_ARRAY) return typeError("cast_set", 1, x, "one of {array, set}");
  let n = arrayLength(x);
  let out = newSet(n);
  for (let i: u32 = 0; i < n; i++) setAdd(out, arrayAt(x, i));
  return out;
}

/** cast_string(x): x when it is a string. */
export function cs_bi_cast_string(x: usize): usize {
  clearBuiltinError();
  return typeOf(x) == TYPE_STRING ? x : typeError("cast_string", 1, x, "string");
}

/** cast_boolean(x): x when it is a boolean. */
export function cs_bi_cast_boolean(x: usize): usize {
  clearBuiltinError();
  return typeOf(x) == TYPE_BOOLEAN ? x : typeError("cast_boolean", 1, x, "boolean");
}

/** cast_null(x): x when it is null. */
export function cs_bi_cast_null(x: usize): usize {
  clearBuiltinError();
  return typeOf(x) == TYPE_NULL ? x : typeError("cast_null", 1, x, "null");
}

/** cast_object(x): x when it is an object. */
export function cs_bi_cast_object(x: usize): usize {
  clearBuiltinError();
  return typeOf(x) == TYPE_OBJECT ? x : typeError("cast_object", 1, x, "object");
}
