// Set builtins over sets of sets: union and intersection.

import { clearBuiltinError } from "../errors";
import { TYPE_SET, typeOf } from "../value";
import { collectionCount, collectionFind, collectionKeyAt, copyCollection, newSet, setAdd } from "../collection";
import { typeError } from "./operands";

/** union(sets): every element of every set in a set of sets. */
export function cs_bi_union(sets: usize): usize {
  clearBuiltinError();
  if (typeOf(sets) != TYPE_SET) return typeError("union", 1, sets, "set");
  let n = collectionCount(sets);
  for (let i: u32 = 0; i < n; i++) {
    let s = collectionKeyAt(sets, i);
    if (typeOf(s) != TYPE_SET) return typeError("union", 1, s, "set");
  }
  if (n == 0) return newSet();
  let out = copyCollection(collectionKeyAt(sets, 0));
  for (let i: u32 = 1; i < n; i++) {
    let s = collectionKeyAt(sets, i);
    for (let j: u32 = 0, m = collectionCount(s); j < m; j++) setAdd(out, collectionKeyAt(s, j));
  }
  return out;
}

/** intersection(sets): the elements common to every set in a set of sets (empty for no sets). */
export function cs_bi_intersection(sets: usize): usize {
  clearBuiltinError();
  if (typeOf(sets) != TYPE_SET) return typeError("intersection", 1, sets, "set");
  let n = collectionCount(sets);
  for (let i: u32 = 0; i < n; i++) {
    let s = collectionKeyAt(sets, i);
    if (typeOf(s) != TYPE_SET) return typeError("intersection", 1, s, "set");
  }
  if (n == 0) return newSet();
  let result = collectionKeyAt(sets, 0);
  for (let i: u32 = 1; i < n; i++) {
    let s = collectionKeyAt(sets, i);
    let next = newSet();
    for (let j: u32 = 0, m = collectionCount(result); j < m; j++) {
      let e = collectionKeyAt(result, j);
      if (collectionFind(s, e) >= 0) setAdd(next, e);
    }
    result = next;
  }
  return result;
}
