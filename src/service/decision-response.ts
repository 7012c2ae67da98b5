/**
 * The answer to a decision request, and the event observers (logs, metrics) receive for each one.
 */

import type { ApprovalRequirements, EvaluatedDecision, Outcome, PolicyRef } from "../engine/decision-contract";
import type { Principal } from "../identity/principal";
import type { DecideRequest } from "./decide-request";
import type { PolicyInput } from "./policy-input";

/** The approval request a require_approval answer points to, with what the policy requires of it. */
export interface DecisionApproval extends ApprovalRequirements {
  /** The approval request's id. */
  readonly id: string;
  /** `pending` for a new request; a request found by idempotency key may be further along. */
  readonly status: string;
  /** Where the caller reads (and long-polls) it: `/v1/approvals/<id>`. */
  readonly status_url: string;
  /** False when the caller's existing request was returned (same idempotency key or same pending action). */
  readonly created: boolean;
  /** RFC 3339. */
  readonly created_at: string;
  /** RFC 3339: the request expires (counts as denied) unless decided by then. */
  readonly expires_at: string;
}

/** The grant a request was allowed with (spent by this decision). */
export interface DecisionGrant {
  readonly approval_id: string;
  readonly jti: string;
  readonly approvers: readonly string[];
  /** A scoped grant's use this was (from 1), and the uses left (null: any number until it expires). */
  readonly use?: number;
  readonly uses_left?: number | null;
}

/** The body of a 200 from `POST /v1/decide`. */
export interface Decision {
  readonly decision_id: string;
  readonly outcome: Outcome;
  readonly reasons: readonly string[];
  /** Present exactly when outcome is require_approval. */
  readonly approval?: DecisionApproval;
  /** Present when the outcome is allow because a grant was redeemed. */
  readonly grant?: DecisionGrant;
  /** Present when the outcome is allow by break-glass: the post-hoc review opened for it. */
  readonly break_glass?: { readonly review_id: string; readonly status_url: string };
  /**
   * A stable code when Countersign itself turned the policy's require_approval into a deny (a grant refused,
   * the approval store unavailable); absent for the policy's own answers.
   */
  readonly code?: string;
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
