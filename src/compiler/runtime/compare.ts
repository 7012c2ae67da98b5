// Equality and Rego's total order of values, without allocating on the common paths.
//
// Order: null < false < true < numbers < strings < arrays < objects < sets (the type codes' order); numbers
// by value; strings bytewise (UTF-8 byte order is code point order); arrays lexicographically; objects by
// their sorted entries, comparing each key and then its value; sets by their sorted elements; a shorter
// collection whose entries all match a longer one's prefix comes first.

import {
  ArrayBox, CollectionBox, StringBox,
  TYPE_ARRAY, TYPE_BOOLEAN, TYPE_NUMBER, TYPE_OBJECT, TYPE_SET, TYPE_STRING,
} from "./value";
import { numberCompare, numberEqual } from "./number";
import { collectionFind, ensureSorted } from "./collection";

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
