// Number builtins: abs, round, ceil, floor, numbers.range, numbers.range_step and format_int.
//
// Integers pass through round, ceil and floor unchanged and big integers stay exact. For fractions,
// ceil and floor reproduce OPA's big.Float code exactly, including its answers between -1 and 0
// (ceil(-0.5) is 1 and floor(-0.5) is 0 in OPA, which truncates before adjusting by the sign of the
// truncated value).

import { clearBuiltinError } from "../errors";
import { ArrayBox, StringBox, TYPE_NUMBER, arrayPush, newArray, newStringRef, typeOf } from "../value";
import { EXACT_LIMIT, exactDigitsOf, newIntegerText, newNumber, numberText, numberValue } from "../number";
import { BigInteger, exactDigits } from "../bigint";
import { ByteWriter } from "../byte-writer";
import { failure, operandError, typeError } from "./operands";
import { appendUnsigned } from "./output";

/** abs(x) */
export function cs_bi_abs(x: usize): usize {
  clearBuiltinError();
  if (typeOf(x) != TYPE_NUMBER) return typeError("abs", 1, x, "number");
  let text = numberText(x);
  if (text) {
    let s = changetype<StringBox>(text);
    if (load<u8>(s.ptr) != 0x2d) return x;
    return newIntegerText(newStringRef(s.ptr + 1, s.len - 1), -numberValue(x));
  }
  let f = numberValue(x);
  if (f >= 0) return x;
  // An integral f64 beyond 2^53 keeps its exact digits, as OPA's big.Float result would print them.
  if (-f >= EXACT_LIMIT && f == Math.trunc(f)) return newIntegerText(exactDigits(-f), -f);
  return newNumber(-f);
}

/** round(x): to the nearest integer, halves away from zero. */
export function cs_bi_round(x: usize): usize {
  clearBuiltinError();
  if (typeOf(x) != TYPE_NUMBER) return typeError("round", 1, x, "number");
  if (numberText(x)) return x;
  let f = numberValue(x);
  let t = Math.trunc(f);
  if (t == f) return x;
  // f - t is exact, so the comparison with one half is too.
  let r = Math.abs(f - t) >= 0.5 ? t + Math.sign(f) : t;
  return newNumber(r);
}

/** ceil(x), as OPA computes it (see the file header). */
export function cs_bi_ceil(x: usize): usize {
  clearBuiltinError();
  if (typeOf(x) != TYPE_NUMBER) return typeError("ceil", 1, x, "number");
  if (numberText(x)) return x;
  let f = numberValue(x);
  let t = Math.trunc(f);
  if (t == f) return x;
  // OPA: truncate; keep a negative truncation, else add one (a truncated 0 counts as positive).
  return newNumber(t < 0 ? t : t + 1);
}

/** floor(x), as OPA computes it (see the file header). */
export function cs_bi_floor(x: usize): usize {
  clearBuiltinError();
  if (typeOf(x) != TYPE_NUMBER) return typeError("floor", 1, x, "number");
  if (numberText(x)) return x;
  let f = numberValue(x);
  let t = Math.trunc(f);
  if (t == f) return x;
  // OPA: truncate; keep a non-negative truncation, else subtract one.
  return newNumber(t >= 0 ? t + 0 : t - 1);
}

/** Checks an operand of numbers.range(_step): an integer number (OPA's BigIntOperand). */
function integerOperand(name: string, n: i32, v: usize): bool {
  if (typeOf(v) != TYPE_NUMBER) {
    typeError(name, n, v, "integer");
    return false;
  }
  let f = numberValue(v);
  if (!numberText(v) && f != Math.trunc(f)) {
    operandError(name, n, "must be integer number but got floating-point number");
    return false;
  }
  return true;
}

/** numbers.range(a, b): the integers from a to b inclusive, counting down when a > b. */
export function cs_bi_numbers__range(a: usize, b: usize): usize {
  clearBuiltinError();
  if (!integerOperand("numbers.range", 1, a) || !integerOperand("numbers.range", 2, b)) return 0;
  return range(a, b, 1);
}

/** numbers.range_step(a, b, step): every step-th integer from a towards b, b included when reached. */
export function cs_bi_numbers__range_step(a: usize, b: usize, step: usize): usize {
  clearBuiltinError();
  let name = "numbers.range_step";
  if (!integerOperand(name, 1, a) || !integerOperand(name, 2, b) || !integerOperand(name, 3, step)) return 0;
  if (numberValue(step) <= 0) return failure(name, "numbers.range_step: step must be a positive integer");
  return range(a, b, numberValue(step));
}

function range(a: usize, b: usize, step: f64): usize {
  let x = numberValue(a);
  let y = numberValue(b);
  if (!numberText(a) && !numberText(b) && Math.abs(x) < EXACT_LIMIT && Math.abs(y) < EXACT_LIMIT && step < EXACT_LIMIT) {
    let count = Math.floor(Math.abs(y - x) / step) + 1;
    let out = newArray(<u32>count);
    let box = changetype<ArrayBox>(out);
    let down = x > y;
    for (let i: u32 = 0; i < <u32>count; i++) {
      let v = down ? x - <f64>i * step : x + <f64>i * step;
      store<u32>(box.elems + (<usize>i << 2), <u32>newNumber(v));
    }
    box.len = <u32>count;
    return out;
  }
  // Beyond 2^53: exact integer steps (ranges this far out are short in practice).
  let i = BigInteger.parse(exactDigitsOf(a));
  let end = BigInteger.parse(exactDigitsOf(b));
  let delta = BigInteger.parse(exactDigitsOf(newNumber(step)));
  let down = x > y || (x == y && compareBig(i, end) > 0);
  if (down) delta = new BigInteger(!delta.negative, delta.limbs);
  let out = newArray(0);
  while (down ? compareBig(i, end) >= 0 : compareBig(i, end) <= 0) {
    arrayPush(out, bigNumber(i));
    i = i.add(delta);
  }
  return out;
}

function compareBig(a: BigInteger, b: BigInteger): i32 {
  let d = a.subtract(b);
  if (d.limbs.length == 0) return 0;
  return d.negative ? -1 : 1;
}

function bigNumber(n: BigInteger): usize {
  let text = n.toText();
  let s = changetype<StringBox>(text);
  return newIntegerText(text, parseFloat(String.UTF8.decodeUnsafe(s.ptr, s.len)));
}

/** format_int(x, base): x truncated to an integer, written in base 2, 8, 10 or 16. */
export function cs_bi_format_int(x: usize, base: usize): usize {
  clearBuiltinError();
  if (typeOf(x) != TYPE_NUMBER) return typeError("format_int", 1, x, "number");
  if (typeOf(base) != TYPE_NUMBER) return typeError("format_int", 2, base, "number");
  let b = numberValue(base);
  if (numberText(base) || (b != 2 && b != 8 && b != 10 && b != 16)) {
    return operandError("format_int", 2, "must be one of {2, 8, 10, 16}");
  }
  let radix = <u32>b;
  let w = new ByteWriter(24);
  let text = numberText(x);
  let f = Math.trunc(numberValue(x));
  if (!text && Math.abs(f) < 9.2e18) {
    let i = <i64>f;
    if (i < 0) w.byte(0x2d);
    appendUnsigned(w, i < 0 ? <u64>(-i) : <u64>i, radix);
    return w.finishString();
  }
  // A big integer: convert its decimal digits by repeated division.
  let digits = text ? text : exactDigitsOf(newNumber(f));
  let s = changetype<StringBox>(digits);
  let start: usize = 0;
  if (load<u8>(s.ptr) == 0x2d) {
    w.byte(0x2d);
    start = 1;
  }
  let n = <i32>(<usize>s.len - start);
  let work = new StaticArray<u8>(n);
  for (let k = 0; k < n; k++) work[k] = load<u8>(s.ptr + start + <usize>k) - 0x30;
  let out = new Array<u8>();
  let first = 0;
  while (first < n) {
    let remainder: u32 = 0;
    for (let k = first; k < n; k++) {
      let cur = remainder * 10 + <u32>work[k];
      work[k] = <u8>(cur / radix);
      remainder = cur % radix;
    }
    out.push(<u8>remainder);
    while (first < n && work[first] == 0) first++;
  }
  for (let k = out.length - 1; k >= 0; k--) {
    let d = <u32>out[k];
    w.byte(d < 10 ? 0x30 + d : 0x57 + d);
  }
  return w.finishString();
}
