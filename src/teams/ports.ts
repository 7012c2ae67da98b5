/**
 * What the Teams bot needs from the rest of Countersign, declared here because the bot is the consumer:
 * the approval use cases (read a request, cast a verdict), the reviewer identities, and masking.
 *
 * The composition root adapts the approval core, the identity directory and the shared masking helper to
 * these interfaces; tests give small in-memory implementations. Nothing here knows Redis or HTTP.
 */

/** The lifecycle states of an approval request, as the card shows them; every state but `pending` is final. */
export type CardApprovalStatus = "pending" | "approved" | "denied" | "expired" | "cancelled";

/** What a reviewer can say. */
export type CardVerdictValue = "approve" | "deny";

/**
 * The decide request as the caller sent it (`{actor, action, resource, context}`), kept in its wire form so
 * that the policy's `mask` pointers (`/action/params/query`, `/context/db_password`) apply to it unchanged.
 */
export interface CardRequest {
  readonly actor: {
    readonly id: string;
    readonly type?: string;
    /** The human an agent acts for. */
    readonly on_behalf_of?: string;
    readonly [field: string]: unknown;
  };
  readonly action: {
    readonly name: string;
    readonly params?: unknown;
    readonly [field: string]: unknown;
  };
  readonly resource: {
    readonly type?: string;
    readonly id?: string;
    readonly environment?: string;
    readonly [field: string]: unknown;
  };
  /** The caller's stated `reason` and `ticket`, and any other context. */
  readonly context: {
    readonly reason?: string;
    readonly ticket?: string;
    readonly [field: string]: unknown;
  };
}

/** A group of reviewer roles that must contribute `quorum` distinct approvers. */
export interface CardReviewerGroup {
  readonly roles: readonly string[];
  readonly quorum: number;
}

/** Who may approve and how many: `roles` (any of them), or `groups` (each group's quorum must be met). */
export interface CardRequirements {
  /** Distinct approvers needed in total. */
  readonly quorum: number;
  /** The widest scope a reviewer may grant (`approval.max_scope`); absent: once only. */
  readonly maxScope?: { readonly count?: number; readonly window_seconds?: number };
  readonly roles?: readonly string[];
  readonly groups?: readonly CardReviewerGroup[];
  /** Every verdict must carry a comment (`approval.comment_required`). */
  readonly commentRequired?: boolean;
}

/** One recorded verdict. */
export interface CardVerdict {
  readonly reviewerId: string;
  /** How to show the reviewer (a display name); the id is shown when absent. */
  readonly reviewerName?: string;
  readonly verdict: CardVerdictValue;
  /** The reviewer's roles that made them eligible (shown next to their name). */
  readonly roles?: readonly string[];
  readonly comment?: string;
  /** Epoch milliseconds. */
  readonly at: number;
}

/** How a configured identity is shown: its display name (the id when absent). */
export interface CardPerson {
  readonly displayName?: string;
}

/** Approvals still needed from reviewers with one of `roles`. */
export interface CardWaitingFor {
  readonly count: number;
  readonly roles: readonly string[];
}

/** A policy's risk rating of a request (decision field `risk`). */
export type CardRisk = "low" | "medium" | "high" | "critical";

/** How a request that is no longer pending ended. */
export interface CardOutcome {
  readonly status: Exclude<CardApprovalStatus, "pending">;
  /** Epoch milliseconds. */
  readonly decidedAt: number;
  /** The reviewers whose verdicts decided it (approvers, or the denier); for a cancellation, who cancelled. */
  readonly decidedBy: readonly string[];
  /** A cancellation's stated reason. */
  readonly reason?: string;
}

/** Everything the approval card shows: a plain, serialisable snapshot of one approval request. */
export interface ApprovalCardState {
  readonly id: string;
  readonly status: CardApprovalStatus;
  /**
   * Increases with every state change of the request; the notifier never replaces a card with one rendered
   * from an older version.
   */
  readonly version: number;
  readonly request: CardRequest;
  /** The policy's reasons for requiring approval. */
  readonly policyReasons: readonly string[];
  /** RFC 6901 pointers into `request` whose values must never leave the service in clear. */
  readonly mask: readonly string[];
  /** Epoch milliseconds. */
  readonly requestedAt: number;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  readonly requirements: CardRequirements;
  /** In the order they were given. */
  readonly verdicts: readonly CardVerdict[];
  /** Present exactly when `status` is not `pending`. */
  readonly outcome?: CardOutcome;
  /** Present on the post-hoc review of a break-glass use. */
  readonly breakGlass?: { readonly justification: string };
  /** The policy's one-line summary of the request (decision field `summary`). */
  readonly summary?: string;
  /** The policy's risk rating (decision field `risk`). */
  readonly risk?: CardRisk;
  /** While pending: who must still approve, per role or group (absent: counted from the requirements). */
  readonly waitingFor?: readonly CardWaitingFor[];
}

/** A reviewer identity as the approval core knows it. */
export interface TeamsReviewer {
  /** The Countersign identity id (`user:alice`), the same id requests name as `actor.id`. */
  readonly id: string;
  readonly roles: readonly string[];
  /** For messages; the id is used when absent. */
  readonly displayName?: string;
}

/** What a reviewer clicked. */
export interface VerdictCommand {
  readonly approvalId: string;
  readonly reviewer: { readonly id: string; readonly roles: readonly string[] };
  readonly verdict: CardVerdictValue;
  /** Trimmed; absent when the reviewer left the comment box empty. */
  readonly comment?: string;
  /** The scope picked (approvals only): "once" or `{count?, window_seconds?}`; the core checks it against the policy. */
  readonly scope?: unknown;
  /** What the clicked card showed: the version it was rendered from, its digest, and the masked pointers it hid. */
  readonly shown?: CardShown;
}

/** What a reviewer was shown: recorded on the verdict and in the audit trail. */
export interface CardShown {
  readonly version: number;
  /** SHA-256 (hex) of the canonical JSON of the exact card sent to Teams. */
  readonly digest: string;
  /** RFC 6901 pointers into the request whose values the card hid. */
  readonly hidden: readonly string[];
  /** The card itself: the canonical JSON text whose SHA-256 is `digest` (kept in the trail); absent when not kept. */
  readonly view?: string;
}

/**
 * The approval core's answer to a verdict: the new state, or a refusal with the core's stable code
 * (COUNTERSIGN_SELF_APPROVAL, COUNTERSIGN_NOT_ELIGIBLE, COUNTERSIGN_ALREADY_VOTED,
 * COUNTERSIGN_ALREADY_DECIDED, COUNTERSIGN_EXPIRED, COUNTERSIGN_APPROVAL_NOT_FOUND, …) and its message,
 * which the bot shows to the clicking reviewer.
 */
export type VerdictResult =
  { readonly ok: true; readonly state: ApprovalCardState } | { readonly ok: false; readonly code: string; readonly message: string };

/** The approval use cases the bot calls; verdicts from Teams follow the same rules as verdicts from the API. */
export interface ApprovalPort {
  /** The request's current state, or null when there is no such request. */
  get(approvalId: string): Promise<ApprovalCardState | null>;
  /** Records a verdict through the approval core (same rules and audit as `POST /v1/approvals/{id}/verdicts`). */
  castVerdict(command: VerdictCommand): Promise<VerdictResult>;
}

/** Maps a Teams user onto a configured reviewer identity. */
export interface ReviewerDirectory {
  /**
   * The identity configured for this Azure AD user (`from.aadObjectId`) in this tenant, or null. Ids are
   * compared case-insensitively. Never looked up by display name or by the Teams-scoped `from.id`.
   */
  byTeamsUser(tenantId: string, aadObjectId: string): Promise<TeamsReviewer | null> | TeamsReviewer | null;
}

/** Replaces the values at `pointers` (RFC 6901) in a copy of `value`; the original is left untouched. */
export interface Masker {
  mask<T>(value: T, pointers: readonly string[]): T;
}

/** Structured logging; the service's winston logger fits. */
export interface TeamsLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** The current time, injected so tests control it. */
export interface TeamsClock {
  /** Epoch milliseconds. */
  now(): number;
}

/** The system clock. */
export const systemTeamsClock: TeamsClock = { now: () => Date.now() };
