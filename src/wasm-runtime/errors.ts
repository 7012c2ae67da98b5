// Evaluation errors: the builtin error state that builtins set and generated code reads, and aborts.
//
// A builtin that fails returns 0 (like an undefined result) after recording why with builtinError; the
// generated code, seeing 0, asks cs_builtin_failed whether it was an error and, in strict mode, reports it
// with cs_raise_builtin_error. Every builtin clears the state on entry (clearBuiltinError), so a stale error
// from an earlier call that the policy ignored is never mistaken for the current one.

import { ByteWriter } from "./byte-writer";
import { opa_abort } from "./host";
import { typeName } from "./value";

/** No error recorded. */
export const ERROR_NONE: i32 = 0;
/** OPA's eval_type_error: an operand of the wrong type. */
export const ERROR_TYPE: i32 = 1;
/** OPA's eval_builtin_error: a builtin failed on operands of the right types. */
export const ERROR_BUILTIN: i32 = 2;
/** OPA's eval_conflict_error: a builtin found several values where one was due (template strings). */
export const ERROR_CONFLICT: i32 = 3;

let errorCode: i32 = ERROR_NONE;
let errorMessage: string = "";

/** Clears the error state; the first thing every builtin does. */
// @ts-ignore: decorator
@inline export function clearBuiltinError(): void {
  errorCode = ERROR_NONE;
}

/** Records a builtin error (ERROR_TYPE or ERROR_BUILTIN) and returns 0, the value a failing builtin returns. */
export function builtinError(code: i32, message: string): usize {
  errorCode = code;
  errorMessage = message;
  return 0;
}

/** Records `<builtin>: operand <n> must be <expected> but got <type of got>` as a type error; returns 0. */
export function operandTypeError(builtin: string, n: i32, got: usize, expected: string): usize {
  return builtinError(
    ERROR_TYPE,
    builtin + ": operand " + n.toString() + " must be " + expected + " but got " + typeName(got),
  );
}

/** True when the last builtin failed with an error rather than being undefined. */
// @ts-ignore: decorator
@inline export function builtinFailed(): bool {
  return errorCode != ERROR_NONE;
}

/** OPA's code for the recorded error. */
export function builtinErrorCode(): string {
  if (errorCode == ERROR_TYPE) return "eval_type_error";
  if (errorCode == ERROR_BUILTIN) return "eval_builtin_error";
  return errorCode == ERROR_CONFLICT ? "eval_conflict_error" : "eval_internal_error";
}

/** The recorded error's message. */
export function builtinErrorMessage(): string {
  return errorCode == ERROR_NONE ? "builtin failed without an error" : errorMessage;
}

/** Aborts with the UTF-8 message at (ptr, len); does not return. */
export function raise(ptr: usize, len: usize): void {
  let w = new ByteWriter(len + 1);
  w.bytes(ptr, len);
  opa_abort(w.finishCString());
  unreachable();
}

/** Aborts with `<location>: <code>: <message>` for the recorded builtin error; does not return. */
export function raiseBuiltinError(locationPtr: usize, locationLen: usize): void {
  let w = new ByteWriter(locationLen + 64);
  w.bytes(locationPtr, locationLen);
  w.text(": " + builtinErrorCode() + ": " + builtinErrorMessage());
  opa_abort(w.finishCString());
  unreachable();
}
