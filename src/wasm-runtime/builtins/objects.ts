// Object builtins: object.get, object.keys, object.remove, object.filter, object.union, object.union_n and
// object.subset.

import { ERROR_TYPE, builtinError, clearBuiltinError } from "../errors";
import {
  NumberBox, TYPE_ARRAY, TYPE_NUMBER, TYPE_OBJECT, TYPE_SET, arrayAt, arrayLength, newBoolean, typeOf,
} from "../value";
import {
  collectionCount, collectionFind, collectionKeyAt, collectionValueAt, copyCollection, newObject, newSet,
  objectGet, objectInsert, setAdd, setGet,
} from "../collection";
import { equal } from "../compare";
import { elementError, typeError } from "./operands";

/** The value at one step of a path below v (object key, array index, set member), or 0. */
function step(v: usize, key: usize): usize {
  switch (typeOf(v)) {
    case TYPE_OBJECT: return objectGet(v, key);
    case TYPE_ARRAY: {
      if (typeOf(key) != TYPE_NUMBER) return 0;
      let box = changetype<NumberBox>(key);
      let f = box.num;
      if (box.text || f != Math.trunc(f) || f < 0 || f >= <f64>arrayLength(v)) return 0;
      return arrayAt(v, <u32>f);
    }
    case TYPE_SET: return setGet(v, key);
  }
  return 0;
}

/** object.get(obj, key, default): obj[key], or the value at a path when key is an array; else default. */
export function cs_bi_object__get(obj: usize, key: usize, fallback: usize): usize {
  clearBuiltinError();
  if (typeOf(obj) != TYPE_OBJECT) return typeError("object.get", 1, obj, "object");
  if (typeOf(key) != TYPE_ARRAY) {
    let v = objectGet(obj, key);
    return v ? v : fallback;
  }
  let v = obj;
  for (let i: u32 = 0, n = arrayLength(key); i < n; i++) {
    v = step(v, arrayAt(key, i));
    if (!v) return fallback;
  }
  return v;
}

/** object.keys(obj): the set of obj's keys. */
export function cs_bi_object__keys(obj: usize): usize {
  clearBuiltinError();
  if (typeOf(obj) != TYPE_OBJECT) return typeError("object.keys", 1, obj, "object");
  let n = collectionCount(obj);
  let keys = newSet(n);
  for (let i: u32 = 0; i < n; i++) setAdd(keys, collectionKeyAt(obj, i));
  return keys;
}

/** True when `key` is listed by a keys operand (array elements, set elements or object keys). */
function listed(keys: usize, key: usize): bool {
  if (typeOf(keys) == TYPE_ARRAY) {
    for (let i: u32 = 0, n = arrayLength(keys); i < n; i++) if (equal(arrayAt(keys, i), key)) return true;
    return false;
  }
  return collectionFind(keys, key) >= 0;
}

function keysOperand(name: string, keys: usize): bool {
  let kind = typeOf(keys);
  if (kind == TYPE_ARRAY || kind == TYPE_SET || kind == TYPE_OBJECT) return true;
  typeError(name, 2, keys, "one of {object, set, array}");
  return false;
}

/** object.remove(obj, keys): obj without the keys listed by an array, set or object. */
export function cs_bi_object__remove(obj: usize, keys: usize): usize {
  clearBuiltinError();
  if (typeOf(obj) != TYPE_OBJECT) return typeError("object.remove", 1, obj, "object");
  if (!keysOperand("object.remove", keys)) return 0;
  let n = collectionCount(obj);
  let out = newObject(n);
  for (let i: u32 = 0; i < n; i++) {
    let k = collectionKeyAt(obj, i);
    if (!listed(keys, k)) objectInsert(out, k, collectionValueAt(obj, i));
  }
  return out;
}

/** object.filter(obj, keys): only the entries of obj whose keys are listed. */
export function cs_bi_object__filter(obj: usize, keys: usize): usize {
  clearBuiltinError();
  if (typeOf(obj) != TYPE_OBJECT) return typeError("object.filter", 1, obj, "object");
  if (!keysOperand("object.filter", keys)) return 0;
  let n = collectionCount(obj);
  let out = newObject();
  for (let i: u32 = 0; i < n; i++) {
    let k = collectionKeyAt(obj, i);
    if (listed(keys, k)) objectInsert(out, k, collectionValueAt(obj, i));
  }
  return out;
}

/** a merged with b: b's values win, except that two objects under one key are merged recursively. */
function mergeWithOverwrite(a: usize, b: usize): usize {
  let n = collectionCount(b);
  let out = copyCollection(a, n);
  for (let i: u32 = 0; i < n; i++) {
    let k = collectionKeyAt(b, i);
    let bv = collectionValueAt(b, i);
    let av = objectGet(a, k);
    if (av && typeOf(av) == TYPE_OBJECT && typeOf(bv) == TYPE_OBJECT) {
      objectInsert(out, k, mergeWithOverwrite(av, bv));
    } else {
      objectInsert(out, k, bv);
    }
  }
  return out;
}

/** object.union(a, b): a and b merged recursively, b winning conflicts. */
export function cs_bi_object__union(a: usize, b: usize): usize {
  clearBuiltinError();
  if (typeOf(a) != TYPE_OBJECT) return typeError("object.union", 1, a, "object");
  if (typeOf(b) != TYPE_OBJECT) return typeError("object.union", 2, b, "object");
  if (equal(a, b)) return a;
  return mergeWithOverwrite(a, b);
}

/** object.union_n(objs): the objects of an array merged left to right as object.union does. */
export function cs_bi_object__union_n(objs: usize): usize {
  clearBuiltinError();
  if (typeOf(objs) != TYPE_ARRAY) return typeError("object.union_n", 1, objs, "array");
  let n = arrayLength(objs);
  // OPA checks the elements from the last one back.
  for (let i = <i32>n - 1; i >= 0; i--) {
    let o = arrayAt(objs, <u32>i);
    if (typeOf(o) != TYPE_OBJECT) return elementError("object.union_n", 1, objs, o, "object");
  }
  let out = newObject();
  for (let i: u32 = 0; i < n; i++) out = mergeWithOverwrite(out, arrayAt(objs, i));
  return out;
}

/** The array `sub` occurs as a contiguous run in `sup`. */
function arraySubset(sup: usize, sub: usize): bool {
  let n = arrayLength(sup);
  let m = arrayLength(sub);
  if (m > n) return false;
  for (let start: u32 = 0; start + m <= n; start++) {
    let k: u32 = 0;
    while (k < m && equal(arrayAt(sup, start + k), arrayAt(sub, k))) k++;
    if (k == m) return true;
  }
  return m == 0;
}

/** Every element of the set `sub` is in the set `sup`. */
function setSubset(sup: usize, sub: usize): bool {
  for (let i: u32 = 0, n = collectionCount(sub); i < n; i++) {
    if (collectionFind(sup, collectionKeyAt(sub, i)) < 0) return false;
  }
  return true;
}

/** OPA's objectSubset: each key of sub is in sup with an equal value, or a recursive subset of it. */
function objectSubset(sup: usize, sub: usize): bool {
  for (let i: u32 = 0, n = collectionCount(sub); i < n; i++) {
    let sv = objectGet(sup, collectionKeyAt(sub, i));
    if (!sv) return false;
    let v = collectionValueAt(sub, i);
    if (equal(v, sv)) continue;
    let kind = typeOf(v);
    if (kind != typeOf(sv)) return false;
    if (kind == TYPE_OBJECT) {
      if (!objectSubset(sv, v)) return false;
    } else if (kind == TYPE_SET) {
      if (!setSubset(sv, v)) return false;
    } else if (kind == TYPE_ARRAY) {
      if (!arraySubset(sv, v)) return false;
    } else {
      return false;
    }
  }
  return true;
}

/**
 * object.subset(sup, sub): sub is contained in sup — recursively for objects, as members for sets, as a
 * contiguous run for arrays, and for an array and a set, when the array's elements meet every member
 * (counted per occurrence, and false for an empty array, as in OPA).
 */
export function cs_bi_object__subset(sup: usize, sub: usize): usize {
  clearBuiltinError();
  let a = typeOf(sup);
  let b = typeOf(sub);
  if (a == TYPE_OBJECT && b == TYPE_OBJECT) return newBoolean(objectSubset(sup, sub));
  if (a == TYPE_SET && b == TYPE_SET) return newBoolean(setSubset(sup, sub));
  if (a == TYPE_ARRAY && b == TYPE_ARRAY) return newBoolean(arraySubset(sup, sub));
  if (a == TYPE_ARRAY && b == TYPE_SET) {
    let unmatched = collectionCount(sub);
    for (let i: u32 = 0, n = arrayLength(sup); i < n; i++) {
      if (collectionFind(sub, arrayAt(sup, i)) >= 0) unmatched--;
      if (unmatched == 0) return newBoolean(true);
    }
    return newBoolean(false);
  }
  return builtinError(ERROR_TYPE, "object.subset: both arguments object.subset must be of the same type or array and set");
}
