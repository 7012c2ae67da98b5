/**
 * The approval step of the decide use case: what a `require_approval` answer of the policy becomes.
 *
 * The policy is always evaluated first, grant or not, so a policy that now allows or denies outright wins
 * over any grant (a grant is neither consulted nor spent then). Only when the policy still requires
 * approval does the step act:
 * - a `grant` in the request is redeemed for exactly this actor, action and resource: a valid one is spent
 *   and the answer is `allow` ("approved by <approvers>"); any refusal (replayed, expired, another action,
 *   another key, store down) is a `deny` with the refusal's reason and `code` (fail closed);
 * - otherwise a pending request is opened (or the caller's existing one returned) and the answer stays
 *   `require_approval`, pointing to it; if it cannot be stored, the answer is a `deny` ("approval store
 *   unavailable").
 */

import type { ApprovalRequirements, EvaluatedDecision } from "../engine/decision-contract";
import type { Principal } from "../identity/principal";
import type { ApprovalGate, OpenedApproval } from "./approval-gate";
import type { DecideRequest } from "./decide-request";
import type { Decision } from "./decision-response";

/** The reason of the deny given when the approval store cannot take the request. */
export const APPROVAL_STORE_UNAVAILABLE_REASON = "approval store unavailable";

/** The code of that deny. */
export const APPROVAL_STORE_UNAVAILABLE = "COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE";

/** What the step works from. */
export interface RequireApprovalInput {
  readonly decisionId: string;
  /** The engine's answer; its outcome is require_approval and it carries `approval`. */
  readonly evaluated: EvaluatedDecision;
  readonly request: DecideRequest;
  readonly caller: Principal;
  /**
   * Records a require_approval answer once its request is stored and before the request is announced (see
   * ApprovalOpening.beforeAnnounce); when it rejects, the request is withdrawn and the step rejects too.
   */
  readonly beforeAnnounce?: (decision: Decision) => Promise<void>;
}

/** The approval path of the service, or its absence (every require_approval is then denied). */
export async function settleRequireApproval(gate: ApprovalGate | undefined, input: RequireApprovalInput): Promise<Decision> {
  const { evaluated, request } = input;
  const deny = (reason: string, code: string): Decision => ({
    decision_id: input.decisionId,
    outcome: "deny",
    reasons: [reason],
    code,
    mask: evaluated.mask,
    policy: evaluated.policy,
  });
  if (gate === undefined || evaluated.approval === undefined) return deny(APPROVAL_STORE_UNAVAILABLE_REASON, APPROVAL_STORE_UNAVAILABLE);

  if (request.grant !== undefined) {
    const redeemed = await gate.redeem(request.grant, request, { caller: input.caller.id, decisionId: input.decisionId });
    if (!redeemed.ok) return deny(redeemed.reason, redeemed.code);
    return {
      decision_id: input.decisionId,
      outcome: "allow",
      reasons: [`approved by ${redeemed.grant.approvers.join(", ")}`],
      grant: {
        approval_id: redeemed.grant.approvalId,
        jti: redeemed.grant.jti,
        approvers: redeemed.grant.approvers,
        ...(redeemed.grant.maxUses === 1
          ? {}
          : { use: redeemed.grant.use, uses_left: redeemed.grant.maxUses === null ? null : redeemed.grant.maxUses - redeemed.grant.use }),
      },
      mask: evaluated.mask,
      policy: evaluated.policy,
    };
  }

  const requirements = evaluated.approval;
  if (request.break_glass !== undefined) return breakGlass(gate, input, requirements, request.break_glass.justification, deny);
  const pending = (a: OpenedApproval): Decision => ({
    decision_id: input.decisionId,
    outcome: "require_approval",
    reasons: evaluated.reasons,
    approval: {
      id: a.id,
      status: a.status,
      status_url: `/v1/approvals/${encodeURIComponent(a.id)}`,
      created: a.created,
      created_at: new Date(a.createdAt).toISOString(),
      expires_at: new Date(a.expiresAt).toISOString(),
      ...requirements,
    },
    mask: evaluated.mask,
    policy: evaluated.policy,
  });
  const announce = input.beforeAnnounce;
  const opened = await gate.open({
    caller: input.caller,
    request,
    decisionId: input.decisionId,
    policy: evaluated.policy,
    reasons: evaluated.reasons,
    requirements,
    mask: evaluated.mask,
    ...(evaluated.summary === undefined ? {} : { summary: evaluated.summary }),
    ...(evaluated.risk === undefined ? {} : { risk: evaluated.risk }),
    ...(announce === undefined ? {} : { beforeAnnounce: (a: OpenedApproval) => announce(pending(a)) }),
  });
  if (!opened.ok) return deny(opened.reason, opened.code);
  return pending(opened.approval);
}

/** Code of the deny answered to a break-glass the policy does not allow. */
export const BREAK_GLASS_NOT_ALLOWED = "COUNTERSIGN_BREAK_GLASS_NOT_ALLOWED";

/**
 * Break-glass: where the policy allows it, the answer is allow (`break_glass` naming the post-hoc review);
 * the review is stored, and the decision recorded, before the answer (no review, no allow: fail closed).
 */
async function breakGlass(
  gate: ApprovalGate,
  input: RequireApprovalInput,
  requirements: ApprovalRequirements,
  justification: string,
  deny: (reason: string, code: string) => Decision,
): Promise<Decision> {
  const { evaluated } = input;
  if (requirements.break_glass_allowed !== true) {
    return deny("this action does not allow break-glass; ask without break_glass to open an approval request", BREAK_GLASS_NOT_ALLOWED);
  }
  const allowed = (a: OpenedApproval): Decision => ({
    decision_id: input.decisionId,
    outcome: "allow",
    reasons: [...evaluated.reasons, `break-glass: ${justification}`],
    break_glass: { review_id: a.id, status_url: `/v1/approvals/${encodeURIComponent(a.id)}` },
    mask: evaluated.mask,
    policy: evaluated.policy,
  });
  const announce = input.beforeAnnounce;
  const opened = await gate.open({
    caller: input.caller,
    request: input.request,
    decisionId: input.decisionId,
    policy: evaluated.policy,
    reasons: evaluated.reasons,
    requirements,
    mask: evaluated.mask,
    ...(evaluated.summary === undefined ? {} : { summary: evaluated.summary }),
    ...(evaluated.risk === undefined ? {} : { risk: evaluated.risk }),
    breakGlass: { justification },
    ...(announce === undefined ? {} : { beforeAnnounce: (a: OpenedApproval) => announce(allowed(a)) }),
  });
  if (!opened.ok) return deny(opened.reason, opened.code);
  return allowed(opened.approval);
}
