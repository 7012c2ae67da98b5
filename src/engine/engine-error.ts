/**
 * The engine's error catalogue for refusing a policy: why a bundle or a Rego directory was not activated.
 *
 * Bundle reading failures keep the bundle layer's own codes (COUNTERSIGN_BUNDLE_CORRUPT, …); these are
 * the checks the engine adds on top.
 */

import { CodedError } from "../errors/coded-error";

/** Stable codes for refusals the engine itself decides. */
export type EngineErrorCode =
  /** The bundle does not serve `countersign/decision`. */
  | "COUNTERSIGN_BUNDLE_NO_DECISION"
  /** A wasm module of the bundle does not load in the SDK (bad binary, wrong ABI, rejected data). */
  | "COUNTERSIGN_BUNDLE_INCOMPATIBLE"
  /** Evaluating `countersign/decision` on the smoke-test input raised an error. */
  | "COUNTERSIGN_BUNDLE_SMOKE_FAILED"
  /** The Rego sources do not compile. */
  | "COUNTERSIGN_REGO_COMPILE_FAILED"
  /** The Rego directory has no policy files, or they cannot be read. */
  | "COUNTERSIGN_REGO_SOURCES";

/** A refusal with a stable code. */
export class EngineError extends CodedError<EngineErrorCode> {
  constructor(code: EngineErrorCode, message: string) {
    super(code, message);
  }
}

/** The stable code and message of any error met while loading a policy. */
export function refusalOf(err: unknown): { code: string; reason: string } {
  if (typeof err === "object" && err !== null) {
    const { code, message } = err as { code?: unknown; message?: unknown };
    if (typeof code === "string" && code.startsWith("COUNTERSIGN_") && typeof message === "string") {
      return { code, reason: message };
    }
    if (typeof message === "string") return { code: "COUNTERSIGN_BUNDLE_INCOMPATIBLE", reason: message };
  }
  return { code: "COUNTERSIGN_BUNDLE_INCOMPATIBLE", reason: String(err) };
}
