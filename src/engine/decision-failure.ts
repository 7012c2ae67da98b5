/**
 * The fail-closed catalogue: every reason the engine answers `deny` instead of the policy's own decision,
 * by stable code, and the one function that builds such an answer.
 */

import type { DecisionFailure, EvaluatedDecision, PolicyRef } from "./decision-contract";

/** Stable codes of fail-closed decisions. */
export type DecisionFailureCode =
  /** No policy is loaded (none in the directory yet, every candidate refused, or the bundle was removed). */
  | "COUNTERSIGN_POLICY_MISSING"
  /** Evaluation raised an error: a Rego conflict, a strict builtin error, a wasm trap, unusable input. */
  | "COUNTERSIGN_POLICY_ERROR"
  /** `countersign/decision` was undefined for this input (no rule and no default applied). */
  | "COUNTERSIGN_POLICY_UNDEFINED"
  /** The policy's value does not follow the decision contract of decision.ts. */
  | "COUNTERSIGN_POLICY_ILL_FORMED"
  /** Evaluation took longer than the configured budget; its answer is not used. */
  | "COUNTERSIGN_POLICY_TIMEOUT";

/** A failure with a stable code. */
export interface TypedDecisionFailure extends DecisionFailure {
  readonly code: DecisionFailureCode;
}

const NO_MASK: readonly string[] = Object.freeze([]);

/** A `deny` whose only reason is the failure's message, with `failure` set. */
export function failClosed(code: DecisionFailureCode, message: string, policy: PolicyRef | null, evalNs: number): EvaluatedDecision {
  return { outcome: "deny", reasons: [message], mask: NO_MASK, policy, failure: { code, message }, evalNs };
}
