// The builtins behind Rego's operators (`in`, comparison, arithmetic, set algebra), which generated code
// calls constantly and which therefore live in the core rather than under builtins/.
//
// Each follows the builtin convention of runtime-contract.ts: operands in, a value out or 0, with errors
// recorded through errors.ts in OPA's words ("plus: operand 2 must be number but got set").

import {
  CollectionBox, FALSE, StringBox, TRUE, TYPE_ARRAY, TYPE_NUMBER, TYPE_OBJECT, TYPE_SET,
  arrayAt, arrayLength, typeOf,
} from "./value";
import {
  EXACT_LIMIT, exactDigitsOf, newIntegerText, newNumber, numberIsInteger, numberText, numberValue,
} from "./number";
import { BigInteger } from "./bigint";
import { parseDecimal } from "./float-parse";
import {
  collectionFind, copyCollection, newSet, objectGet, setAdd, setGet,
} from "./collection";
import { compare, equal } from "./compare";
import { ERROR_BUILTIN, builtinError, clearBuiltinError, operandTypeError } from "./errors";

// ---- membership -----------------------------------------------------------------------------------------------

/** `x in coll`: x is an element of an array or set, or a value of an object; false for anything else. */
export function cs_bi_internal__member_2(x: usize, coll: usize): usize {
  clearBuiltinError();
  switch (typeOf(coll)) {
    case TYPE_SET: return collectionFind(coll, x) >= 0 ? TRUE : FALSE;
    case TYPE_ARRAY: {
      for (let i: u32 = 0, n = arrayLength(coll); i < n; i++) {
        if (equal(arrayAt(coll, i), x)) return TRUE;
      }
      return FALSE;
    }
    case TYPE_OBJECT: {
      let box = changetype<CollectionBox>(coll);
      for (let i: usize = 0, n = <usize>box.count; i < n; i++) {
        if (equal(<usize>load<u32>(box.vals + (i << 2)), x)) return TRUE;
      }
      return FALSE;
    }
  }
  return FALSE;
}

/** `k, v in coll`: coll[k] exists and equals v (for a set, k is the element and must equal v). */
export function cs_bi_internal__member_3(k: usize, v: usize, coll: usize): usize {
  clearBuiltinError();
  let found: usize = 0;
  switch (typeOf(coll)) {
    case TYPE_OBJECT: {
      found = objectGet(coll, k);
      break;
    }
    case TYPE_SET: {
      found = setGet(coll, k);
      break;
    }
    case TYPE_ARRAY: {
      if (typeOf(k) == TYPE_NUMBER && !numberText(k)) {
        let f = numberValue(k);
        let i = <u32>f;
        if (<f64>i == f && i < arrayLength(coll)) found = arrayAt(coll, i);
      }
      break;
    }
  }
  return found && equal(found, v) ? TRUE : FALSE;
}

// ---- comparison -----------------------------------------------------------------------------------------------

/** `a == b`. */
export function cs_bi_equal(a: usize, b: usize): usize {
  clearBuiltinError();
  return equal(a, b) ? TRUE : FALSE;
}

/** `a != b`. */
export function cs_bi_neq(a: usize, b: usize): usize {
  clearBuiltinError();
  return equal(a, b) ? FALSE : TRUE;
}

/** `a < b` by Rego's total order. */
export function cs_bi_lt(a: usize, b: usize): usize {
  clearBuiltinError();
  return compare(a, b) < 0 ? TRUE : FALSE;
}

/** `a <= b` by Rego's total order. */
export function cs_bi_lte(a: usize, b: usize): usize {
  clearBuiltinError();
  return compare(a, b) <= 0 ? TRUE : FALSE;
}

/** `a > b` by Rego's total order. */
export function cs_bi_gt(a: usize, b: usize): usize {
  clearBuiltinError();
  return compare(a, b) > 0 ? TRUE : FALSE;
}

/** `a >= b` by Rego's total order. */
export function cs_bi_gte(a: usize, b: usize): usize {
  clearBuiltinError();
  return compare(a, b) >= 0 ? TRUE : FALSE;
}

// ---- arithmetic -----------------------------------------------------------------------------------------------

const ADD: i32 = 0;
const SUBTRACT: i32 = 1;
const MULTIPLY: i32 = 2;

/** `a + b` on numbers. */
export function cs_bi_plus(a: usize, b: usize): usize {
  clearBuiltinError();
  if (typeOf(a) != TYPE_NUMBER) return operandTypeError("plus", 1, a, "number");
  if (typeOf(b) != TYPE_NUMBER) return operandTypeError("plus", 2, b, "number");
  return arithmetic(ADD, a, b);
}

/** `a - b`: numbers, or the difference of two sets. */
export function cs_bi_minus(a: usize, b: usize): usize {
  clearBuiltinError();
  let aType = typeOf(a);
  let bType = typeOf(b);
  if (aType == TYPE_NUMBER && bType == TYPE_NUMBER) return arithmetic(SUBTRACT, a, b);
  if (aType == TYPE_SET && bType == TYPE_SET) return setDifference(a, b);
  if (aType != TYPE_NUMBER && aType != TYPE_SET) return operandTypeError("minus", 1, a, "one of {number, set}");
  return operandTypeError("minus", 2, b, aType == TYPE_SET ? "set" : "number");
}

/** `a * b` on numbers. */
export function cs_bi_mul(a: usize, b: usize): usize {
  clearBuiltinError();
  if (typeOf(a) != TYPE_NUMBER) return operandTypeError("mul", 1, a, "number");
  if (typeOf(b) != TYPE_NUMBER) return operandTypeError("mul", 2, b, "number");
  return arithmetic(MULTIPLY, a, b);
}

/** `a / b` on numbers; dividing by zero is a builtin error. */
export function cs_bi_div(a: usize, b: usize): usize {
  clearBuiltinError();
  if (typeOf(a) != TYPE_NUMBER) return operandTypeError("div", 1, a, "number");
  if (typeOf(b) != TYPE_NUMBER) return operandTypeError("div", 2, b, "number");
  let divisor = numberValue(b);
  if (divisor == 0) return builtinError(ERROR_BUILTIN, "div: divide by zero");
  return newNumber(numberValue(a) / divisor);
}

/** `a % b` on integers (the result takes the dividend's sign); floats and a zero divisor are builtin errors. */
export function cs_bi_rem(a: usize, b: usize): usize {
  clearBuiltinError();
  if (typeOf(a) != TYPE_NUMBER) return operandTypeError("rem", 1, a, "number");
  if (typeOf(b) != TYPE_NUMBER) return operandTypeError("rem", 2, b, "number");
  if (!numberIsInteger(a) || !numberIsInteger(b)) {
    return builtinError(ERROR_BUILTIN, "rem: modulo on floating-point number");
  }
  let divisor = numberValue(b);
  if (divisor == 0) return builtinError(ERROR_BUILTIN, "rem: modulo by zero");
  if (numberText(a) || numberText(b)) {
    let remainder = BigInteger.parse(exactDigitsOf(a)).remainder(BigInteger.parse(exactDigitsOf(b)));
    return integerResult(remainder);
  }
  // f64 % is exact (fmod), and both operands are integers
  return newNumber(numberValue(a) % divisor);
}

/**
 * a + b, a - b or a * b on numbers. The f64 result stands unless both operands are integers and the result
 * may have lost integer precision (it left 2^53, or an operand is a big integer): then it is recomputed
 * exactly.
 */
function arithmetic(op: i32, a: usize, b: usize): usize {
  let x = numberValue(a);
  let y = numberValue(b);
  let r = op == ADD ? x + y : op == SUBTRACT ? x - y : x * y;
  if (!(numberText(a) | numberText(b)) && Math.abs(r) < EXACT_LIMIT) return newNumber(r);
  if (!numberIsInteger(a) || !numberIsInteger(b)) return newNumber(r);
  let p = BigInteger.parse(exactDigitsOf(a));
  let q = BigInteger.parse(exactDigitsOf(b));
  return integerResult(op == ADD ? p.add(q) : op == SUBTRACT ? p.subtract(q) : p.multiply(q));
}

function integerResult(n: BigInteger): usize {
  let text = n.toText();
  let s = changetype<StringBox>(text);
  return newIntegerText(text, parseDecimal(s.ptr, s.len));
}

// ---- set algebra ----------------------------------------------------------------------------------------------

/** `a & b`: the intersection of two sets. */
export function cs_bi_and(a: usize, b: usize): usize {
  clearBuiltinError();
  if (typeOf(a) != TYPE_SET) return operandTypeError("and", 1, a, "set");
  if (typeOf(b) != TYPE_SET) return operandTypeError("and", 2, b, "set");
  let small = changetype<CollectionBox>(a).count <= changetype<CollectionBox>(b).count ? a : b;
  let large = small == a ? b : a;
  let box = changetype<CollectionBox>(small);
  let result = newSet();
  for (let i: usize = 0, n = <usize>box.count; i < n; i++) {
    let e = <usize>load<u32>(box.keys + (i << 2));
    if (collectionFind(large, e) >= 0) setAdd(result, e);
  }
  return result;
}

/** `a | b`: the union of two sets. */
export function cs_bi_or(a: usize, b: usize): usize {
  clearBuiltinError();
  if (typeOf(a) != TYPE_SET) return operandTypeError("or", 1, a, "set");
  if (typeOf(b) != TYPE_SET) return operandTypeError("or", 2, b, "set");
  let box = changetype<CollectionBox>(b);
  let result = copyCollection(a, box.count);
  for (let i: usize = 0, n = <usize>box.count; i < n; i++) setAdd(result, <usize>load<u32>(box.keys + (i << 2)));
  return result;
}

function setDifference(a: usize, b: usize): usize {
  let box = changetype<CollectionBox>(a);
  let result = newSet();
  for (let i: usize = 0, n = <usize>box.count; i < n; i++) {
    let e = <usize>load<u32>(box.keys + (i << 2));
    if (collectionFind(b, e) < 0) setAdd(result, e);
  }
  return result;
}
