/**
 * Scoped approvals as pure rules: what a scope allows (uses and lifetime), whether the scope a reviewer asks
 * for is within the policy's `approval.max_scope`, and the scope a request's grant gets — the narrowest any
 * approver agreed to, so no approver's grant is wider than what they chose.
 *
 * A scope never widens what a grant is bound to: the same action digest (actor, action, parameters,
 * resource), whatever its uses or window.
 */

import type { ApprovalRequirements, ApprovalScope } from "../engine/decision-contract";
import type { Verdict } from "./approval-request";

/** What a grant allows: `uses` (null: any number within its lifetime) and how long it lives. */
export interface GrantLimits {
  readonly uses: number | null;
  readonly lifetimeSeconds: number;
}

/**
 * The limits of a scope: `{}` ("once") is one use within the grant ttl; `{count: N}` is N uses within the
 * grant ttl; `{window_seconds: S}` any number of uses within S; both: N uses within S.
 */
export function scopeLimits(scope: ApprovalScope | undefined, grantTtlSeconds: number): GrantLimits {
  const s = scope ?? {};
  return {
    uses: s.count ?? (s.window_seconds !== undefined ? null : 1),
    lifetimeSeconds: s.window_seconds ?? grantTtlSeconds,
  };
}

/** True when `requested` allows no more uses and no longer a lifetime than `max` (both in the policy's terms). */
export function scopeWithin(requested: ApprovalScope, max: ApprovalScope | undefined, grantTtlSeconds: number): boolean {
  const r = scopeLimits(requested, grantTtlSeconds);
  const m = scopeLimits(max, grantTtlSeconds);
  const usesOk = m.uses === null || (r.uses !== null && r.uses <= m.uses);
  return usesOk && r.lifetimeSeconds <= m.lifetimeSeconds;
}

/** The grant's limits for an approved request: the narrowest scope among its approvers (a verdict without one is once). */
export function grantLimits(requirements: ApprovalRequirements, verdicts: readonly Verdict[]): GrantLimits {
  const ttl = requirements.grant_ttl_seconds;
  const approvals = verdicts.filter((v) => v.verdict === "approve");
  let uses: number | null = null;
  let lifetime = Number.POSITIVE_INFINITY;
  for (const v of approvals.length > 0 ? approvals : [undefined]) {
    const l = scopeLimits(v?.scope, ttl);
    if (l.uses !== null) uses = uses === null ? l.uses : Math.min(uses, l.uses);
    lifetime = Math.min(lifetime, l.lifetimeSeconds);
  }
  // Only window scopes leave uses open; any approver's count (or once) bounds them.
  return { uses, lifetimeSeconds: lifetime };
}

/** The scope as people read it: "once", "3 uses", "any number of uses for 1 h", "3 uses within 10 min". */
export function describeScope(scope: ApprovalScope | undefined): string {
  const s = scope ?? {};
  const window =
    s.window_seconds === undefined
      ? undefined
      : s.window_seconds % 3600 === 0
        ? `${s.window_seconds / 3600} h`
        : s.window_seconds % 60 === 0
          ? `${s.window_seconds / 60} min`
          : `${s.window_seconds} s`;
  if (s.count === undefined && window === undefined) return "once";
  if (window === undefined) return `${s.count} uses`;
  if (s.count === undefined) return `any number of uses for ${window}`;
  return `${s.count} uses within ${window}`;
}
