// Rego values in linear memory: their layouts, type codes and the scalar and array constructors.
//
// ## The value model
//
// A value is the address (`usize`, an i32 on the wire) of a box whose first byte is its type code, the same
// codes OPA's runtime uses and `cs_type` returns: null 1, boolean 2, number 3, string 4, array 5, object 6,
// set 7. Address 0 is "undefined" wherever a value is returned. Values are immutable once they are handed to
// other code (builders mutate only what they just created), so they are shared freely and never copied.
//
// - null, true, false: one static box each (`NULL`, `TRUE`, `FALSE`); compare addresses freely.
// - number (NumberBox, 16 bytes): an f64, plus an optional literal text for integers that an f64 cannot hold
//   exactly (beyond 2^53). Such a number prints its text back unchanged and equals only a number with the
//   same text; every other number is its f64 (so 1 == 1.0, and -0 is 0). Integers from -128 to 1023 are
//   preallocated: `newNumber` returns the shared box. See number.ts.
// - string (StringBox, 16 bytes): `len` UTF-8 bytes at `ptr`, not owned: they may sit in the JSON text the
//   value was parsed from or in a data segment. Byte order is code point order, so strings compare bytewise.
//   `hash` caches the string's hash (0 = not yet computed). Code point helpers are in utf8.ts.
// - array (ArrayBox, 16 bytes): `len` element addresses in a u32 vector of `cap` slots at `elems`.
// - object and set (CollectionBox, 32 bytes): entries in insertion order (`keys`, and `vals` for objects),
//   sorted in place into Rego's order the first time someone iterates, compares or dumps them; lookups scan
//   small collections and use an open-addressing hash index once they pass 8 entries. See collection.ts.
//
// Rego's order of values (compare.ts): null < false < true < numbers < strings < arrays < objects < sets;
// arrays lexicographically; objects by their sorted keys, each key followed by its value; sets by their
// sorted elements.
//
// ## Memory
//
// Boxes come from the bump heap (heap.ts) and are never freed; the SDK's heap reset reclaims them. Anything
// built before the SDK records its heap pointer (constants from `cs_policy_init`, loaded data) survives every
// evaluation, so code must never attach an evaluation-time allocation to such a value: collections sort and
// re-index in place for this reason.

import { allocate, reallocate } from "./heap";

/** Type code of null. */
export const TYPE_NULL: u8 = 1;
/** Type code of true and false. */
export const TYPE_BOOLEAN: u8 = 2;
/** Type code of numbers. */
export const TYPE_NUMBER: u8 = 3;
/** Type code of strings. */
export const TYPE_STRING: u8 = 4;
/** Type code of arrays. */
export const TYPE_ARRAY: u8 = 5;
/** Type code of objects. */
export const TYPE_OBJECT: u8 = 6;
/** Type code of sets. */
export const TYPE_SET: u8 = 7;

/** Null and booleans: a type code and, for booleans, 0 or 1. */
@final @unmanaged export class ScalarBox {
  kind: u8;
  truth: u8;
}

/** A number: `num`, or the exact integer spelt by the string value `text` when `text` is not 0. */
@final @unmanaged export class NumberBox {
  kind: u8;
  text: usize;
  num: f64;
}

/** A string: `len` UTF-8 bytes at `ptr`; `hash` caches hashString (0 until computed). */
@final @unmanaged export class StringBox {
  kind: u8;
  len: u32;
  ptr: usize;
  hash: u32;
}

/** An array: `len` element addresses in a vector of `cap` u32 slots at `elems`. */
@final @unmanaged export class ArrayBox {
  kind: u8;
  len: u32;
  cap: u32;
  elems: usize;
}

/** Flag of CollectionBox.flags: the entries are in Rego's order. */
export const FLAG_SORTED: u8 = 1;
/** Flag of CollectionBox.flags: a document node built by the function that is building it, so it may grow in place. */
export const FLAG_PATH_OWNED: u8 = 2;
/**
 * Flag of CollectionBox.flags: a node of the rule tree's documents (a package, a ref-head prefix, a partial
 * set or object) rather than a rule's value; rules meeting at such a node merge (see rule-documents.ts).
 */
export const FLAG_TREE: u8 = 4;

/**
 * An object or a set: `count` entries in vectors of `cap` slots (`keys`, and `vals` for objects). Once
 * indexed, `hashes` holds each key's hash and `index` an open-addressing table of `mask + 1` slots holding
 * entry number + 1 (0 = empty). collection.ts owns these fields.
 */
@final @unmanaged export class CollectionBox {
  kind: u8;
  flags: u8;
  count: u32;
  cap: u32;
  keys: usize;
  vals: usize;
  hashes: usize;
  index: usize;
  mask: u32;
}

/** The null value. */
export let NULL: usize = 0;
/** The boolean true. */
export let TRUE: usize = 0;
/** The boolean false. */
export let FALSE: usize = 0;
/** The empty string. */
export let EMPTY_STRING: usize = 0;

/** Builds the shared scalar boxes; runs once from the start function, before anything else allocates values. */
export function initScalars(): void {
  NULL = scalar(TYPE_NULL, 0);
  TRUE = scalar(TYPE_BOOLEAN, 1);
  FALSE = scalar(TYPE_BOOLEAN, 0);
  EMPTY_STRING = newStringRef(0, 0);
}

function scalar(kind: u8, truth: u8): usize {
  let box = changetype<ScalarBox>(allocate(8));
  box.kind = kind;
  box.truth = truth;
  return changetype<usize>(box);
}

/** The type code of a value (TYPE_*), or 0 for undefined (address 0). */
// @ts-ignore: decorator
@inline export function typeOf(v: usize): u8 {
  return v ? load<u8>(v) : 0;
}

/** The Rego type name of a value as OPA's error messages spell it ("number", "set", …). */
export function typeName(v: usize): string {
  switch (typeOf(v)) {
    case TYPE_NULL: return "null";
    case TYPE_BOOLEAN: return "boolean";
    case TYPE_NUMBER: return "number";
    case TYPE_STRING: return "string";
    case TYPE_ARRAY: return "array";
    case TYPE_OBJECT: return "object";
    case TYPE_SET: return "set";
  }
  return "undefined";
}

// ---- booleans -------------------------------------------------------------------------------------------------

/** TRUE or FALSE. */
// @ts-ignore: decorator
@inline export function newBoolean(b: bool): usize {
  return b ? TRUE : FALSE;
}

/** True for the boolean true (and false for every other value, including undefined). */
// @ts-ignore: decorator
@inline export function isTrue(v: usize): bool {
  return v == TRUE;
}

// ---- strings --------------------------------------------------------------------------------------------------

/** A string over the UTF-8 bytes at (ptr, len), which are not copied and must outlive the value. */
export function newStringRef(ptr: usize, len: usize): usize {
  let box = changetype<StringBox>(allocate(offsetof<StringBox>()));
  box.kind = TYPE_STRING;
  box.len = <u32>len;
  box.ptr = ptr;
  box.hash = 0;
  return changetype<usize>(box);
}

/** A string holding a copy of the UTF-8 bytes at (ptr, len). */
export function newStringCopy(ptr: usize, len: usize): usize {
  let bytes = allocate(len);
  memory.copy(bytes, ptr, len);
  return newStringRef(bytes, len);
}

/** The address of a string's UTF-8 bytes. */
// @ts-ignore: decorator
@inline export function stringPtr(v: usize): usize {
  return changetype<StringBox>(v).ptr;
}

/** The length of a string in UTF-8 bytes (builtins/utf8.ts's runeCount gives Rego's `count`). */
// @ts-ignore: decorator
@inline export function stringLen(v: usize): usize {
  return changetype<StringBox>(v).len;
}

// ---- arrays ---------------------------------------------------------------------------------------------------

/** An empty array with room for `cap` elements. */
export function newArray(cap: u32): usize {
  let box = changetype<ArrayBox>(allocate(offsetof<ArrayBox>()));
  box.kind = TYPE_ARRAY;
  box.len = 0;
  box.cap = cap;
  box.elems = cap ? allocate(<usize>cap << 2) : 0;
  return changetype<usize>(box);
}

/** Appends `v` to an array being built. */
export function arrayPush(a: usize, v: usize): void {
  let box = changetype<ArrayBox>(a);
  let len = box.len;
  if (len == box.cap) growArray(box);
  store<u32>(box.elems + (<usize>len << 2), <u32>v);
  box.len = len + 1;
}

function growArray(box: ArrayBox): void {
  let cap = box.cap;
  let bigger = cap < 4 ? 4 : cap << 1;
  box.elems = box.elems
    ? reallocateVector(box.elems, cap, bigger)
    : allocate(<usize>bigger << 2);
  box.cap = bigger;
}

// @ts-ignore: decorator
@inline function reallocateVector(ptr: usize, oldCap: u32, newCap: u32): usize {
  return reallocate(ptr, <usize>oldCap << 2, <usize>newCap << 2);
}

/** The number of elements of an array. */
// @ts-ignore: decorator
@inline export function arrayLength(a: usize): u32 {
  return changetype<ArrayBox>(a).len;
}

/** Element `i` of an array; `i` must be below arrayLength. */
// @ts-ignore: decorator
@inline export function arrayAt(a: usize, i: u32): usize {
  return <usize>load<u32>(changetype<ArrayBox>(a).elems + (<usize>i << 2));
}

/** Replaces element `i` (below arrayLength) of an array being built. */
// @ts-ignore: decorator
@inline export function arraySet(a: usize, i: u32, v: usize): void {
  store<u32>(changetype<ArrayBox>(a).elems + (<usize>i << 2), <u32>v);
}

/** An array of the `n` values in the u32 vector at `src` (copied). */
export function newArrayFrom(src: usize, n: u32): usize {
  let a = newArray(n);
  memory.copy(changetype<ArrayBox>(a).elems, src, <usize>n << 2);
  changetype<ArrayBox>(a).len = n;
  return a;
}
