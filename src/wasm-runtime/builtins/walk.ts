// walk: every [path, value] pair of a document, in pre-order, as one array the compiler iterates over.
//
// Paths are arrays of keys: array indexes as numbers, object keys, and for sets the element itself.
// Objects and sets are visited in Rego's order. Each path is its own array (a copy of the prefix plus one
// key) because a pair may outlive the walk.

import { clearBuiltinError } from "../errors";
import {
  ArrayBox, TYPE_ARRAY, TYPE_OBJECT, TYPE_SET, arrayAt, arrayLength, arrayPush, newArray, typeOf,
} from "../value";
import { newNumber } from "../number";
import { collectionCount, collectionKeyAt, collectionValueAt } from "../collection";

/** walk(x): the array of [path, value] pairs of x and everything below it, x itself first with path []. */
export function cs_bi_walk(x: usize): usize {
  clearBuiltinError();
  let out = newArray(8);
  let path = newArray(0);
  visit(out, path, x);
  return out;
}

function pair(path: usize, value: usize): usize {
  let p = newArray(2);
  arrayPush(p, path);
  arrayPush(p, value);
  return p;
}

/** path + [key] as a new array. */
function extend(path: usize, key: usize): usize {
  let box = changetype<ArrayBox>(path);
  let n = box.len;
  let next = newArray(n + 1);
  let to = changetype<ArrayBox>(next);
  memory.copy(to.elems, box.elems, <usize>n << 2);
  store<u32>(to.elems + (<usize>n << 2), <u32>key);
  to.len = n + 1;
  return next;
}

function visit(out: usize, path: usize, v: usize): void {
  arrayPush(out, pair(path, v));
  switch (typeOf(v)) {
    case TYPE_ARRAY:
      for (let i: u32 = 0, n = arrayLength(v); i < n; i++) visit(out, extend(path, newNumber(<f64>i)), arrayAt(v, i));
      break;
    case TYPE_OBJECT:
      for (let i: u32 = 0, n = collectionCount(v); i < n; i++) {
        visit(out, extend(path, collectionKeyAt(v, i)), collectionValueAt(v, i));
      }
      break;
    case TYPE_SET:
      for (let i: u32 = 0, n = collectionCount(v); i < n; i++) {
        let e = collectionKeyAt(v, i);
        visit(out, extend(path, e), e);
      }
      break;
  }
}
