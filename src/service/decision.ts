/**
 * The answer to a decision request, and the event observers (logs, metrics) receive for each one.
 */

import type { ApprovalRequirements, EvaluatedDecision, Outcome, PolicyRef } from "../engine/decision";
import type { Principal } from "../identity/principal";
import type { DecideRequest } from "./decide-request";
import type { PolicyInput } from "./policy-input";

/** The body of a 200 from `POST /v1/decide`. */
export interface Decision {
  readonly decision_id: string;
  readonly outcome: Outcome;
  readonly reasons: readonly string[];
  /** Present exactly when outcome is require_approval. */
  readonly approval?: ApprovalRequirements;
  /** JSON pointers into the request whose values are sensitive. */
  readonly mask: readonly string[];
  /** The bundle that answered; null when no policy is loaded (the answer is then a fail-closed deny). */
  readonly policy: PolicyRef | null;
}

/** Everything known about one decision once it is made. */
export interface DecisionEvent {
  readonly decision: Decision;
  readonly request: DecideRequest;
  readonly caller: Principal;
  readonly input: PolicyInput;
  /** The engine's result, with the failure when the answer is a fail-closed deny. */
  readonly evaluated: EvaluatedDecision;
  /** The instant of the decision (the injected clock; `input.now`). */
  readonly at: Date;
}

/** Something told about every decision after it is made (logs, metrics). Must not throw; cannot change the answer. */
export interface DecisionObserver {
  decided(event: DecisionEvent): void;
}
