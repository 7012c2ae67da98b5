// The per-evaluation memo of rule results: a stack of frames, each mapping small integer ids to values.
//
// Generated code memoises a rule's value under the rule's id; entering a `with` pushes an empty frame (the
// rule may evaluate differently there) and leaving it pops the frame. Every evaluation starts from a single
// empty frame. The top frame lives in globals; lower frames are saved in a vector of (slots, capacity).

import { allocate, allocateZeroed } from "./heap";

let slots: usize = 0;
let capacity: u32 = 0;
let saved: usize = 0;
let savedCap: u32 = 0;
let depth: u32 = 1;

/** Drops every frame and starts a single empty one (at the start of each evaluation). */
export function memoReset(): void {
  slots = 0;
  capacity = 0;
  saved = 0;
  savedCap = 0;
  depth = 1;
}

/** The value memoised under `id` in the top frame, or 0. */
export function memoGet(id: u32): usize {
  return id < capacity ? <usize>load<u32>(slots + (<usize>id << 2)) : 0;
}

/** Memoises `value` under `id` in the top frame. */
export function memoPut(id: u32, value: usize): void {
  if (id >= capacity) {
    let bigger: u32 = capacity ? capacity : 16;
    while (bigger <= id) bigger <<= 1;
    let grown = allocateZeroed(<usize>bigger << 2);
    if (capacity) memory.copy(grown, slots, <usize>capacity << 2);
    slots = grown;
    capacity = bigger;
  }
  store<u32>(slots + (<usize>id << 2), <u32>value);
}

/** Starts a new, empty top frame. */
export function memoPush(): void {
  let index = depth - 1;
  if (index >= savedCap) {
    let bigger: u32 = savedCap ? savedCap << 1 : 8;
    let grown = allocate(<usize>bigger << 3);
    if (savedCap) memory.copy(grown, saved, <usize>savedCap << 3);
    saved = grown;
    savedCap = bigger;
  }
  store<u32>(saved + (<usize>index << 3), <u32>slots);
  store<u32>(saved + (<usize>index << 3), capacity, 4);
  slots = 0;
  capacity = 0;
  depth++;
}

/** Drops the top frame, making the one below it the top again; the bottom frame is never dropped. */
export function memoPop(): void {
  if (depth <= 1) return;
  depth--;
  let index = depth - 1;
  slots = <usize>load<u32>(saved + (<usize>index << 3));
  capacity = load<u32>(saved + (<usize>index << 3), 4);
}
