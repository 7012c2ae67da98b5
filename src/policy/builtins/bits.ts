/**
 * The bitwise builtins on integers of any size: `bits.and`, `bits.or`, `bits.xor`, `bits.negate`,
 * `bits.lsh` and `bits.rsh`, computed on BigInt and returned as exact JSON numbers.
 */

import { HostBuiltinError } from "../policy-error";
import { rawJson, typeError, type HostBuiltinFamily } from "./operands";

/** The operand as a BigInt, or OPA's errors for a non-number or a number with a fraction. */
function integerOperand(builtin: string, pos: number, v: unknown): bigint {
  if (typeof v !== "number") throw typeError(builtin, pos, v, "number");
  if (!Number.isInteger(v)) {
    throw new HostBuiltinError("eval_type_error", builtin, `operand ${pos} must be integer number but got floating-point number`);
  }
  return BigInt(v);
}

/** A shift count: a non-negative integer. */
function shiftOperand(builtin: string, pos: number, v: unknown): bigint {
  const n = integerOperand(builtin, pos, v);
  if (n < 0n) {
    throw new HostBuiltinError("eval_type_error", builtin, `operand ${pos} must be unsigned integer number but got negative integer`);
  }
  return n;
}

function binary(name: string, op: (a: bigint, b: bigint) => bigint): (a: unknown, b: unknown) => ArrayBuffer {
  return (a, b) => rawJson(op(integerOperand(name, 1, a), integerOperand(name, 2, b)).toString());
}

// Shifting further than this would only build a number no policy can use; OPA has no limit, but memory does.
const MAX_SHIFT = 1n << 16n;

export const BITS_BUILTINS: HostBuiltinFamily = {
  "bits.and": binary("bits.and", (a, b) => a & b),
  "bits.or": binary("bits.or", (a, b) => a | b),
  "bits.xor": binary("bits.xor", (a, b) => a ^ b),
  "bits.negate": (a) => rawJson((~integerOperand("bits.negate", 1, a)).toString()),
  "bits.lsh": (a, b) => {
    const x = integerOperand("bits.lsh", 1, a);
    const n = shiftOperand("bits.lsh", 2, b);
    if (n > MAX_SHIFT && x !== 0n) throw new HostBuiltinError("eval_builtin_error", "bits.lsh", "shift count too large");
    return rawJson((x << (x === 0n ? 0n : n)).toString());
  },
  "bits.rsh": (a, b) => {
    const x = integerOperand("bits.rsh", 1, a);
    const n = shiftOperand("bits.rsh", 2, b);
    if (n > MAX_SHIFT) return rawJson(x < 0n ? "-1" : "0");
    return rawJson((x >> n).toString());
  },
};
