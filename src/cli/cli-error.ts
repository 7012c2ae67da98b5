/**
 * The CLI's error catalogue and how any failure is shown: one clear line (no stack trace) and exit code 1.
 */

import { BundleError } from "../bundle/bundle-error";
import { PolicyError, PolicyEvalError } from "../policy/policy-error";
import { CodedError } from "../errors/coded-error";

/** Stable codes for failures of CLI usage itself. */
export type CliErrorCode =
  /** Arguments that make no sense together, or a file of the wrong kind. */
  | "COUNTERSIGN_CLI_USAGE"
  /** An input or data file that cannot be read or parsed. */
  | "COUNTERSIGN_CLI_BAD_INPUT"
  /** Compilation failed; the diagnostics were already printed. */
  | "COUNTERSIGN_CLI_COMPILE_FAILED";

/** A user-facing CLI failure. */
export class CliError extends CodedError<CliErrorCode> {
  constructor(code: CliErrorCode, message: string) {
    super(code, message);
  }
}

/** The exit code for any failure. */
export const EXIT_FAILURE = 1;

/**
 * The text to print for an error. Known errors show their code and message; anything else is an internal
 * error, with its stack only when COUNTERSIGN_DEBUG is set.
 */
export function describeCliFailure(err: unknown): string {
  if (err instanceof PolicyEvalError) return `error: policy evaluation failed: ${err.text}`;
  if (err instanceof BundleError || err instanceof PolicyError || err instanceof CliError) {
    return `error: ${err.message} [${err.code}]`;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const debug = process.env["COUNTERSIGN_DEBUG"] !== undefined && process.env["COUNTERSIGN_DEBUG"] !== "";
  return (
    `internal error: ${e.message}` + (debug && e.stack !== undefined ? `\n${e.stack}` : " (set COUNTERSIGN_DEBUG=1 for a stack trace)")
  );
}
