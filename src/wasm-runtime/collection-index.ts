// The hash index of a large object or set: open addressing over entry numbers, kept at most half full.
//
// The index stores entry number + 1 (0 is an empty slot). Placing an entry needs only its stored hash, never
// equality, so this module sits below both compare.ts (lookup, sorting) and collection.ts (building).

import { allocateZeroed } from "./heap";
import { CollectionBox } from "./value";

/** Collections of up to this many entries are searched without an index. */
export const LINEAR_MAX: u32 = 8;

/**
 * Gives the box a fresh, empty index sized for `cap` entries at most half full. The index is zeroed here:
 * after a heap reset the memory holds the previous evaluation's bytes, and a stale slot would make a probe
 * find an entry that is not there (heap.ts, "Memory is never assumed to be zero").
 */
export function allocateIndex(box: CollectionBox, cap: u32): void {
  let slots: u32 = 16;
  while (slots < cap << 1) slots <<= 1;
  box.index = allocateZeroed(<usize>slots << 2);
  box.mask = slots - 1;
}

/** Rebuilds the index from the stored hashes, in place. */
export function reindex(box: CollectionBox): void {
  memory.fill(box.index, 0, (<usize>box.mask + 1) << 2);
  for (let i: u32 = 0, n = box.count; i < n; i++) {
    place(box, i, load<u32>(box.hashes + (<usize>i << 2)));
  }
}

// @ts-ignore: decorator
@inline export function place(box: CollectionBox, entry: u32, h: u32): void {
  let mask = box.mask;
  let slot = h & mask;
  while (load<u32>(box.index + (<usize>slot << 2))) slot = (slot + 1) & mask;
  store<u32>(box.index + (<usize>slot << 2), entry + 1);
}
