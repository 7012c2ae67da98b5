// The `cs_*` exports generated code calls, exactly as RUNTIME_FUNCTIONS in wasm/runtime-contract.ts lists
// them: thin, allocation-free wrappers over the value API wherever the operation allows.

import {
  CollectionBox, FALSE, NULL, NumberBox, TRUE, TYPE_ARRAY, TYPE_NUMBER, TYPE_OBJECT, TYPE_SET,
  arrayAt, arrayLength, arrayPush, newArray, newStringRef, typeOf,
} from "./value";
import { SMALL_MAX, newNumber, numberValue, parseNumber, smallInt } from "./number";
import {
  collectionCount, collectionKeyAt, collectionValueAt, copyCollection, newObject, newSet, objectGet, objectInsert, setAdd, setGet,
} from "./collection";
import { compare, equal } from "./compare";
import { merge, upsert } from "./path";
import { addToSetAt, insertLeaf, insertPath, leafOf, mergeAt, newTreeObject, newTreeSet } from "./rule-documents";
import { memoGet, memoPop, memoPush, memoPut } from "./memo";
import { builtinFailed, raise, raiseBuiltinError } from "./errors";

// ---- constructors ---------------------------------------------------------------------------------------------

/** The null value. */
export function cs_null(): usize {
  return NULL;
}

/** true when `b` is non-zero, else false. */
export function cs_boolean(b: i32): usize {
  return b ? TRUE : FALSE;
}

/** A number. */
export function cs_number_f64(f: f64): usize {
  return newNumber(f);
}

/** The number spelt by the literal text at (ptr, len), exact beyond 2^53; 0 when the text is no number. */
export function cs_number_ref(ptr: usize, len: usize): usize {
  return parseNumber(ptr, len);
}

/** A string over the UTF-8 bytes at (ptr, len), which are not copied and must outlive the value. */
export function cs_string(ptr: usize, len: usize): usize {
  return newStringRef(ptr, len);
}

/** An empty array with room for `n` elements. */
export function cs_array(n: u32): usize {
  return newArray(n);
}

/** Appends a value to an array. */
export function cs_array_append(a: usize, v: usize): void {
  arrayPush(a, v);
}

/** An empty object. */
export function cs_object(): usize {
  return newObject();
}

/** Sets obj[key] = value, replacing any old value. */
export function cs_object_insert(obj: usize, key: usize, value: usize): void {
  objectInsert(obj, key, value);
}

/** An empty set. */
export function cs_set(): usize {
  return newSet();
}

/** Adds a value to a set (a no-op when present). */
export function cs_set_add(set: usize, v: usize): void {
  setAdd(set, v);
}

/**
 * The set of an array's elements, for host builtins that return a set (JSON, their only way back, has no
 * sets); any other value, and undefined (0), as it is.
 */
export function cs_array_to_set(v: usize): usize {
  if (v == 0 || typeOf(v) != TYPE_ARRAY) return v;
  let n = arrayLength(v);
  let set = newSet(n);
  for (let i: u32 = 0; i < n; i++) setAdd(set, arrayAt(v, i));
  return set;
}

/**
 * A copy of the object `base` with every entry of the object `patch` laid over it, for host builtins whose
 * result is their first operand with a few keys replaced: the host answers with those keys only, since JSON
 * would turn the operand's sets into arrays. A non-object, and undefined (0), as it is.
 */
export function cs_object_overlay(patch: usize, base: usize): usize {
  if (patch == 0 || typeOf(patch) != TYPE_OBJECT || typeOf(base) != TYPE_OBJECT) return patch;
  let n = changetype<CollectionBox>(patch).count;
  let out = copyCollection(base, n);
  for (let i: u32 = 0; i < n; i++) objectInsert(out, collectionKeyAt(patch, i), collectionValueAt(patch, i));
  return out;
}

/**
 * A host builtin's pairs of keys with each index into a set operand replaced by that element: a set reaches
 * the host as the array of its elements in Rego's order, so the host can only name an element by its index,
 * where OPA keys a set's matches by the element itself (net.cidr_contains_matches). `result` is an array of
 * [key of a, key of b] pairs; anything else, and undefined (0), as it is.
 */
export function cs_set_operand_keys(result: usize, a: usize, b: usize): usize {
  if (result == 0 || typeOf(result) != TYPE_ARRAY) return result;
  let setA = typeOf(a) == TYPE_SET;
  let setB = typeOf(b) == TYPE_SET;
  if (!setA && !setB) return result;
  let n = arrayLength(result);
  let out = newArray(n);
  for (let i: u32 = 0; i < n; i++) {
    let pair = arrayAt(result, i);
    if (typeOf(pair) != TYPE_ARRAY || arrayLength(pair) != 2) {
      arrayPush(out, pair);
      continue;
    }
    let keyed = newArray(2);
    arrayPush(keyed, setA ? elementAt(a, arrayAt(pair, 0)) : arrayAt(pair, 0));
    arrayPush(keyed, setB ? elementAt(b, arrayAt(pair, 1)) : arrayAt(pair, 1));
    arrayPush(out, keyed);
  }
  return out;
}

/** Element `index` (a number value) of a set, or the index itself when it names none. */
function elementAt(set: usize, index: usize): usize {
  if (typeOf(index) != TYPE_NUMBER) return index;
  let f = numberValue(index);
  if (f < 0 || f >= <f64>collectionCount(set) || f != Math.floor(f)) return index;
  return collectionKeyAt(set, <u32>f);
}

// ---- partial rule documents -----------------------------------------------------------------------------------

/** Inserts obj[key] = value; returns 0, or 1 when the key is present with a different value. */
export function cs_object_insert_unique(obj: usize, key: usize, value: usize): i32 {
  let existing = objectGet(obj, key);
  if (existing) return equal(existing, value) ? 0 : 1;
  objectInsert(obj, key, value);
  return 0;
}

/** An empty object that is a node of a rule document (see rule-documents.ts). */
export function cs_tree_object(): usize {
  return newTreeObject();
}

/** An empty set of `contains` rules, a node of a rule document. */
export function cs_tree_set(): usize {
  return newTreeSet();
}

/** Places a rule's value at obj[key]; returns 0, or 1 when a different value is there. */
export function cs_object_insert_leaf(obj: usize, key: usize, value: usize): i32 {
  return insertLeaf(obj, key, value);
}

/** Places a rule's value at the key path (an array) below obj, creating nodes; returns 0, or 1 on a conflict. */
export function cs_object_insert_path(obj: usize, path: usize, value: usize): i32 {
  return insertPath(obj, path, value);
}

/** Adds value to the set of `contains` rules at the key path below obj; returns 0, or 1 on a conflict. */
export function cs_object_add_to_set_at(obj: usize, path: usize, value: usize): i32 {
  return addToSetAt(obj, path, value);
}

/**
 * Merges a part of a document into obj[key] (nodes merge, sets join, leaves must be equal); a non-zero
 * `leaf` marks the part as a rule's value. Returns 0, or 1 on a conflict.
 */
export function cs_object_merge_at(obj: usize, key: usize, value: usize, leaf: i32): i32 {
  return mergeAt(obj, key, leaf ? leafOf(value) : value);
}

/** The deep merge of two objects (b wins only where a has no key); 0 when a non-object meets an object. */
export function cs_merge(a: usize, b: usize): usize {
  return merge(a, b);
}

// ---- inspection -----------------------------------------------------------------------------------------------

/** The type code of a value (ValueType), 0 for undefined. */
export function cs_type(v: usize): i32 {
  return typeOf(v);
}

/** 1 when the value is boolean false, else 0. */
export function cs_is_false(v: usize): i32 {
  return v == FALSE ? 1 : 0;
}

/** 1 when the values are equal by Rego's rules (1 == 1.0), else 0. */
export function cs_equal(a: usize, b: usize): i32 {
  return equal(a, b) ? 1 : 0;
}

/** -1, 0 or 1 by Rego's total order of values. */
export function cs_compare(a: usize, b: usize): i32 {
  return compare(a, b);
}

/**
 * An array element by number index (integral and in range), an object's value by key, or a set's own
 * element equal to `key`; 0 when absent or for any other collection type.
 */
export function cs_get(coll: usize, key: usize): usize {
  switch (typeOf(coll)) {
    case TYPE_OBJECT: return objectGet(coll, key);
    case TYPE_ARRAY: {
      if (typeOf(key) != TYPE_NUMBER) return 0;
      let box = changetype<NumberBox>(key);
      let f = box.num;
      let i = <u32>f;
      if (<f64>i != f || box.text || i >= arrayLength(coll)) return 0;
      return arrayAt(coll, i);
    }
    case TYPE_SET: return setGet(coll, key);
  }
  return 0;
}

/** The number of elements of an array, object or set; 0 for anything else. */
export function cs_length(v: usize): u32 {
  switch (typeOf(v)) {
    case TYPE_ARRAY: return arrayLength(v);
    case TYPE_OBJECT:
    case TYPE_SET: return changetype<CollectionBox>(v).count;
  }
  return 0;
}

/** Key `i`: an array index as a number, an object key, a set element (objects and sets in sorted order). */
export function cs_iter_key(coll: usize, i: u32): usize {
  if (i >= cs_length(coll)) return 0;
  if (typeOf(coll) == TYPE_ARRAY) return i <= <u32>SMALL_MAX ? smallInt(<i32>i) : newNumber(<f64>i);
  return collectionKeyAt(coll, i);
}

/** The value of element `i` (for a set, the element), in the order of cs_iter_key. */
export function cs_iter_value(coll: usize, i: u32): usize {
  if (i >= cs_length(coll)) return 0;
  if (typeOf(coll) == TYPE_ARRAY) return arrayAt(coll, i);
  return collectionValueAt(coll, i);
}

// ---- documents under `with` -----------------------------------------------------------------------------------

/** A copy of root with value placed at the path (an array of keys); root 0 counts as an empty object. */
export function cs_upsert(root: usize, path: usize, value: usize): usize {
  return upsert(root, path, value);
}

// ---- per-evaluation memo --------------------------------------------------------------------------------------

/** The value memoised under `id` in the top frame, or 0. */
export function cs_memo_get(id: u32): usize {
  return memoGet(id);
}

/** Memoises a value under `id` in the top frame. */
export function cs_memo_put(id: u32, value: usize): void {
  memoPut(id, value);
}

/** Starts a new, empty memo frame (entering a `with`). */
export function cs_memo_push(): void {
  memoPush();
}

/** Drops the top memo frame (leaving a `with`). */
export function cs_memo_pop(): void {
  memoPop();
}

// ---- errors ---------------------------------------------------------------------------------------------------

/** Aborts evaluation with the UTF-8 message at (ptr, len) via opa_abort; does not return. */
export function cs_raise(ptr: usize, len: usize): void {
  raise(ptr, len);
}

/** 1 when the last builtin returned 0 because of an error rather than an undefined result. */
export function cs_builtin_failed(): i32 {
  return builtinFailed() ? 1 : 0;
}

/** Aborts with `<location>: <code>: <message>` for the last builtin error; does not return. */
export function cs_raise_builtin_error(locationPtr: usize, locationLen: usize): void {
  raiseBuiltinError(locationPtr, locationLen);
}
