/**
 * The decide use case: from a validated request and an authenticated caller to a decision.
 *
 * Steps, in order: stamp the decision (id, time) → build the policy input → evaluate, failing closed →
 * the approval step (`approval-step.ts`: a require_approval answer opens a pending request, or a grant
 * presented with it is redeemed into an allow) → shape the answer → tell the observers. One later step
 * belongs between "evaluate" and "answer": the audit trail appends the decision durably before it is
 * answered, turning an append failure into a deny. Each arrives as a consumer-owned interface in
 * DecideDependencies.
 */

import type { EvaluatedDecision } from "../engine/decision";
import type { Principal } from "../identity/principal";
import type { Clock } from "../policy/clock";
import type { ApprovalGate } from "./approval-gate";
import { settleRequireApproval } from "./approval-step";
import type { DecideRequest } from "./decide-request";
import type { Decision, DecisionObserver } from "./decision";
import type { IdGenerator } from "./decision-id";
import type { DecisionPolicy } from "./decision-policy";
import { buildPolicyInput, type PolicyInput } from "./policy-input";

/** What the use case needs. */
export interface DecideDependencies {
  readonly policy: DecisionPolicy;
  readonly clock: Clock;
  readonly ids: IdGenerator;
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
    const decision: Decision =
      evaluated.outcome === "require_approval"
        ? await settleRequireApproval(deps.approvals, { decisionId, evaluated, request, caller })
        : { decision_id: decisionId, outcome: evaluated.outcome, reasons: evaluated.reasons, mask: evaluated.mask, policy: evaluated.policy };
    for (const o of observers) o.decided({ decision, request, caller, input, evaluated, at });
    return decision;
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
    return { outcome: "deny", reasons: evaluated.reasons, mask: evaluated.mask, policy: evaluated.policy, failure: evaluated.failure, evalNs: evaluated.evalNs };
  }
  return evaluated;
}
