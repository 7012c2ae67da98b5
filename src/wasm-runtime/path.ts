// Operations on values along a path of keys: `with` overrides, merging base data under rule documents,
// and the ABI's in-place edits of loaded data.

import { CollectionBox, FLAG_TREE, TYPE_ARRAY, TYPE_OBJECT, arrayAt, arrayLength, typeOf } from "./value";
import {
  collectionKeyAt, collectionRemove, copyCollection, newObject, objectGet, objectInsert,
} from "./collection";
import { equal } from "./compare";

/**
 * A copy of `root` with `value` placed at `path` (an array of keys), creating objects on the way and
 * replacing whatever non-object is in the way; root 0 counts as an empty object. Only the objects along the
 * path are copied; `root` is not modified.
 */
export function upsert(root: usize, path: usize, value: usize): usize {
  return upsertFrom(root, path, 0, arrayLength(path), value);
}

function upsertFrom(node: usize, path: usize, i: u32, n: u32, value: usize): usize {
  if (i == n) return value;
  let key = arrayAt(path, i);
  let isObject = typeOf(node) == TYPE_OBJECT;
  let copy = isObject ? copyCollection(node, 1) : newObject();
  let child = isObject ? objectGet(node, key) : 0;
  objectInsert(copy, key, upsertFrom(child, path, i + 1, n, value));
  return copy;
}

/**
 * The deep merge of `a` and `b`: keys of both, merging objects found under the same key, `a`'s value
 * winning where both hold non-objects. 0 when an object meets a non-object under the same key. Neither
 * input is modified; an undefined (0) side yields the other. A copy of a rule document node stays one.
 */
export function merge(a: usize, b: usize): usize {
  if (!a) return b;
  if (!b) return a;
  let aIsObject = typeOf(a) == TYPE_OBJECT;
  let bIsObject = typeOf(b) == TYPE_OBJECT;
  if (!aIsObject || !bIsObject) return aIsObject == bIsObject ? a : 0;
  let n = changetype<CollectionBox>(b).count;
  let result = copyCollection(a, n);
  changetype<CollectionBox>(result).flags |= changetype<CollectionBox>(a).flags & FLAG_TREE;
  for (let i: u32 = 0; i < n; i++) {
    let key = collectionKeyAt(b, i);
    let bValue = objectGet(b, key);
    let aValue = objectGet(a, key);
    if (!aValue) {
      objectInsert(result, key, bValue);
    } else {
      let merged = merge(aValue, bValue);
      if (!merged) return 0;
      if (merged != aValue) objectInsert(result, key, merged);
    }
  }
  return result;
}

/** OPA's error codes for the ABI's path edits. */
export const ERR_OK: i32 = 0;
export const ERR_INTERNAL: i32 = 1;
export const ERR_INVALID_TYPE: i32 = 2;
export const ERR_INVALID_PATH: i32 = 3;

/**
 * Sets `value` at `path` (a non-empty array of keys) inside the object `base`, in place, creating objects
 * on the way. Returns ERR_OK, ERR_INVALID_TYPE (base or path of the wrong type, or a non-object in the
 * way) or ERR_INVALID_PATH (an empty path).
 */
export function addPath(base: usize, path: usize, value: usize): i32 {
  if (typeOf(base) != TYPE_OBJECT || typeOf(path) != TYPE_ARRAY) return ERR_INVALID_TYPE;
  let n = arrayLength(path);
  if (n == 0) return ERR_INVALID_PATH;
  let node = base;
  for (let i: u32 = 0; i + 1 < n; i++) {
    let key = arrayAt(path, i);
    let child = objectGet(node, key);
    if (!child) {
      child = newObject();
      objectInsert(node, key, child);
    } else if (typeOf(child) != TYPE_OBJECT) {
      return ERR_INVALID_TYPE;
    }
    node = child;
  }
  objectInsert(node, arrayAt(path, n - 1), value);
  return ERR_OK;
}

/**
 * Removes the value at `path` (a non-empty array of keys) inside the object `base`, in place. A path that
 * leads nowhere is not an error. Returns ERR_OK, ERR_INVALID_TYPE or ERR_INVALID_PATH as addPath does.
 */
export function removePath(base: usize, path: usize): i32 {
  if (typeOf(base) != TYPE_OBJECT || typeOf(path) != TYPE_ARRAY) return ERR_INVALID_TYPE;
  let n = arrayLength(path);
  if (n == 0) return ERR_INVALID_PATH;
  let node = base;
  for (let i: u32 = 0; i + 1 < n; i++) {
    node = objectGet(node, arrayAt(path, i));
    if (typeOf(node) != TYPE_OBJECT) return ERR_OK;
  }
  collectionRemove(node, arrayAt(path, n - 1));
  return ERR_OK;
}
