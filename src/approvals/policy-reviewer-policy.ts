/**
 * The optional `countersign/reviewer` entrypoint of the serving policy as a `ReviewerPolicy`: consulted
 * only after the built-in rules pass, it can refuse a reviewer, never admit one.
 *
 * Input: `{request, reviewer, now}` where `request` is the stored approval request (snake_case: `id`,
 * `status`, `request` {actor, action, resource, context}, `required`, `requesters`, `reasons`,
 * `decision_id`, `policy`, `action_digest`, `created_at`, `expires_at`, `verdicts`) and `reviewer` is
 * `{id, roles}`. Value: `true` or `{"eligible": true}` admits; `false` or `{"eligible": false, "reason":
 * "…"}` refuses. A policy without the entrypoint, or one that leaves it undefined for this input, adds no
 * restriction. An evaluation failure (error, timeout, no policy) or any other value refuses (fail closed).
 */

import type { EntrypointEvaluation } from "../engine/policy-engine";
import type { ApprovalRequest, Participant } from "./approval-request";
import type { ReviewerPolicy } from "./reviewer-eligibility";

/** The entrypoint consulted. */
export const REVIEWER_ENTRYPOINT = "countersign/reviewer";

/** What the adapter needs from the policy engine. */
export interface EntrypointEvaluator {
  evaluateEntrypoint(entrypoint: string, input: unknown, logFields?: Record<string, unknown>): EntrypointEvaluation;
}

/** `ReviewerPolicy` over the serving policy's `countersign/reviewer` entrypoint. */
export class PolicyReviewerPolicy implements ReviewerPolicy {
  constructor(
    private readonly engine: EntrypointEvaluator,
    private readonly clock: { nowNs(): bigint },
  ) {}

  async check(request: ApprovalRequest, reviewer: Participant): Promise<{ allowed: boolean; reason?: string }> {
    const input = {
      request: reviewerPolicyView(request),
      reviewer: { id: reviewer.id, roles: reviewer.roles },
      now: new Date(Number(this.clock.nowNs() / 1_000_000n)).toISOString(),
    };
    const result = this.engine.evaluateEntrypoint(REVIEWER_ENTRYPOINT, input, { approval_id: request.id, reviewer: reviewer.id });
    switch (result.kind) {
      case "absent":
      case "undefined":
        return { allowed: true };
      case "failure":
        return { allowed: false, reason: `the reviewer policy could not be evaluated: ${result.failure.message}` };
      case "value":
        return ruling(result.value);
    }
  }
}

function ruling(value: unknown): { allowed: boolean; reason?: string } {
  if (value === true) return { allowed: true };
  if (value === false) return { allowed: false };
  if (typeof value === "object" && value !== null && typeof (value as { eligible?: unknown }).eligible === "boolean") {
    const v = value as { eligible: boolean; reason?: unknown };
    if (v.eligible) return { allowed: true };
    return typeof v.reason === "string" && v.reason !== "" ? { allowed: false, reason: v.reason } : { allowed: false };
  }
  return { allowed: false, reason: "the reviewer policy returned an ill-formed value (expected a boolean or {eligible, reason})" };
}

/** The stored request as the reviewer policy sees it (unmasked: policies see what the decision policy saw). */
function reviewerPolicyView(a: ApprovalRequest): Record<string, unknown> {
  const iso = (ms: number): string => new Date(ms).toISOString();
  return {
    id: a.id,
    status: a.status,
    request: a.request,
    required: a.requirements,
    requesters: {
      caller_id: a.requesters.callerId,
      ...(a.requesters.callerOwner === undefined ? {} : { caller_owner: a.requesters.callerOwner }),
      actor_id: a.requesters.actorId,
      ...(a.requesters.onBehalfOf === undefined ? {} : { on_behalf_of: a.requesters.onBehalfOf }),
    },
    reasons: a.reasons,
    decision_id: a.decisionId,
    policy: a.policy,
    action_digest: a.actionDigest,
    created_at: iso(a.createdAt),
    expires_at: iso(a.expiresAt),
    verdicts: a.verdicts.map((v) => ({ reviewer_id: v.reviewerId, verdict: v.verdict, roles: v.roles, at: iso(v.at) })),
  };
}
