// Objects and sets: insertion-ordered entries with a hash index, sorted into Rego's order in place on demand.
//
// Lookups scan collections of up to LINEAR_MAX entries (comparing a few short keys beats hashing them) and
// probe an open-addressing index beyond that; the index stores entry number + 1 and is kept at most half
// full. Iteration, comparison and dumping call ensureSorted, which sorts the entry vectors in place and
// re-indexes in place. Nothing allocated after a collection is built stays attached to it, which is what
// makes it safe to sort constants and loaded data during an evaluation (see value.ts, "Memory").

import { allocate, reallocate } from "./heap";
import { CollectionBox, FLAG_SORTED, TYPE_OBJECT, TYPE_SET } from "./value";
import { collectionFind, ensureSorted, probe } from "./compare";
import { LINEAR_MAX, allocateIndex, place, reindex } from "./collection-index";
import { hashValue } from "./hash";

// lookup and sorting rest on equality and order, so they live with them in compare.ts
export { collectionFind, ensureSorted };

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

// ---- in Rego's order ------------------------------------------------------------------------------------------

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
