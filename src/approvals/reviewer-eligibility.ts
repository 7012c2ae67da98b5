/**
 * Who may review a request: the rules no policy can relax, as pure functions.
 *
 * A reviewer counts only if they are none of the requesters (the actor, the human the actor acts for, the
 * caller principal, the caller principal's owner), are a person (a principal known to be a service or an
 * agent never reviews), hold at least one eligible role (the policy's, plus any an escalation added), have not voted yet, and the request is still
 * pending and unexpired. Requesters are stored as the configured identities their ids resolve to, and
 * compared by skeleton (`src/identity/identity-id.ts`), so neither `User:Alice` nor `user:al\u200bice` nor a
 * Cyrillic `а` in a request slips past the rule that keeps `user:alice` from approving her own action. An optional `ReviewerPolicy` (the `countersign/reviewer` entrypoint) can
 * only restrict further; the service consults it after these rules pass.
 */

import type { ReviewerRequirement } from "../engine/decision-contract";
import { couldBeSameIdentity } from "../identity/identity-id";
import type { ApprovalErrorCode } from "./approval-errors";
import type { ApprovalRequest, ApprovalRequestCore, Participant } from "./approval-request";

/** The reviewer may act; `roles` are their roles that made them eligible (sorted, de-duplicated). */
export interface Eligible {
  readonly eligible: true;
  readonly roles: readonly string[];
}

/** The reviewer may not act, with a stable code and a reason a person can read. */
export interface Refused {
  readonly eligible: false;
  readonly code: ApprovalErrorCode;
  readonly reason: string;
}

/** The outcome of an eligibility check. */
export type Eligibility = Eligible | Refused;

/** An extra, policy-defined restriction on reviewers; it can refuse, never admit. */
export interface ReviewerPolicy {
  /** Whether `reviewer` may review `request`; consulted only after the built-in rules pass. */
  check(request: ApprovalRequest, reviewer: Participant): Promise<{ allowed: boolean; reason?: string }>;
}

/**
 * True when two identity strings could name the same person: equal skeletons (case, accents, invisible
 * characters and look-alike letters aside; `src/identity/identity-id.ts`). It errs towards "the same", which
 * for every rule here (no self-approval, one vote each) is the side that fails closed.
 */
export function sameIdentity(a: string | undefined, b: string | undefined): boolean {
  return couldBeSameIdentity(a, b);
}

/** Every role that makes a reviewer eligible: `roles` plus the roles of every group. */
export function eligibleRoles(reviewers: ReviewerRequirement): readonly string[] {
  const all = new Set<string>(reviewers.roles ?? []);
  for (const group of reviewers.groups ?? []) for (const role of group.roles) all.add(role);
  return [...all].sort();
}

/**
 * Whether `reviewer` may ever review this request, ignoring its state: not a requester, and holding an
 * eligible role. Used for verdicts and for read access (reviewers who voted still see the request).
 */
export function reviewerStanding(request: ApprovalRequestCore & Pick<ApprovalRequest, "escalation">, reviewer: Participant): Eligibility {
  const r = request.requesters;
  const who = reviewer.id;
  if (sameIdentity(who, r.actorId)) return refuse("COUNTERSIGN_SELF_APPROVAL", `${who} is the actor of this request`);
  if (sameIdentity(who, r.onBehalfOf)) {
    return refuse("COUNTERSIGN_SELF_APPROVAL", `${who} is the person the actor acts for (on_behalf_of)`);
  }
  if (sameIdentity(who, r.callerId)) return refuse("COUNTERSIGN_SELF_APPROVAL", `${who} is the caller that asked for this action`);
  if (sameIdentity(who, r.callerOwner)) {
    return refuse("COUNTERSIGN_SELF_APPROVAL", `${who} owns the caller principal ${r.callerId}`);
  }
  if (reviewer.kind !== undefined && reviewer.kind !== "human") {
    return refuse("COUNTERSIGN_NOT_ELIGIBLE", `${who} is a ${reviewer.kind} identity; only people review requests`);
  }
  // An escalation adds roles; it never relaxes the rules above.
  const wanted = new Set([...eligibleRoles(request.requirements.reviewers), ...(request.escalation?.roles ?? [])]);
  const roles = [...new Set(reviewer.roles.filter((role) => wanted.has(role)))].sort();
  if (roles.length === 0) {
    return refuse("COUNTERSIGN_NOT_ELIGIBLE", `${who} has none of the roles this request needs (${[...wanted].join(", ") || "none"})`);
  }
  return { eligible: true, roles };
}

/**
 * Whether `reviewer` may give a verdict on `request` at `nowMs`: their standing, then that they have not
 * voted, then that the request is pending and unexpired.
 */
export function verdictEligibility(request: ApprovalRequest, reviewer: Participant, nowMs: number): Eligibility {
  const standing = reviewerStanding(request, reviewer);
  if (!standing.eligible) return standing;
  if (request.verdicts.some((v) => sameIdentity(v.reviewerId, reviewer.id))) {
    return refuse("COUNTERSIGN_ALREADY_VOTED", `${reviewer.id} has already given a verdict on this request`);
  }
  if (request.status !== "pending") return refuse("COUNTERSIGN_ALREADY_DECIDED", `the request is already ${request.status}`);
  if (nowMs >= request.expiresAt) return refuse("COUNTERSIGN_EXPIRED", "the request has expired");
  return standing;
}

function refuse(code: ApprovalErrorCode, reason: string): Refused {
  return { eligible: false, code, reason };
}
