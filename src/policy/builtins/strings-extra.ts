/**
 * `strings.split_n(s, sep, n)`: the first n pieces of `s` split at `sep` (n ≥ 0), or the last |n| pieces
 * (n < 0), as OPA answers it. An empty separator splits between characters.
 */

import { HostBuiltinError } from "../policy-error";
import { stringOperand, typeError, type HostBuiltinFamily } from "./operands";

function splitAll(text: string, sep: string): string[] {
  return sep === "" ? [...text] : text.split(sep);
}

function splitN(s: unknown, sep: unknown, n: unknown): string[] {
  const text = stringOperand("strings.split_n", 1, s);
  const delimiter = stringOperand("strings.split_n", 2, sep);
  if (typeof n !== "number") throw typeError("strings.split_n", 3, n, "number");
  if (!Number.isInteger(n)) {
    throw new HostBuiltinError("eval_type_error", "strings.split_n", "operand 3 must be integer number but got floating-point number");
  }
  const parts = splitAll(text, delimiter);
  return n >= 0 ? parts.slice(0, n) : parts.slice(Math.max(parts.length + n, 0));
}

export const STRINGS_EXTRA_BUILTINS: HostBuiltinFamily = {
  "strings.split_n": splitN,
};
