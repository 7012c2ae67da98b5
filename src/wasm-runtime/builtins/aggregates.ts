// Aggregate builtins over collections: count, sum, product, max, min and sort.
//
// sum and product are exact on integers of any size (as OPA's big.Int path) and add or multiply other
// numbers on their decimal forms (see decimal.ts); max, min and sort use Rego's order of values.

import { clearBuiltinError } from "../errors";
import {
  ArrayBox, StringBox, TYPE_ARRAY, TYPE_NUMBER, TYPE_OBJECT, TYPE_SET, TYPE_STRING,
  arrayAt, arrayLength, newArray, newArrayFrom, typeOf,
} from "../value";
import { EXACT_LIMIT, exactDigitsOf, newIntegerText, newNumber, numberIsInteger, numberText, numberValue } from "../number";
import { collectionCount, collectionKeyAt } from "../collection";
import { compare } from "../compare";
import { BigInteger } from "../bigint";
import { allocate } from "../heap";
import { elementError, typeError } from "./operands";
import { runeCount } from "./utf8";
import { decExponent, decMantissa, decimalAdd, decimalMultiply, decimalOf, decimalToF64 } from "./decimal";

/** count(x): elements of an array, object or set, or code points of a string. */
export function cs_bi_count(x: usize): usize {
  clearBuiltinError();
  switch (typeOf(x)) {
    case TYPE_ARRAY: return newNumber(<f64>arrayLength(x));
    case TYPE_OBJECT:
    case TYPE_SET: return newNumber(<f64>collectionCount(x));
    case TYPE_STRING: {
      let s = changetype<StringBox>(x);
      return newNumber(<f64>runeCount(s.ptr, <i32>s.len));
    }
  }
  return typeError("count", 1, x, "one of {array, object, set, string}");
}

/** Number of elements of an array or set (the caller checked the type). */
// @ts-ignore: decorator
@inline function sizeOf(c: usize): u32 {
  return typeOf(c) == TYPE_ARRAY ? arrayLength(c) : collectionCount(c);
}

/** Element i of an array, or of a set in Rego's order. */
// @ts-ignore: decorator
@inline function elementAt(c: usize, i: u32): usize {
  return typeOf(c) == TYPE_ARRAY ? arrayAt(c, i) : collectionKeyAt(c, i);
}

const SUM: i32 = 0;
const PRODUCT: i32 = 1;

/** sum(xs): the sum of an array or set of numbers. */
export function cs_bi_sum(xs: usize): usize {
  clearBuiltinError();
  return accumulate("sum", xs, SUM);
}

/** product(xs): the product of an array or set of numbers. */
export function cs_bi_product(xs: usize): usize {
  clearBuiltinError();
  return accumulate("product", xs, PRODUCT);
}

function accumulate(name: string, xs: usize, op: i32): usize {
  let kind = typeOf(xs);
  if (kind != TYPE_ARRAY && kind != TYPE_SET) return typeError(name, 1, xs, "one of {set, array}");
  let n = sizeOf(xs);
  let allIntegers = true;
  let allSmall = true;
  for (let i: u32 = 0; i < n; i++) {
    let x = elementAt(xs, i);
    if (typeOf(x) != TYPE_NUMBER) return elementError(name, 1, xs, x, "number");
    if (!numberIsInteger(x)) allIntegers = false;
    else if (numberText(x)) allSmall = false;
  }
  if (allIntegers) return accumulateIntegers(xs, n, op, allSmall);
  // Decimal arithmetic on the printed forms; f64 when a mantissa overflows.
  let m: i64 = op == SUM ? 0 : 1;
  let e: i32 = 0;
  let exact = true;
  for (let i: u32 = 0; i < n && exact; i++) {
    let x = elementAt(xs, i);
    exact = decimalOf(x) && (op == SUM
      ? decimalAdd(m, e, decMantissa, decExponent)
      : decimalMultiply(m, e, decMantissa, decExponent));
    m = decMantissa;
    e = decExponent;
  }
  if (exact) return newNumber(decimalToF64(m, e));
  let f: f64 = op == SUM ? 0 : 1;
  for (let i: u32 = 0; i < n; i++) {
    let v = numberValue(elementAt(xs, i));
    f = op == SUM ? f + v : f * v;
  }
  return newNumber(f);
}

function accumulateIntegers(xs: usize, n: u32, op: i32, allSmall: bool): usize {
  if (allSmall) {
    // f64 arithmetic is exact while every partial result stays below 2^53.
    let f: f64 = op == SUM ? 0 : 1;
    let i: u32 = 0;
    for (; i < n; i++) {
      let v = numberValue(elementAt(xs, i));
      let next = op == SUM ? f + v : f * v;
      if (Math.abs(next) >= EXACT_LIMIT) break;
      f = next;
    }
    if (i == n) return newNumber(f);
  }
  let acc = BigInteger.parse(exactDigitsOf(newNumber(op == SUM ? 0 : 1)));
  for (let i: u32 = 0; i < n; i++) {
    let x = BigInteger.parse(exactDigitsOf(elementAt(xs, i)));
    acc = op == SUM ? acc.add(x) : acc.multiply(x);
  }
  let text = acc.toText();
  let s = changetype<StringBox>(text);
  return newIntegerText(text, parseFloat(String.UTF8.decodeUnsafe(s.ptr, s.len)));
}

/** max(xs): the greatest element of an array or set by Rego's order; undefined when empty. */
export function cs_bi_max(xs: usize): usize {
  clearBuiltinError();
  let kind = typeOf(xs);
  if (kind != TYPE_ARRAY && kind != TYPE_SET) return typeError("max", 1, xs, "one of {set, array}");
  let n = sizeOf(xs);
  if (n == 0) return 0;
  if (kind == TYPE_SET) return collectionKeyAt(xs, n - 1);
  let best = arrayAt(xs, 0);
  for (let i: u32 = 1; i < n; i++) {
    let x = arrayAt(xs, i);
    if (compare(best, x) <= 0) best = x;
  }
  return best;
}

/** min(xs): the least element of an array or set by Rego's order; undefined when empty. */
export function cs_bi_min(xs: usize): usize {
  clearBuiltinError();
  let kind = typeOf(xs);
  if (kind != TYPE_ARRAY && kind != TYPE_SET) return typeError("min", 1, xs, "one of {set, array}");
  let n = sizeOf(xs);
  if (n == 0) return 0;
  if (kind == TYPE_SET) return collectionKeyAt(xs, 0);
  let best = arrayAt(xs, 0);
  for (let i: u32 = 1; i < n; i++) {
    let x = arrayAt(xs, i);
    if (compare(best, x) >= 0) best = x;
  }
  return best;
}

/** sort(xs): the elements of an array or set as an array in Rego's order. */
export function cs_bi_sort(xs: usize): usize {
  clearBuiltinError();
  let kind = typeOf(xs);
  if (kind == TYPE_SET) {
    let n = collectionCount(xs);
    let out = newArray(n);
    for (let i: u32 = 0; i < n; i++) {
      store<u32>(changetype<ArrayBox>(out).elems + (<usize>i << 2), <u32>collectionKeyAt(xs, i));
    }
    changetype<ArrayBox>(out).len = n;
    return out;
  }
  if (kind != TYPE_ARRAY) return typeError("sort", 1, xs, "one of {set, array}");
  let box = changetype<ArrayBox>(xs);
  let out = newArrayFrom(box.elems, box.len);
  sortVector(changetype<ArrayBox>(out).elems, box.len);
  return out;
}

/** Sorts the u32 vector of `n` values at `v` by Rego's order (a stable merge sort). */
function sortVector(v: usize, n: u32): void {
  if (n < 2) return;
  if (n <= 16) {
    for (let i: usize = 1; i < <usize>n; i++) {
      let x = load<u32>(v + (i << 2));
      let j = i;
      while (j > 0 && compare(<usize>load<u32>(v + ((j - 1) << 2)), <usize>x) > 0) {
        store<u32>(v + (j << 2), load<u32>(v + ((j - 1) << 2)));
        j--;
      }
      store<u32>(v + (j << 2), x);
    }
    return;
  }
  let bytes = <usize>n << 2;
  let buffer = allocate(bytes);
  let src = v;
  let dst = buffer;
  for (let width: usize = 1; width < <usize>n; width <<= 1) {
    for (let lo: usize = 0; lo < <usize>n; lo += width << 1) {
      let mid = min(lo + width, <usize>n);
      let hi = min(lo + (width << 1), <usize>n);
      let i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        let a = load<u32>(src + (i << 2));
        let b = load<u32>(src + (j << 2));
        if (compare(<usize>a, <usize>b) <= 0) {
          store<u32>(dst + (k << 2), a);
          i++;
        } else {
          store<u32>(dst + (k << 2), b);
          j++;
        }
        k++;
      }
      while (i < mid) store<u32>(dst + (k++ << 2), load<u32>(src + (i++ << 2)));
      while (j < hi) store<u32>(dst + (k++ << 2), load<u32>(src + (j++ << 2)));
    }
    let t = src;
    src = dst;
    dst = t;
  }
  if (src != v) memory.copy(v, src, bytes);
}
