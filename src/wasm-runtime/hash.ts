// Hashes of values, consistent with equality: equal values (1 and 1.0, objects built in any order) hash alike.

import {
  ArrayBox, CollectionBox, NumberBox, StringBox,
  TYPE_ARRAY, TYPE_BOOLEAN, TYPE_NULL, TYPE_NUMBER, TYPE_OBJECT, TYPE_SET, TYPE_STRING,
} from "./value";

/** The hash of a value; strings cache theirs in the box. */
export function hashValue(v: usize): u32 {
  switch (load<u8>(v)) {
    case TYPE_STRING: return hashString(v);
    case TYPE_NUMBER: {
      // -0 + 0 is +0, so both zeros hash alike; a big integer hashes as its nearest f64, as do its equals
      let bits = reinterpret<u64>(changetype<NumberBox>(v).num + 0.0);
      return finish(<u32>bits ^ <u32>(bits >> 32) * 0x9e3779b1);
    }
    case TYPE_NULL: return 0x5bd1e995;
    case TYPE_BOOLEAN: return load<u8>(v, 1) ? 0x27d4eb2f : 0x165667b1;
    case TYPE_ARRAY: {
      let box = changetype<ArrayBox>(v);
      let h: u32 = 0x3c6ef372 ^ box.len;
      for (let i: usize = 0, n = <usize>box.len; i < n; i++) {
        h = mix(h, hashValue(<usize>load<u32>(box.elems + (i << 2))));
      }
      return finish(h);
    }
    case TYPE_OBJECT: {
      // a sum of per-entry hashes does not depend on the order entries were inserted in
      let box = changetype<CollectionBox>(v);
      let h: u32 = 0xa54ff53a;
      for (let i: usize = 0, n = <usize>box.count; i < n; i++) {
        let k = hashValue(<usize>load<u32>(box.keys + (i << 2)));
        h += finish(mix(k, hashValue(<usize>load<u32>(box.vals + (i << 2)))));
      }
      return finish(h ^ box.count);
    }
    case TYPE_SET: {
      let box = changetype<CollectionBox>(v);
      let h: u32 = 0x510e527f;
      for (let i: usize = 0, n = <usize>box.count; i < n; i++) {
        h += finish(hashValue(<usize>load<u32>(box.keys + (i << 2))) ^ 0x1f83d9ab);
      }
      return finish(h ^ box.count);
    }
  }
  return 0;
}

/** The hash of a string value, computed once and cached in its box (never 0 once cached). */
// @ts-ignore: decorator
@inline export function hashString(v: usize): u32 {
  let box = changetype<StringBox>(v);
  let h = box.hash;
  if (h == 0) {
    h = hashBytes(box.ptr, box.len) | 1;
    box.hash = h;
  }
  return h;
}

/** A 32-bit hash of the bytes at (ptr, len), taking four bytes per step. */
export function hashBytes(ptr: usize, len: usize): u32 {
  let h: u32 = 0x9747b28c ^ <u32>len;
  let p = ptr;
  let end = ptr + len;
  while (p + 4 <= end) {
    h = mix(h, load<u32>(p));
    p += 4;
  }
  let tail: u32 = 0;
  let shift: u32 = 0;
  while (p < end) {
    tail |= <u32>load<u8>(p) << shift;
    shift += 8;
    p++;
  }
  if (shift) h = mix(h, tail);
  return finish(h);
}

// @ts-ignore: decorator
@inline function mix(h: u32, k: u32): u32 {
  k *= 0xcc9e2d51;
  k = rotl(k, 15);
  k *= 0x1b873593;
  h ^= k;
  h = rotl(h, 13);
  return h * 5 + 0xe6546b64;
}

// @ts-ignore: decorator
@inline function finish(h: u32): u32 {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  return h ^ (h >> 16);
}
