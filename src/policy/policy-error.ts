/**
 * The policy-loading error catalogue: failures to load a compiled module, and errors raised while one
 * evaluates, parsed from the SDK's thrown strings into typed values.
 */

import { CodedError } from "../errors/coded-error";

/** OPA's evaluation error codes (`eval_conflict_error`, `eval_type_error`, `eval_builtin_error`, …). */
export type EvalErrorCode = `eval_${string}_error`;

/** Where in the Rego sources an evaluation error was raised. */
export interface EvalErrorLocation {
  readonly file: string;
  readonly line: number;
  readonly col?: number;
}

/**
 * An error raised while a policy evaluated: a Rego runtime error (conflict, type, builtin), a wasm trap, or
 * a host failure. `message` is the bare description; `text` is OPA's one-line form
 * `file:line: code: message`, which is what OPA prints and what conformance cases match against.
 */
export class PolicyEvalError extends Error {
  constructor(
    readonly code: EvalErrorCode,
    message: string,
    readonly location: EvalErrorLocation | null = null,
  ) {
    super(message);
    this.name = "PolicyEvalError";
  }

  /** `file:line: code: message`, or `code: message` without a location. */
  get text(): string {
    if (this.location === null) return `${this.code}: ${this.message}`;
    const col = this.location.col === undefined ? "" : `:${this.location.col}`;
    return `${this.location.file}:${this.location.line}${col}: ${this.code}: ${this.message}`;
  }

  override toString(): string {
    return this.text;
  }
}

/** Stable codes for failures around evaluation rather than in it. */
export type PolicyErrorCode =
  /** The bytes are not a loadable OPA-ABI wasm module (bad binary, wrong ABI, missing exports or imports). */
  | "COUNTERSIGN_POLICY_LOAD_FAILED"
  /** The module calls a builtin (a custom one, declared in a capabilities file) that nothing implements. */
  | "COUNTERSIGN_POLICY_BUILTIN_MISSING"
  /** The entrypoint is not one the module exports. */
  | "COUNTERSIGN_POLICY_UNKNOWN_ENTRYPOINT"
  /** Data or input cannot be handed to the module (not JSON-serialisable, or rejected by its JSON parser). */
  | "COUNTERSIGN_POLICY_BAD_DOCUMENT";

/** A failure to load a policy or to call it correctly. */
export class PolicyError extends CodedError<PolicyErrorCode> {}

/** An error a host builtin raises in strict mode; the policy wrapper turns it into a PolicyEvalError. */
export class HostBuiltinError extends Error {
  constructor(
    readonly code: "eval_type_error" | "eval_builtin_error",
    readonly builtin: string,
    detail: string,
  ) {
    super(`${builtin}: ${detail}`);
    this.name = "HostBuiltinError";
  }
}

const LOCATED = /^(\S(?:.*?\S)?):(\d+)(?::(\d+))?: (eval_[a-z0-9_]+_error): ([\s\S]*)$/;
const BARE = /^(eval_[a-z0-9_]+_error): ([\s\S]*)$/;

/**
 * Turns whatever the SDK or the module threw during evaluation into a PolicyEvalError: runtime aborts
 * (`test-0.rego:4: eval_conflict_error: …`), host builtin errors, "not implemented" builtins and wasm traps.
 * Anything unrecognised becomes eval_internal_error with its text.
 */
export function toPolicyEvalError(thrown: unknown): PolicyEvalError {
  if (thrown instanceof PolicyEvalError) return thrown;
  if (thrown instanceof HostBuiltinError) return new PolicyEvalError(thrown.code, thrown.message);
  if (typeof thrown === "string") return parseAbortMessage(repairSdkString(thrown));
  // Duck-typed: errors may come from another realm (the wasm engine's, or a test sandbox's).
  if (typeof thrown === "object" && thrown !== null && typeof (thrown as { message?: unknown }).message === "string") {
    const { name, message } = thrown as { name?: unknown; message: string };
    if (name === "RuntimeError") return new PolicyEvalError("eval_internal_error", `wasm trap: ${message}`);
    if (name === "RangeError") return new PolicyEvalError("eval_internal_error", `wasm host: ${message}`);
    if (message.startsWith("not implemented: built-in function")) {
      return new PolicyEvalError("eval_builtin_error", message);
    }
    return parseAbortMessage(message);
  }
  return new PolicyEvalError("eval_internal_error", String(thrown));
}

/** Parses `file:line[:col]: code: message` or `code: message`; other text is an eval_internal_error. */
export function parseAbortMessage(text: string): PolicyEvalError {
  const located = LOCATED.exec(text);
  if (located !== null) {
    const [, file, line, col, code, message] = located;
    return new PolicyEvalError(code as EvalErrorCode, message!, {
      file: file!,
      line: Number(line),
      ...(col === undefined ? {} : { col: Number(col) }),
    });
  }
  const bare = BARE.exec(text);
  if (bare !== null) return new PolicyEvalError(bare[1] as EvalErrorCode, bare[2]!);
  return new PolicyEvalError("eval_internal_error", text);
}

/**
 * The SDK decodes opa_abort messages byte by byte through a signed view, so each byte of a multi-byte
 * UTF-8 character arrives as a char code 0xFF80..0xFFFF. This recovers the original text.
 */
export function repairSdkString(s: string): string {
  let mangled = false;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      mangled = true;
      break;
    }
  }
  if (!mangled) return s;
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i) & 0xff;
  return new TextDecoder().decode(bytes);
}
