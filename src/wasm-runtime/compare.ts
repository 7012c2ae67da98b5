// Equality and Rego's total order of values, without allocating on the common paths, and the two collection
// operations that rest on them: finding an entry by equality and sorting entries into the order.
//
// Order: null < false < true < numbers < strings < arrays < objects < sets (the type codes' order); numbers
// by value; strings bytewise (UTF-8 byte order is code point order); arrays lexicographically; objects by
// their sorted entries, comparing each key and then its value; sets by their sorted elements; a shorter
// collection whose entries all match a longer one's prefix comes first.

import {
  ArrayBox, CollectionBox, FLAG_SORTED, StringBox,
  TYPE_ARRAY, TYPE_BOOLEAN, TYPE_NUMBER, TYPE_OBJECT, TYPE_SET, TYPE_STRING,
} from "./value";
import { numberCompare, numberEqual } from "./number";
import { allocate } from "./heap";
import { hashValue } from "./hash";
import { reindex } from "./collection-index";

/** True when two values are equal by Rego's rules (1 == 1.0; objects and sets regardless of order). */
export function equal(a: usize, b: usize): bool {
  if (a == b) return true;
  if (!a || !b) return false;
  let kind = load<u8>(a);
  if (kind != load<u8>(b)) return false;
  switch (kind) {
    case TYPE_STRING: return stringEqual(a, b);
    case TYPE_NUMBER: return numberEqual(a, b);
    case TYPE_ARRAY: {
      let x = changetype<ArrayBox>(a);
      let y = changetype<ArrayBox>(b);
      let n = <usize>x.len;
      if (n != <usize>y.len) return false;
      for (let i: usize = 0; i < n; i++) {
        if (!equal(<usize>load<u32>(x.elems + (i << 2)), <usize>load<u32>(y.elems + (i << 2)))) return false;
      }
      return true;
    }
    case TYPE_OBJECT: {
      let x = changetype<CollectionBox>(a);
      let y = changetype<CollectionBox>(b);
      let n = <usize>x.count;
      if (n != <usize>y.count) return false;
      for (let i: usize = 0; i < n; i++) {
        let at = collectionFind(b, <usize>load<u32>(x.keys + (i << 2)));
        if (at < 0) return false;
        if (!equal(<usize>load<u32>(x.vals + (i << 2)), <usize>load<u32>(y.vals + (<usize>at << 2)))) return false;
      }
      return true;
    }
    case TYPE_SET: {
      let x = changetype<CollectionBox>(a);
      let n = <usize>x.count;
      if (n != <usize>changetype<CollectionBox>(b).count) return false;
      for (let i: usize = 0; i < n; i++) {
        if (collectionFind(b, <usize>load<u32>(x.keys + (i << 2))) < 0) return false;
      }
      return true;
    }
  }
  // null, true and false are single boxes, so distinct addresses are distinct values
  return false;
}

/** True when two string values hold the same bytes. */
export function stringEqual(a: usize, b: usize): bool {
  let x = changetype<StringBox>(a);
  let y = changetype<StringBox>(b);
  let n = <usize>x.len;
  if (n != <usize>y.len) return false;
  if (x.hash != y.hash && x.hash && y.hash) return false;
  return bytesEqual(x.ptr, y.ptr, n);
}

/** True when the `n` bytes at `a` and `b` are the same. */
export function bytesEqual(a: usize, b: usize, n: usize): bool {
  if (a == b) return true;
  let i: usize = 0;
  while (i + 8 <= n) {
    if (load<u64>(a + i) != load<u64>(b + i)) return false;
    i += 8;
  }
  while (i < n) {
    if (load<u8>(a + i) != load<u8>(b + i)) return false;
    i++;
  }
  return true;
}

/** -1, 0 or 1 comparing the bytes (a, aLen) with (b, bLen) lexicographically. */
export function compareBytes(a: usize, aLen: usize, b: usize, bLen: usize): i32 {
  let n = min(aLen, bLen);
  let i: usize = 0;
  while (i + 8 <= n && load<u64>(a + i) == load<u64>(b + i)) i += 8;
  while (i < n) {
    let x = load<u8>(a + i);
    let y = load<u8>(b + i);
    if (x != y) return x < y ? -1 : 1;
    i++;
  }
  return aLen == bLen ? 0 : aLen < bLen ? -1 : 1;
}

/** -1, 0 or 1 by Rego's total order of values; undefined (0) sorts before everything. */
export function compare(a: usize, b: usize): i32 {
  if (a == b) return 0;
  if (!a || !b) return !a ? -1 : 1;
  let kind = load<u8>(a);
  let other = load<u8>(b);
  if (kind != other) return kind < other ? -1 : 1;
  switch (kind) {
    case TYPE_BOOLEAN: return <i32>load<u8>(a, 1) - <i32>load<u8>(b, 1);
    case TYPE_NUMBER: return numberCompare(a, b);
    case TYPE_STRING: {
      let x = changetype<StringBox>(a);
      let y = changetype<StringBox>(b);
      return compareBytes(x.ptr, x.len, y.ptr, y.len);
    }
    case TYPE_ARRAY: {
      let x = changetype<ArrayBox>(a);
      let y = changetype<ArrayBox>(b);
      let n = <usize>min(x.len, y.len);
      for (let i: usize = 0; i < n; i++) {
        let order = compare(<usize>load<u32>(x.elems + (i << 2)), <usize>load<u32>(y.elems + (i << 2)));
        if (order) return order;
      }
      return x.len == y.len ? 0 : x.len < y.len ? -1 : 1;
    }
    case TYPE_OBJECT:
    case TYPE_SET: {
      ensureSorted(a);
      ensureSorted(b);
      let x = changetype<CollectionBox>(a);
      let y = changetype<CollectionBox>(b);
      let n = <usize>min(x.count, y.count);
      let isObject = kind == TYPE_OBJECT;
      for (let i: usize = 0; i < n; i++) {
        let order = compare(<usize>load<u32>(x.keys + (i << 2)), <usize>load<u32>(y.keys + (i << 2)));
        if (order) return order;
        if (isObject) {
          order = compare(<usize>load<u32>(x.vals + (i << 2)), <usize>load<u32>(y.vals + (i << 2)));
          if (order) return order;
        }
      }
      return x.count == y.count ? 0 : x.count < y.count ? -1 : 1;
    }
  }
  // null: a single box, handled by the address check above
  return 0;
}

// ---- lookup by equality ---------------------------------------------------------------------------------------

/** The entry number of `key` in an object or set, in the current entry order, or -1 when absent. */
export function collectionFind(c: usize, key: usize): i32 {
  let box = changetype<CollectionBox>(c);
  if (!box.index) {
    let keys = box.keys;
    let n = box.count;
    if (load<u8>(key) == TYPE_STRING) {
      // the common case, string keys: compare lengths and bytes inline
      let needle = changetype<StringBox>(key);
      for (let i: u32 = 0; i < n; i++) {
        let k = <usize>load<u32>(keys + (<usize>i << 2));
        if (k == key) return <i32>i;
        let s = changetype<StringBox>(k);
        if (s.kind == TYPE_STRING && s.len == needle.len && bytesEqual(s.ptr, needle.ptr, s.len)) return <i32>i;
      }
      return -1;
    }
    for (let i: u32 = 0; i < n; i++) {
      let k = <usize>load<u32>(keys + (<usize>i << 2));
      if (k == key || equal(k, key)) return <i32>i;
    }
    return -1;
  }
  return probe(box, key, hashValue(key));
}

/** The entry number of `key` (whose hash is `h`) in an indexed collection, or -1 when absent. */
export function probe(box: CollectionBox, key: usize, h: u32): i32 {
  let mask = box.mask;
  let slot = h & mask;
  while (true) {
    let entry = load<u32>(box.index + (<usize>slot << 2));
    if (!entry) return -1;
    let i = <usize>(entry - 1);
    if (load<u32>(box.hashes + (i << 2)) == h) {
      let k = <usize>load<u32>(box.keys + (i << 2));
      if (k == key || equal(k, key)) return <i32>i;
    }
    slot = (slot + 1) & mask;
  }
  return -1;
}

// ---- sorting into Rego's order --------------------------------------------------------------------------------

/** Sorts an object's entries by key, or a set's elements, into Rego's order (in place; idempotent). */
export function ensureSorted(c: usize): void {
  let box = changetype<CollectionBox>(c);
  if (box.flags & FLAG_SORTED) return;
  let n = box.count;
  if (n <= 16) {
    insertionSort(box);
  } else if (!inOrder(box)) {
    mergeSort(box);
  }
  if (box.index) reindex(box);
  box.flags |= FLAG_SORTED;
}

/** True when the entries are already in Rego's order (as when a document was written sorted). */
function inOrder(box: CollectionBox): bool {
  for (let i: usize = 1, n = <usize>box.count; i < n; i++) {
    let a = <usize>load<u32>(box.keys + ((i - 1) << 2));
    if (compare(a, <usize>load<u32>(box.keys + (i << 2))) > 0) return false;
  }
  return true;
}

function insertionSort(box: CollectionBox): void {
  let keys = box.keys;
  let vals = box.vals;
  let hashes = box.hashes;
  let isObject = box.kind == TYPE_OBJECT;
  for (let i: usize = 1, n = <usize>box.count; i < n; i++) {
    let key = load<u32>(keys + (i << 2));
    if (compare(<usize>load<u32>(keys + ((i - 1) << 2)), <usize>key) <= 0) continue;
    let val = isObject ? load<u32>(vals + (i << 2)) : 0;
    let h = hashes ? load<u32>(hashes + (i << 2)) : 0;
    let j = i;
    while (j > 0 && compare(<usize>load<u32>(keys + ((j - 1) << 2)), <usize>key) > 0) {
      store<u32>(keys + (j << 2), load<u32>(keys + ((j - 1) << 2)));
      if (isObject) store<u32>(vals + (j << 2), load<u32>(vals + ((j - 1) << 2)));
      if (hashes) store<u32>(hashes + (j << 2), load<u32>(hashes + ((j - 1) << 2)));
      j--;
    }
    store<u32>(keys + (j << 2), key);
    if (isObject) store<u32>(vals + (j << 2), val);
    if (hashes) store<u32>(hashes + (j << 2), h);
  }
}

/** Sorts a permutation of entry numbers with a bottom-up merge sort, then applies it to the vectors. */
function mergeSort(box: CollectionBox): void {
  let n = <usize>box.count;
  let bytes = n << 2;
  // scratch: the permutation, its merge buffer, and a copy of one vector at a time (all garbage afterwards)
  let order = allocate(bytes);
  let buffer = allocate(bytes);
  let copy = allocate(bytes);
  for (let i: usize = 0; i < n; i++) store<u32>(order + (i << 2), <u32>i);
  let keys = box.keys;
  for (let width: usize = 1; width < n; width <<= 1) {
    for (let lo: usize = 0; lo < n; lo += width << 1) {
      let mid = min(lo + width, n);
      let hi = min(lo + (width << 1), n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        let a = load<u32>(order + (i << 2));
        let b = load<u32>(order + (j << 2));
        let ka = <usize>load<u32>(keys + (<usize>a << 2));
        let kb = <usize>load<u32>(keys + (<usize>b << 2));
        if (compare(ka, kb) <= 0) {
          store<u32>(buffer + (k << 2), a);
          i++;
        } else {
          store<u32>(buffer + (k << 2), b);
          j++;
        }
        k++;
      }
      while (i < mid) store<u32>(buffer + (k++ << 2), load<u32>(order + (i++ << 2)));
      while (j < hi) store<u32>(buffer + (k++ << 2), load<u32>(order + (j++ << 2)));
    }
    let swap = order;
    order = buffer;
    buffer = swap;
  }
  permute(box.keys, order, copy, n);
  if (box.kind == TYPE_OBJECT) permute(box.vals, order, copy, n);
  if (box.hashes) permute(box.hashes, order, copy, n);
}

function permute(vector: usize, order: usize, copy: usize, n: usize): void {
  memory.copy(copy, vector, n << 2);
  for (let i: usize = 0; i < n; i++) {
    store<u32>(vector + (i << 2), load<u32>(copy + (<usize>load<u32>(order + (i << 2)) << 2)));
  }
}
