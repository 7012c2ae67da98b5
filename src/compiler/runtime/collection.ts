// Objects and sets: insertion-ordered entries with a hash index, sorted into Rego's order in place on demand.
//
// Lookups scan collections of up to LINEAR_MAX entries (comparing a few short keys beats hashing them) and
// probe an open-addressing index beyond that; the index stores entry number + 1 and is kept at most half
// full. Iteration, comparison and dumping call ensureSorted, which sorts the entry vectors in place and
// re-indexes in place. Nothing allocated after a collection is built stays attached to it, which is what
// makes it safe to sort constants and loaded data during an evaluation (see value.ts, "Memory").

import { allocate, allocateZeroed, reallocate } from "./heap";
import { CollectionBox, FLAG_SORTED, StringBox, TYPE_OBJECT, TYPE_SET, TYPE_STRING } from "./value";
import { bytesEqual, compare, equal } from "./compare";
import { hashValue } from "./hash";

/** Collections of up to this many entries are searched without an index. */
const LINEAR_MAX: u32 = 8;

/** An empty object with room for `cap` entries. */
export function newObject(cap: u32 = 0): usize {
  return newCollection(TYPE_OBJECT, cap);
}

/** An empty set with room for `cap` elements. */
export function newSet(cap: u32 = 0): usize {
  return newCollection(TYPE_SET, cap);
}

function newCollection(kind: u8, cap: u32): usize {
  let box = changetype<CollectionBox>(allocate(offsetof<CollectionBox>()));
  box.kind = kind;
  box.flags = FLAG_SORTED;
  box.count = 0;
  box.cap = cap;
  box.keys = cap ? allocate(<usize>cap << 2) : 0;
  box.vals = cap && kind == TYPE_OBJECT ? allocate(<usize>cap << 2) : 0;
  box.hashes = 0;
  box.index = 0;
  box.mask = 0;
  if (cap > LINEAR_MAX) {
    box.hashes = allocate(<usize>cap << 2);
    allocateIndex(box, cap);
  }
  return changetype<usize>(box);
}

/** The number of entries of an object or elements of a set. */
// @ts-ignore: decorator
@inline export function collectionCount(c: usize): u32 {
  return changetype<CollectionBox>(c).count;
}

// ---- lookup ---------------------------------------------------------------------------------------------------

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

function probe(box: CollectionBox, key: usize, h: u32): i32 {
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

/** obj[key], or 0 when the object has no such key. */
export function objectGet(obj: usize, key: usize): usize {
  let at = collectionFind(obj, key);
  return at < 0 ? 0 : <usize>load<u32>(changetype<CollectionBox>(obj).vals + (<usize>at << 2));
}

/** The set's own element equal to `elem`, or 0 when it has none. */
export function setGet(set: usize, elem: usize): usize {
  let at = collectionFind(set, elem);
  return at < 0 ? 0 : <usize>load<u32>(changetype<CollectionBox>(set).keys + (<usize>at << 2));
}

/** True when the set contains `elem`. */
// @ts-ignore: decorator
@inline export function setHas(set: usize, elem: usize): bool {
  return collectionFind(set, elem) >= 0;
}

// ---- building -------------------------------------------------------------------------------------------------

/** Sets obj[key] = value, replacing the value of an equal key already present. */
export function objectInsert(obj: usize, key: usize, value: usize): void {
  let box = changetype<CollectionBox>(obj);
  let h: u32 = 0;
  let at: i32;
  if (box.index) {
    h = hashValue(key);
    at = probe(box, key, h);
  } else {
    at = collectionFind(obj, key);
  }
  if (at >= 0) {
    store<u32>(box.vals + (<usize>at << 2), <u32>value);
    return;
  }
  append(box, key, value, h);
}

/** Adds `elem` to a set; a no-op when an equal element is present. */
export function setAdd(set: usize, elem: usize): void {
  let box = changetype<CollectionBox>(set);
  let h: u32 = 0;
  let at: i32;
  if (box.index) {
    h = hashValue(elem);
    at = probe(box, elem, h);
  } else {
    at = collectionFind(set, elem);
  }
  if (at < 0) append(box, elem, 0, h);
}

/** Appends an entry known to be absent; `h` is the key's hash when the collection is indexed. */
function append(box: CollectionBox, key: usize, value: usize, h: u32): void {
  let n = box.count;
  if (n == box.cap) grow(box);
  let at = <usize>n << 2;
  store<u32>(box.keys + at, <u32>key);
  if (box.kind == TYPE_OBJECT) store<u32>(box.vals + at, <u32>value);
  box.count = n + 1;
  if (n) box.flags &= ~FLAG_SORTED;
  if (box.index) {
    store<u32>(box.hashes + at, h);
    place(box, n, h);
  } else if (n + 1 > LINEAR_MAX) {
    // crossing the threshold: hash every entry and build the index
    box.hashes = allocate(<usize>box.cap << 2);
    for (let i: usize = 0; i <= <usize>n; i++) {
      store<u32>(box.hashes + (i << 2), hashValue(<usize>load<u32>(box.keys + (i << 2))));
    }
    allocateIndex(box, box.cap);
    reindex(box);
  }
}

function grow(box: CollectionBox): void {
  let cap = box.cap;
  let bigger: u32 = cap < 4 ? 4 : cap << 1;
  box.keys = resize(box.keys, cap, bigger);
  if (box.kind == TYPE_OBJECT) box.vals = resize(box.vals, cap, bigger);
  box.cap = bigger;
  if (box.index) {
    box.hashes = resize(box.hashes, cap, bigger);
    allocateIndex(box, bigger);
    reindex(box);
  }
}

// @ts-ignore: decorator
@inline function resize(vector: usize, cap: u32, bigger: u32): usize {
  return vector ? reallocate(vector, <usize>cap << 2, <usize>bigger << 2) : allocate(<usize>bigger << 2);
}

/**
 * Gives the box a fresh, empty index sized for `cap` entries at most half full. The index is zeroed here:
 * after a heap reset the memory holds the previous evaluation's bytes, and a stale slot would make a probe
 * find an entry that is not there (heap.ts, "Memory is never assumed to be zero").
 */
function allocateIndex(box: CollectionBox, cap: u32): void {
  let slots: u32 = 16;
  while (slots < cap << 1) slots <<= 1;
  box.index = allocateZeroed(<usize>slots << 2);
  box.mask = slots - 1;
}

/** Rebuilds the index from the stored hashes, in place. */
function reindex(box: CollectionBox): void {
  memory.fill(box.index, 0, (<usize>box.mask + 1) << 2);
  for (let i: u32 = 0, n = box.count; i < n; i++) {
    place(box, i, load<u32>(box.hashes + (<usize>i << 2)));
  }
}

// @ts-ignore: decorator
@inline function place(box: CollectionBox, entry: u32, h: u32): void {
  let mask = box.mask;
  let slot = h & mask;
  while (load<u32>(box.index + (<usize>slot << 2))) slot = (slot + 1) & mask;
  store<u32>(box.index + (<usize>slot << 2), entry + 1);
}

/** Removes `key` from an object or set; returns false when it was absent. */
export function collectionRemove(c: usize, key: usize): bool {
  let at = collectionFind(c, key);
  if (at < 0) return false;
  let box = changetype<CollectionBox>(c);
  let from = (<usize>at + 1) << 2;
  let bytes = ((<usize>box.count << 2)) - from;
  memory.copy(box.keys + from - 4, box.keys + from, bytes);
  if (box.kind == TYPE_OBJECT) memory.copy(box.vals + from - 4, box.vals + from, bytes);
  box.count -= 1;
  if (box.index) {
    memory.copy(box.hashes + from - 4, box.hashes + from, bytes);
    reindex(box);
  }
  return true;
}

// ---- Rego's order ---------------------------------------------------------------------------------------------

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

/** Key `i` (below collectionCount) of an object, or element `i` of a set, in Rego's order. */
export function collectionKeyAt(c: usize, i: u32): usize {
  ensureSorted(c);
  return <usize>load<u32>(changetype<CollectionBox>(c).keys + (<usize>i << 2));
}

/** The value of entry `i` (below collectionCount) of an object in Rego's order; for a set, element `i`. */
export function collectionValueAt(c: usize, i: u32): usize {
  ensureSorted(c);
  let box = changetype<CollectionBox>(c);
  let vector = box.kind == TYPE_OBJECT ? box.vals : box.keys;
  return <usize>load<u32>(vector + (<usize>i << 2));
}

/** A shallow copy of an object or set, with room for `extra` more entries; the original is untouched. */
export function copyCollection(c: usize, extra: u32 = 0): usize {
  let box = changetype<CollectionBox>(c);
  let n = box.count;
  let copy = newCollection(box.kind, n + extra);
  let to = changetype<CollectionBox>(copy);
  memory.copy(to.keys, box.keys, <usize>n << 2);
  if (box.kind == TYPE_OBJECT) memory.copy(to.vals, box.vals, <usize>n << 2);
  to.count = n;
  to.flags = box.flags & FLAG_SORTED;
  if (to.index) {
    // the copy is indexed (its capacity passed LINEAR_MAX); the original may not have hashed its keys yet
    for (let i: usize = 0; i < <usize>n; i++) {
      let h = box.hashes ? load<u32>(box.hashes + (i << 2)) : hashValue(<usize>load<u32>(box.keys + (i << 2)));
      store<u32>(to.hashes + (i << 2), h);
    }
    reindex(to);
  }
  return copy;
}
