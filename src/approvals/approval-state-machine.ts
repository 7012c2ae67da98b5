/**
 * The approval state machine as pure functions: which transitions are legal, and what the verdicts so far
 * add up to.
 *
 * Quorum rule. An approval needs `quorum` distinct approvers overall and, when the policy lists groups,
 * each group's own quorum. A person counts once toward the overall quorum, and toward every group whose
 * roles they held when they voted: someone with `dba` and `security` advances both a `dba` group and a
 * `security` group, but is still one approver overall. Because decision.ts makes the overall quorum at least
 * the sum of the group quorums, two groups of one each still need two different people. The effective
 * overall quorum is never below 1 nor below that sum, whatever the policy says. One deny by an eligible
 * reviewer denies the request at once.
 */

import type { ApprovalRequirements } from "../engine/decision-contract";
import { ApprovalError } from "./approval-errors";
import type { ApprovalStatus, Verdict } from "./approval-request";
import { identitySkeleton } from "../identity/identity-id";

/** For each state, the states it may move to. Final states go nowhere. */
export const TRANSITIONS: Readonly<Record<ApprovalStatus, readonly ApprovalStatus[]>> = {
  pending: ["approved", "denied", "expired", "cancelled"],
  approved: [],
  denied: [],
  expired: [],
  cancelled: [],
};

/** Whether `from → to` is a legal transition. */
export function canTransition(from: ApprovalStatus, to: ApprovalStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Progress of one reviewer group. */
export interface GroupProgress {
  readonly roles: readonly string[];
  readonly quorum: number;
  readonly count: number;
  readonly met: boolean;
}

/** What the verdicts so far add up to. */
export interface QuorumProgress {
  /** The status the verdicts imply: pending until quorum is met; denied on any deny. */
  readonly outcome: "pending" | "approved" | "denied";
  /** Distinct approvers, in voting order. */
  readonly approvers: readonly string[];
  /** The effective overall quorum. */
  readonly quorum: number;
  readonly groups: readonly GroupProgress[];
  /** The reviewer whose deny decided, when denied. */
  readonly deniedBy?: string;
}

/** The overall quorum actually enforced: at least 1 and at least the sum of the group quorums. */
export function effectiveQuorum(requirements: ApprovalRequirements): number {
  const groupSum = (requirements.reviewers.groups ?? []).reduce((sum, g) => sum + g.quorum, 0);
  return Math.max(1, requirements.quorum, groupSum);
}

/** Evaluates the verdicts against the requirements (verdicts are assumed eligible, as the store holds them). */
export function evaluateQuorum(requirements: ApprovalRequirements, verdicts: readonly Verdict[]): QuorumProgress {
  const quorum = effectiveQuorum(requirements);
  const denial = verdicts.find((v) => v.verdict === "deny");
  const seen = new Set<string>();
  const approvals: Verdict[] = [];
  for (const v of verdicts) {
    const who = identitySkeleton(v.reviewerId); // distinct people: look-alike ids count once
    if (v.verdict !== "approve" || seen.has(who)) continue;
    seen.add(who);
    approvals.push(v);
  }
  const groups = (requirements.reviewers.groups ?? []).map((g): GroupProgress => {
    const count = approvals.filter((v) => v.roles.some((role) => g.roles.includes(role))).length;
    return { roles: g.roles, quorum: g.quorum, count, met: count >= g.quorum };
  });
  const approved = approvals.length >= quorum && groups.every((g) => g.met);
  return {
    outcome: denial ? "denied" : approved ? "approved" : "pending",
    approvers: approvals.map((v) => v.reviewerId),
    quorum,
    groups,
    ...(denial ? { deniedBy: denial.reviewerId } : {}),
  };
}

/**
 * Refuses requirements no one could ever satisfy safely: a non-integer or negative quorum, no eligible
 * role at all, a group without roles or with a quorum below 1, a ttl or grant ttl that is not positive.
 */
export function assertUsableRequirements(requirements: ApprovalRequirements): void {
  const bad = (why: string): never => {
    throw new ApprovalError("COUNTERSIGN_APPROVAL_REQUIREMENTS_INVALID", `the policy's approval requirements are unusable: ${why}`);
  };
  if (!Number.isInteger(requirements.quorum) || requirements.quorum < 0) bad("quorum must be a non-negative integer");
  const roles = requirements.reviewers.roles ?? [];
  const groups = requirements.reviewers.groups ?? [];
  if (roles.length === 0 && groups.length === 0) bad("no reviewer roles or groups");
  for (const g of groups) {
    if (g.roles.length === 0) bad("a reviewer group has no roles");
    if (!Number.isInteger(g.quorum) || g.quorum < 1) bad("a reviewer group's quorum must be an integer of at least 1");
  }
  if (!(requirements.ttl_seconds > 0)) bad("ttl_seconds must be positive");
  if (!(requirements.grant_ttl_seconds > 0)) bad("grant_ttl_seconds must be positive");
}
