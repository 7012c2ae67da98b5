/**
 * The decide use case: from a validated request and an authenticated caller to a decision.
 *
 * Steps, in order: stamp the decision (id, time) → build the policy input → evaluate, failing closed →
 * the approval step (`approval-step.ts`: a require_approval answer opens a pending request, or a grant
 * presented with it is redeemed into an allow) → shape the answer → record it in the audit trail → tell
 * the observers → answer. Each collaborator arrives as a consumer-owned interface in DecideDependencies.
 *
 * Every answer, whatever its outcome, is recorded before it is given (`await audit.record(...)`); when it
 * cannot be, the answer is `deny` "audit unavailable" (code COUNTERSIGN_AUDIT_UNAVAILABLE): never an allow,
 * nor a pending request, without its record. Order of a require_approval that opens a new request: the
 * request is stored, then the decision is recorded (it names the request's id), then the request is
 * announced (its `approval.created` event, its Teams card) and answered. If the record fails, the request
 * is withdrawn before anyone heard of it, so no pending request outlives the deny. A grant presented with
 * a request is spent before the allow is recorded (the trail then holds `grant.redeemed` before the
 * decision); if that record fails the grant stays spent and the answer is the audit deny.
 */

import type { EvaluatedDecision } from "../engine/decision-contract";
import type { Principal } from "../identity/principal";
import type { Clock } from "../policy/clock";
import type { ApprovalGate } from "./approval-gate";
import { settleRequireApproval } from "./approval-step";
import type { DecideRequest } from "./decide-request";
import type { Decision, DecisionEvent, DecisionObserver } from "./decision-response";
import type { IdGenerator } from "./decision-id";
import type { DecisionPolicy } from "./decision-policy";
import { buildPolicyInput, type PolicyInput } from "./policy-input";

/**
 * What the use case needs from the audit trail (it owns this interface; `src/audit/decision-audit.ts`
 * implements it over the trail).
 */
export interface DecisionAuditSink {
  /** Resolves once the decision is durably recorded; rejects when it cannot be. */
  record(event: DecisionEvent): Promise<unknown>;
}

/** The reason of the deny given when a decision cannot be recorded. */
export const AUDIT_UNAVAILABLE_REASON = "audit unavailable";

/** The code of that deny (also its failure code for metrics and logs). */
export const AUDIT_UNAVAILABLE = "COUNTERSIGN_AUDIT_UNAVAILABLE";

/** What the use case needs. */
export interface DecideDependencies {
  readonly policy: DecisionPolicy;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Where every answer is recorded before it is given; a rejection turns the answer into a deny. */
  readonly audit: DecisionAuditSink;
  readonly observers?: readonly DecisionObserver[];
  /** The approval workflow; without it every require_approval is answered deny ("approval store unavailable"). */
  readonly approvals?: ApprovalGate;
}

/**
 * Decides one request for one caller. Never rejects over the policy: a policy failure is a deny. Rejects
 * with the approval workflow's typed error when a request that needs approval is itself at fault (no
 * `context.reason` where required, a refused `callback_url`, an idempotency key reused for another action).
 */
export type DecideUseCase = (request: DecideRequest, caller: Principal) => Promise<Decision>;

/** Failure code when the policy adapter breaks its promise never to throw (the engine's own code for an evaluation error). */
export const POLICY_THREW = "COUNTERSIGN_POLICY_ERROR";

/** Creates the use case. */
export function createDecideUseCase(deps: DecideDependencies): DecideUseCase {
  const observers = deps.observers ?? [];
  return async (request, caller) => {
    const at = new Date(Number(deps.clock.nowNs() / 1_000_000n));
    const decisionId = deps.ids.next();
    const input = buildPolicyInput(request, caller, at);
    const evaluated = await evaluateClosed(deps.policy, input, decisionId);
    const event = (decision: Decision): DecisionEvent => ({ decision, request, caller, input, evaluated, at });

    // The record of a require_approval that opens a request is taken inside the approval step, between
    // storing the request and announcing it; every other answer is recorded here.
    let recorded: Decision | undefined;
    let auditFailure: { readonly error: unknown } | undefined;
    const record = async (decision: Decision): Promise<void> => {
      try {
        await deps.audit.record(event(decision));
        recorded = decision;
      } catch (error) {
        auditFailure = { error };
        throw error;
      }
    };

    let decision: Decision;
    try {
      decision =
        evaluated.outcome === "require_approval"
          ? await settleRequireApproval(deps.approvals, { decisionId, evaluated, request, caller, beforeAnnounce: record })
          : {
              decision_id: decisionId,
              outcome: evaluated.outcome,
              reasons: evaluated.reasons,
              mask: evaluated.mask,
              policy: evaluated.policy,
            };
      // The approval step recorded the very answer it returns (the same request, built from the same values).
      if (recorded === undefined) await record(decision);
    } catch (err) {
      if (auditFailure === undefined) throw err;
      return answered(observers, auditDenied(event, decisionId, evaluated, auditFailure.error));
    }
    return answered(observers, event(decision));
  };
}

/** Tells the observers and returns the answer. */
function answered(observers: readonly DecisionObserver[], event: DecisionEvent): Decision {
  for (const o of observers) o.decided(event);
  return event.decision;
}

/** The deny answered when the decision could not be recorded, with the failure the observers log and count. */
function auditDenied(
  event: (d: Decision) => DecisionEvent,
  decisionId: string,
  evaluated: EvaluatedDecision,
  error: unknown,
): DecisionEvent {
  const message = error instanceof Error ? error.message : String(error);
  const decision: Decision = {
    decision_id: decisionId,
    outcome: "deny",
    reasons: [AUDIT_UNAVAILABLE_REASON],
    code: AUDIT_UNAVAILABLE,
    mask: evaluated.mask,
    policy: evaluated.policy,
  };
  const e = event(decision);
  return {
    ...e,
    evaluated: { ...evaluated, outcome: "deny", reasons: [AUDIT_UNAVAILABLE_REASON], failure: { code: AUDIT_UNAVAILABLE, message } },
  };
}

/** Evaluates, and makes sure a failure can only ever be a deny (even from an adapter that throws). */
async function evaluateClosed(policy: DecisionPolicy, input: PolicyInput, decisionId: string): Promise<EvaluatedDecision> {
  let evaluated: EvaluatedDecision;
  try {
    evaluated = await policy.decide(input, decisionId);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      outcome: "deny",
      reasons: ["the policy could not be evaluated"],
      mask: [],
      policy: null,
      failure: { code: POLICY_THREW, message },
      evalNs: 0,
    };
  }
  if (evaluated.failure !== undefined && evaluated.outcome !== "deny") {
    return {
      outcome: "deny",
      reasons: evaluated.reasons,
      mask: evaluated.mask,
      policy: evaluated.policy,
      failure: evaluated.failure,
      evalNs: evaluated.evalNs,
    };
  }
  return evaluated;
}
