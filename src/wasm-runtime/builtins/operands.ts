// Operand checks and result helpers shared by the builtins, with OPA's operand error texts.
//
// OPA words every operand complaint as "<builtin>: operand <n> must be ..." and classes it as a type error
// (eval_type_error); any other failure is "<builtin>: <message>", a builtin error (eval_builtin_error).
// Helpers that extract an operand report failure through `operandFailed` after recording the error, so the
// caller can simply `return 0`.

import { ERROR_BUILTIN, ERROR_TYPE, builtinError, operandTypeError } from "../errors";
import { StringBox, TYPE_NUMBER, typeName, typeOf } from "../value";
import { EXACT_LIMIT, newIntegerText, newNumber, numberText, numberValue } from "../number";
import { ByteWriter } from "../byte-writer";
import { exactDigits } from "../bigint";
import { appendJSONFloat } from "./float-format";

/** Set by the operand helpers when they recorded an error instead of producing a value. */
export let operandFailed: bool = false;

/** Records "<name>: operand <n> must be <expected> but got <type>" (a type error); returns 0. */
// @ts-ignore: decorator
@inline export function typeError(name: string, n: i32, got: usize, expected: string): usize {
  return operandTypeError(name, n, got, expected);
}

/** Records "<name>: operand <n> <message>" (a type error); returns 0. */
export function operandError(name: string, n: i32, message: string): usize {
  return builtinError(ERROR_TYPE, name + ": operand " + n.toString() + " " + message);
}

/**
 * Records OPA's complaint about an element of a composite operand, e.g. "sum: operand 1 must be array of
 * numbers but got array containing string" (a type error); returns 0.
 */
export function elementError(name: string, n: i32, composite: usize, element: usize, expected: string): usize {
  let kind = typeName(composite);
  return operandError(name, n, "must be " + kind + " of " + expected + "s but got " + kind + " containing " + typeName(element));
}

/** Records "<name>: <message>" as a builtin error; returns 0. */
export function failure(name: string, message: string): usize {
  return builtinError(ERROR_BUILTIN, name + ": " + message);
}

/**
 * An integer operand as OPA's IntOperand reads it: a number without a fraction. Records a type error and
 * sets operandFailed otherwise. Big integers beyond the i64 range saturate.
 */
export function intOperand(name: string, n: i32, v: usize): i64 {
  operandFailed = false;
  if (typeOf(v) != TYPE_NUMBER) {
    operandTypeError(name, n, v, "number");
    operandFailed = true;
    return 0;
  }
  let f = numberValue(v);
  if (!numberText(v) && f != Math.trunc(f)) {
    operandError(name, n, "must be integer number but got floating-point number");
    operandFailed = true;
    return 0;
  }
  if (f >= 9.2e18) return i64.MAX_VALUE;
  if (f <= -9.2e18) return i64.MIN_VALUE;
  return <i64>f;
}

/** Result of the last successful exactInt64. */
export let exactValue: i64 = 0;

/** True (setting exactValue) when the number is an integer that an i64 holds exactly. */
export function exactInt64(v: usize): bool {
  let text = numberText(v);
  let f = numberValue(v);
  if (!text) {
    if (f != Math.trunc(f) || f - f != 0) return false;
    if (Math.abs(f) < EXACT_LIMIT) {
      exactValue = <i64>f;
      return true;
    }
    // An f64 integer beyond 2^53: exact, but it must fit an i64 (2^63 itself does not).
    if (f >= 9223372036854775808.0 || f < -9223372036854775808.0) return false;
    exactValue = <i64>f;
    return true;
  }
  // A big integer's canonical decimal text.
  let s = changetype<StringBox>(text);
  let p = s.ptr;
  let end = s.ptr + <usize>s.len;
  let negative = load<u8>(p) == 0x2d;
  if (negative) p++;
  if (end - p > 19) return false;
  let magnitude: u64 = 0;
  while (p < end) {
    let d = <u64>(load<u8>(p) - 0x30);
    if (magnitude > (<u64>0xffffffffffffffff - d) / 10) return false;
    magnitude = magnitude * 10 + d;
    p++;
  }
  if (negative) {
    if (magnitude > 0x8000000000000000) return false;
    exactValue = <i64>(0 - magnitude);
  } else {
    if (magnitude > 0x7fffffffffffffff) return false;
    exactValue = <i64>magnitude;
  }
  return true;
}

/** A number holding an i64 exactly (as a big integer when beyond 2^53). */
export function newInt64(i: i64): usize {
  let f = <f64>i;
  if (Math.abs(f) < EXACT_LIMIT) return newNumber(f);
  let w = new ByteWriter(21);
  w.integer(i);
  return newIntegerText(w.finishString(), f);
}

/** The UTF-8 bytes of a string value. */
// @ts-ignore: decorator
@inline export function strPtr(v: usize): usize {
  return changetype<StringBox>(v).ptr;
}

/** The byte length of a string value, as an i32. */
// @ts-ignore: decorator
@inline export function strLen(v: usize): i32 {
  return <i32>changetype<StringBox>(v).len;
}

/**
 * Appends a number as OPA writes one inside text it builds (json.marshal, sprintf's %v of composites): a
 * big integer's digits, an integer's exact digits, or the shortest round-trip float.
 */
export function appendNumberText(out: ByteWriter, v: usize): void {
  let text = numberText(v);
  let f = numberValue(v);
  if (!text && f == Math.trunc(f) && Math.abs(f) < 1e21) {
    if (Math.abs(f) < 9.2e18) {
      out.integer(<i64>f);
      return;
    }
    text = exactDigits(f);
  }
  if (text) {
    let s = changetype<StringBox>(text);
    out.bytes(s.ptr, <usize>s.len);
    return;
  }
  appendJSONFloat(out, f);
}
