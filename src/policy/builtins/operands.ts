/**
 * Operand checks every host builtin shares: OPA's type names and its wording of operand type errors
 * (`operand 1 must be string but got number`), and raw JSON results that keep big integers exact.
 */

import { HostBuiltinError } from "../policy-error";

/** A host builtin as the SDK calls it: JSON operands in, a JSON-able result (or undefined) out. */
export type HostBuiltinFn = (...operands: unknown[]) => unknown;

/** What a family's builtin may ask of the evaluation calling it (its `this`). */
export interface HostBuiltinContext {
  /** The evaluation's instant in nanoseconds since the epoch: the value `time.now_ns` gives in it. */
  nowNs(): bigint;
}

/** A family's builtin: a HostBuiltinFn that may read its evaluation's context through `this`. */
export type HostBuiltinFamilyFn = (this: HostBuiltinContext, ...operands: unknown[]) => unknown;

/** A family of host builtins by name (one file under `src/policy/builtins/` each). */
export type HostBuiltinFamily = Readonly<Record<string, HostBuiltinFamilyFn>>;

/** A family whose builtins remember things for one evaluation: made per policy instance, reset as each evaluation begins. */
export interface EvaluationScopedFamily {
  readonly functions: HostBuiltinFamily;
  beginEvaluation(): void;
}

/** OPA's name for the type of a JSON operand. */
export function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v === "object" ? "object" : typeof v;
}

/** OPA's operand type error: `<builtin>: operand <pos> must be <expected> but got <type>`. */
export function typeError(builtin: string, pos: number, got: unknown, ...expected: string[]): HostBuiltinError {
  const want = expected.length === 1 ? expected[0]! : `one of {${expected.join(", ")}}`;
  return new HostBuiltinError("eval_type_error", builtin, `operand ${pos} must be ${want} but got ${typeName(got)}`);
}

/** The operand as a string, or OPA's type error. */
export function stringOperand(builtin: string, pos: number, v: unknown): string {
  if (typeof v !== "string") throw typeError(builtin, pos, v, "string");
  return v;
}

/** JSON text handed to the SDK as-is (it loads an ArrayBuffer without re-serialising), so big integers stay exact. */
export function rawJson(text: string): ArrayBuffer {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes.buffer;
}
