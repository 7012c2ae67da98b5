// The bump allocator behind every allocation in the module; its offset is OPA's heap pointer.
//
// Nothing is freed one object at a time. The SDK records the heap pointer once the policy and its data are
// loaded and sets it back before each evaluation, which reclaims an evaluation's garbage in one step; so a
// bump allocator is both the fastest and the only allocator the ABI needs. The same offset serves
// `opa_malloc`, our own value allocations and AssemblyScript's managed objects (through the `__new` family
// below, which `asc --runtime rt/bump` wires in), so managed classes, strings and arrays are safe to use.
//
// Memory is never assumed to be zero: after a reset the heap holds the previous evaluation's bytes, so
// `allocate` returns uninitialised memory and the AssemblyScript hooks clear what they hand out.

import { abortOutOfMemory } from "./host";

// @ts-ignore: decorator
@lazy let top: usize = (__heap_base + 7) & ~7;

/** Bytes of linear memory known to exist; refreshed from memory.size() whenever an allocation passes it. */
let limit: usize = 0;

/** The first address allocations may use (the end of the static data). */
// @ts-ignore: decorator
@inline export function heapBase(): usize {
  return (__heap_base + 7) & ~7;
}

/** The current heap pointer: the address the next allocation starts from (before alignment). */
// @ts-ignore: decorator
@inline export function heapTop(): usize {
  return top;
}

/** Moves the heap pointer; everything allocated at or above `ptr` is given up. */
export function setHeapTop(ptr: usize): void {
  top = ptr;
}

/** Makes sure linear memory reaches `end`, growing it geometrically (at most 16 MiB at a time). */
function reach(end: usize): void {
  let have = <usize>memory.size() << 16;
  if (end > have) {
    let pages = <i32>((end - have + 0xffff) >>> 16);
    let extra = max(pages, min(memory.size(), 256));
    if (memory.grow(extra) < 0 && memory.grow(pages) < 0) abortOutOfMemory();
    have = <usize>memory.size() << 16;
  }
  limit = have;
}

// @ts-ignore: decorator
@inline function claim(start: usize, size: usize): void {
  if (size > 0x7fff_0000) abortOutOfMemory();
  let end = start + size;
  if (end > limit) reach(end);
  top = end;
}

/** `size` bytes, 8-byte aligned, uninitialised. */
export function allocate(size: usize): usize {
  let ptr = (top + 7) & ~7;
  claim(ptr, size);
  return ptr;
}

/** `size` bytes, 8-byte aligned, zeroed. */
export function allocateZeroed(size: usize): usize {
  let ptr = allocate(size);
  memory.fill(ptr, 0, size);
  return ptr;
}

/**
 * Resizes a block from `allocate` to `newSize` bytes: in place when it is the last block on the heap,
 * otherwise by copying to a new block. The first min(oldSize, newSize) bytes are kept.
 */
export function reallocate(ptr: usize, oldSize: usize, newSize: usize): usize {
  if (ptr + oldSize == top) {
    claim(ptr, newSize);
    return ptr;
  }
  let copy = allocate(newSize);
  memory.copy(copy, ptr, min(oldSize, newSize));
  return copy;
}

/** Gives back the tail of a block from `allocate` when it is the last block on the heap. */
export function shrink(ptr: usize, oldSize: usize, newSize: usize): void {
  if (ptr + oldSize == top) top = ptr + newSize;
}

// ---- AssemblyScript runtime interface ----------------------------------------------------------------------
// Raw blocks carry their size in the 4 bytes before the payload; managed objects carry AssemblyScript's
// run-time id and size in the 8 bytes before it (the only header fields the standard library reads).

// @ts-ignore: decorator
@inline function headed(header: usize, size: usize): usize {
  let ptr = (top + header + 7) & ~7;
  claim(ptr, size);
  return ptr;
}

// @ts-ignore: decorator
@global @unsafe function __alloc(size: usize): usize {
  let ptr = headed(4, size);
  store<u32>(ptr - 4, <u32>size);
  return ptr;
}

// @ts-ignore: decorator
@global @unsafe function __realloc(ptr: usize, size: usize): usize {
  let old = <usize>load<u32>(ptr - 4);
  if (ptr + old == top) {
    claim(ptr, size);
    store<u32>(ptr - 4, <u32>size);
    return ptr;
  }
  let block = __alloc(size);
  memory.copy(block, ptr, min(old, size));
  return block;
}

// @ts-ignore: decorator
@global @unsafe function __free(ptr: usize): void {
  // bump allocation: memory comes back when the SDK resets the heap pointer
}

// @ts-ignore: decorator
@global @unsafe function __reset(): void {
  top = heapBase();
}

// @ts-ignore: decorator
@global @unsafe function __new(size: usize, id: u32): usize {
  let ptr = headed(8, size);
  store<u32>(ptr - 8, id);
  store<u32>(ptr - 4, <u32>size);
  memory.fill(ptr, 0, size);
  return ptr;
}

// @ts-ignore: decorator
@global @unsafe function __renew(ptr: usize, size: usize): usize {
  let old = <usize>load<u32>(ptr - 4);
  if (ptr + old == top) {
    claim(ptr, size);
  } else {
    let copy = headed(8, size);
    store<u32>(copy - 8, load<u32>(ptr - 8));
    memory.copy(copy, ptr, min(old, size));
    ptr = copy;
  }
  if (size > old) memory.fill(ptr + old, 0, size - old);
  store<u32>(ptr - 4, <u32>size);
  return ptr;
}

// @ts-ignore: decorator
@global @unsafe function __link(parentPtr: usize, childPtr: usize, expectMultiple: bool): void {
  // no collector, nothing to track
}

// @ts-ignore: decorator
@global @unsafe function __pin(ptr: usize): usize {
  return ptr;
}

// @ts-ignore: decorator
@global @unsafe function __unpin(ptr: usize): void {
  // no collector, nothing to pin
}

// @ts-ignore: decorator
@global @unsafe function __visit(ptr: usize, cookie: u32): void {
  // no collector, nothing to visit
}

// @ts-ignore: decorator
@global @unsafe function __collect(): void {
  // no collector: the SDK's heap reset is the collection
}
