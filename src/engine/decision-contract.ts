/**
 * The decision contract: what a policy's `countersign/decision` value must look like, and what the engine
 * hands to the service after evaluating it.
 *
 * A policy returns `{outcome, reasons, approval?, mask?, rule?, summary?, risk?}`. The engine validates that shape; anything
 * else (an error, an undefined result, a malformed value, a missing policy, a timeout) becomes a `deny` with
 * a reason and a `failure` describing what went wrong. The engine never answers `allow` by mistake.
 */

/** The three answers a policy can give. */
export type Outcome = "allow" | "deny" | "require_approval";

/** A group of reviewer roles that must contribute `quorum` distinct approvers. */
export interface ReviewerGroup {
  readonly roles: readonly string[];
  readonly quorum: number;
}

/**
 * Who may approve and how many: either `roles` (any of them; `quorum` distinct approvers in total), or
 * `groups` (each group's quorum must be met; `quorum` is then at least the sum of the groups' quorums).
 */
export interface ReviewerRequirement {
  readonly roles?: readonly string[];
  readonly groups?: readonly ReviewerGroup[];
}

/** What a `require_approval` decision asks for. */
export interface ApprovalRequirements {
  readonly quorum: number;
  readonly reviewers: ReviewerRequirement;
  /** How long the pending request lives. */
  readonly ttl_seconds: number;
  /** How long a grant issued on approval lives (default 300). */
  readonly grant_ttl_seconds: number;
  /** Named notification channel (Teams routing), when the policy picks one. */
  readonly channel?: string;
  /** When true, a request without `context.reason` is refused. */
  readonly reason_required: boolean;
  /** When true, every verdict must carry a comment (COUNTERSIGN_COMMENT_REQUIRED otherwise); default false. */
  readonly comment_required?: boolean;
  /** Re-notify the eligible reviewers who have not voted, every this many seconds while pending. */
  readonly remind_after_seconds?: number;
  /** The escalation ladder, by rising `after_seconds`. */
  readonly escalate?: readonly EscalationStep[];
  /** The widest scope a reviewer may grant; absent means once (a single-use grant). */
  readonly max_scope?: ApprovalScope;
  /** The caller may proceed without approval by giving a justification (break-glass); default false. */
  readonly break_glass_allowed?: boolean;
}

/**
 * One rung of an escalation ladder: `after_seconds` from the request's creation, more roles become eligible
 * (`roles`, only with `reviewers.roles`) and/or another channel is told (`channel`). It never relaxes the
 * rules on who may review (no self-approval, people only, distinct reviewers).
 */
export interface EscalationStep {
  readonly after_seconds: number;
  readonly roles?: readonly string[];
  readonly channel?: string;
}

/**
 * What one approval covers beyond a single use: up to `count` uses, and/or any number of uses (or `count`)
 * within `window_seconds` of approval. Always only the same action digest (actor, action, parameters,
 * resource). `{}` is "once".
 */
export interface ApprovalScope {
  readonly count?: number;
  readonly window_seconds?: number;
}

/** How risky a policy rates a request, for reviewers (decision field `risk`). */
export type Risk = "low" | "medium" | "high" | "critical";

/** The risk levels, in rising order. */
export const RISK_LEVELS: readonly Risk[] = ["low", "medium", "high", "critical"];

/** Longest `summary` a decision may carry. */
export const MAX_SUMMARY_LENGTH = 200;

/** The policy's decision after validation. */
export interface PolicyDecision {
  readonly outcome: Outcome;
  readonly reasons: readonly string[];
  /** Present exactly when outcome is require_approval. */
  readonly approval?: ApprovalRequirements;
  /** JSON pointers (RFC 6901) into the request whose values are sensitive. */
  readonly mask: readonly string[];
  /** The policy rule that decided, when the policy names it. */
  readonly rule?: string;
  /**
   * One line for reviewers ("Jane's agent exports 10,000 customer rows from production"), shown first on the
   * Teams card and in the console; it may name masked values, which are hidden on display like any other text.
   */
  readonly summary?: string;
  /** How risky the policy rates the request; shown as a badge to reviewers. */
  readonly risk?: Risk;
}

/** Which policy answered. */
export interface PolicyRef {
  /** Bundle name (file name without extension). */
  readonly bundle: string;
  /** The bundle manifest's revision (for a bundle without one, `sha256:` and a prefix of its file's hash). */
  readonly revision: string;
}

/** Why a decision was forced to deny. */
export interface DecisionFailure {
  /** Stable code, e.g. COUNTERSIGN_POLICY_ERROR, COUNTERSIGN_POLICY_MISSING, COUNTERSIGN_POLICY_TIMEOUT. */
  readonly code: string;
  readonly message: string;
}

/** What the engine returns for every evaluation; it never throws. */
export interface EvaluatedDecision extends PolicyDecision {
  /** The policy that answered, or null when none was loaded. */
  readonly policy: PolicyRef | null;
  /** Set when the answer is a fail-closed deny rather than the policy's own. */
  readonly failure?: DecisionFailure;
  /** Evaluation time in nanoseconds. */
  readonly evalNs: number;
}
