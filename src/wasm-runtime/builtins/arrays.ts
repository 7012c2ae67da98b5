// Array builtins: array.concat, array.slice, array.reverse and array.flatten.

import { clearBuiltinError } from "../errors";
import { ArrayBox, TYPE_ARRAY, arrayAt, arrayLength, arrayPush, newArray, newArrayFrom, typeOf } from "../value";
import { intOperand, operandFailed, typeError } from "./operands";

/** array.concat(a, b): the elements of a followed by those of b. */
export function cs_bi_array__concat(a: usize, b: usize): usize {
  clearBuiltinError();
  if (typeOf(a) != TYPE_ARRAY) return typeError("array.concat", 1, a, "array");
  if (typeOf(b) != TYPE_ARRAY) return typeError("array.concat", 2, b, "array");
  let x = changetype<ArrayBox>(a);
  let y = changetype<ArrayBox>(b);
  let out = newArray(x.len + y.len);
  let box = changetype<ArrayBox>(out);
  memory.copy(box.elems, x.elems, <usize>x.len << 2);
  memory.copy(box.elems + (<usize>x.len << 2), y.elems, <usize>y.len << 2);
  box.len = x.len + y.len;
  return out;
}

/** array.slice(arr, start, stop): elements start (inclusive) to stop (exclusive), both clamped. */
export function cs_bi_array__slice(arr: usize, start: usize, stop: usize): usize {
  clearBuiltinError();
  if (typeOf(arr) != TYPE_ARRAY) return typeError("array.slice", 1, arr, "array");
  let from = intOperand("array.slice", 2, start);
  if (operandFailed) return 0;
  let to = intOperand("array.slice", 3, stop);
  if (operandFailed) return 0;
  let box = changetype<ArrayBox>(arr);
  let len = <i64>box.len;
  if (to < 0) to = 0;
  else if (to > len) to = len;
  if (from < 0) from = 0;
  else if (from > to) from = to;
  return newArrayFrom(box.elems + (<usize>from << 2), <u32>(to - from));
}

/** array.reverse(arr): the elements in reverse order. */
export function cs_bi_array__reverse(arr: usize): usize {
  clearBuiltinError();
  if (typeOf(arr) != TYPE_ARRAY) return typeError("array.reverse", 1, arr, "array");
  let box = changetype<ArrayBox>(arr);
  let n = box.len;
  let out = newArray(n);
  let dst = changetype<ArrayBox>(out).elems;
  for (let i: u32 = 0; i < n; i++) {
    store<u32>(dst + (<usize>i << 2), load<u32>(box.elems + (<usize>(n - 1 - i) << 2)));
  }
  changetype<ArrayBox>(out).len = n;
  return out;
}

/** array.flatten(arr): the elements of arr, with each element that is an array replaced by its elements (one level). */
export function cs_bi_array__flatten(arr: usize): usize {
  clearBuiltinError();
  if (typeOf(arr) != TYPE_ARRAY) return typeError("array.flatten", 1, arr, "array");
  let n = arrayLength(arr);
  let size: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    let e = arrayAt(arr, i);
    size += typeOf(e) == TYPE_ARRAY ? arrayLength(e) : 1;
  }
  let out = newArray(size);
  for (let i: u32 = 0; i < n; i++) {
    let e = arrayAt(arr, i);
    if (typeOf(e) != TYPE_ARRAY) {
      arrayPush(out, e);
      continue;
    }
    for (let j: u32 = 0, m = arrayLength(e); j < m; j++) arrayPush(out, arrayAt(e, j));
  }
  return out;
}
