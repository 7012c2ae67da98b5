// Building the documents of rules whose values meet in one tree: partial objects and sets, rules with
// general ref heads (`a.b[x].c := v`, `a.b[x] contains v`) and the package documents that hold them.
//
// OPA's rule: rules under one prefix each place a value (a leaf) at the end of their ref; the objects on the
// way are shared by all of them and merge, sets of `contains` rules at the same ref join, and two leaves at
// one place must be equal. A rule's value is never entered: placing something below a leaf, or a leaf where
// other rules built an object, is a conflict unless the two are equal. Nodes of the tree carry FLAG_TREE so
// that they are told apart from rule values (which may be objects and sets too); nodes being built by the
// function that owns them also carry FLAG_PATH_OWNED and grow in place, any other node is copied first.
// insertPath, insertLeaf and addToSetAt are only used on a document its function builds from empty (a
// partial object), so every node they walk is that function's own; mergeAt never changes its inputs.

import { CollectionBox, FLAG_PATH_OWNED, FLAG_TREE, TYPE_OBJECT, TYPE_SET, arrayAt, arrayLength, typeOf } from "./value";
import {
  collectionKeyAt, collectionValueAt, copyCollection, newObject, newSet, objectGet, objectInsert, setAdd,
} from "./collection";
import { equal } from "./compare";

const OWNED_TREE: u8 = FLAG_TREE | FLAG_PATH_OWNED;

/** True for an object or set that is a node of a rule document. */
function isTree(v: usize): bool {
  let t = typeOf(v);
  return (t == TYPE_OBJECT || t == TYPE_SET) && (changetype<CollectionBox>(v).flags & FLAG_TREE) != 0;
}

/** A node that may grow in place: the node itself when owned, else an owned copy. */
function owned(node: usize): usize {
  if (changetype<CollectionBox>(node).flags & FLAG_PATH_OWNED) return node;
  let copy = copyCollection(node, 1);
  changetype<CollectionBox>(copy).flags |= OWNED_TREE;
  return copy;
}

/** An empty document node (object), owned by the function building it. */
export function newTreeObject(): usize {
  let obj = newObject();
  changetype<CollectionBox>(obj).flags |= OWNED_TREE;
  return obj;
}

/** An empty set of a `contains` rule, owned by the function building it. */
export function newTreeSet(): usize {
  let set = newSet();
  changetype<CollectionBox>(set).flags |= OWNED_TREE;
  return set;
}

/** A rule's value as a leaf: a document node given as a value is copied so that it merges no more. */
export function leafOf(v: usize): usize {
  return isTree(v) ? copyCollection(v) : v;
}

/**
 * The object below `obj` at the first `n` keys of `path`, creating nodes on the way; 0 when a rule's value
 * (anything but a document object) is in the way.
 */
function nodeAt(obj: usize, path: usize, n: u32): usize {
  let node = obj;
  for (let i: u32 = 0; i < n; i++) {
    let key = arrayAt(path, i);
    let child = objectGet(node, key);
    if (!child) {
      child = newTreeObject();
    } else if (typeOf(child) != TYPE_OBJECT || !isTree(child)) {
      return 0;
    } else {
      let grown = owned(child);
      if (grown == child) {
        node = child;
        continue;
      }
      child = grown;
    }
    objectInsert(node, key, child);
    node = child;
  }
  return node;
}

/**
 * Places a rule's value at `path` (a non-empty array of keys) below `obj`, a document being built.
 * Returns 0, or 1 on a conflict: a rule's value in the way, or something different already at the path.
 */
export function insertPath(obj: usize, path: usize, value: usize): i32 {
  let n = arrayLength(path);
  if (n == 0) return equal(obj, value) ? 0 : 1;
  let node = nodeAt(obj, path, n - 1);
  if (!node) return 1;
  return insertLeaf(node, arrayAt(path, n - 1), value);
}

/** Places a rule's value at `key` of `obj`, a document being built; 1 when a different value is there. */
export function insertLeaf(obj: usize, key: usize, value: usize): i32 {
  let existing = objectGet(obj, key);
  if (existing) return equal(existing, value) ? 0 : 1;
  objectInsert(obj, key, leafOf(value));
  return 0;
}

/**
 * Adds `value` to the set of a `contains` rule at `path` (a non-empty array of keys) below `obj`, creating
 * the set and the objects on the way. Returns 0, or 1 on a conflict: a rule's value in the way or at the path.
 */
export function addToSetAt(obj: usize, path: usize, value: usize): i32 {
  let n = arrayLength(path);
  let node = nodeAt(obj, path, n - 1);
  if (!node) return 1;
  let key = arrayAt(path, n - 1);
  let set = objectGet(node, key);
  if (!set) {
    set = newTreeSet();
    objectInsert(node, key, set);
  } else if (typeOf(set) != TYPE_SET || !isTree(set)) {
    return 1;
  } else {
    let grown = owned(set);
    if (grown != set) objectInsert(node, key, grown);
    set = grown;
  }
  setAdd(set, value);
  return 0;
}

/**
 * Merges a document part (a node or a leaf) into `obj`, a document being built, at `key`. Returns 0, or 1
 * on a conflict (see treeMerge).
 */
export function mergeAt(obj: usize, key: usize, value: usize): i32 {
  let existing = objectGet(obj, key);
  if (!existing) {
    objectInsert(obj, key, value);
    return 0;
  }
  let merged = treeMerge(existing, value);
  if (!merged) return 1;
  if (merged != existing) objectInsert(obj, key, merged);
  return 0;
}

/**
 * Two parts of a document meeting at one place: objects of the tree merge key by key, sets of `contains`
 * rules join, anything else must be equal. 0 on a conflict. Neither input is modified.
 */
export function treeMerge(a: usize, b: usize): usize {
  if (isTree(a) && isTree(b) && typeOf(a) == typeOf(b)) {
    let n = changetype<CollectionBox>(b).count;
    let result = copyCollection(a, n);
    changetype<CollectionBox>(result).flags |= FLAG_TREE;
    if (typeOf(a) == TYPE_SET) {
      for (let i: u32 = 0; i < n; i++) setAdd(result, collectionKeyAt(b, i));
      return result;
    }
    for (let i: u32 = 0; i < n; i++) {
      let key = collectionKeyAt(b, i);
      let bValue = collectionValueAt(b, i);
      let aValue = objectGet(a, key);
      if (!aValue) {
        objectInsert(result, key, bValue);
        continue;
      }
      let merged = treeMerge(aValue, bValue);
      if (!merged) return 0;
      if (merged != aValue) objectInsert(result, key, merged);
    }
    return result;
  }
  return equal(a, b) ? a : 0;
}
