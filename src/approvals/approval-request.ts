/**
 * The approval request record: what was asked, by whom, what the policy requires, and what reviewers have
 * said so far. Plain serialisable data; storage and rules live in other files.
 */

import type { ApprovalRequirements, ApprovalScope, PolicyRef, Risk } from "../engine/decision-contract";

/** The lifecycle states; every state but `pending` is final. */
export type ApprovalStatus = "pending" | "approved" | "denied" | "expired" | "cancelled";

/** The final states. */
export type FinalStatus = Exclude<ApprovalStatus, "pending">;

/** What a reviewer can say. */
export type VerdictValue = "approve" | "deny";

/** Where a verdict came from. */
export type VerdictChannel = "api" | "teams" | "slack" | "console";

/**
 * What a reviewer was shown when they gave a verdict from a chat message or the web console: the request
 * version the view was rendered from, and the SHA-256 (hex) of that view as shown (masked values already
 * hidden); the console also names the masked pointers its page hid. Absent for API verdicts, where the
 * reviewer read the request through the API.
 */
export interface VerdictShown {
  /** The approval version the message showed. */
  readonly version: number;
  /**
   * SHA-256 (hex) of the rendered view (for Slack: the canonical JSON of its `{text, blocks}`; for Teams: the
   * canonical JSON of the Adaptive Card as sent; for the console: the canonical JSON of the request page model,
   * `src/console/request-page-model.ts`).
   */
  readonly digest: string;
  /** RFC 6901 pointers into the request whose values the view hid (masked); absent when not reported. */
  readonly hidden?: readonly string[];
  /**
   * The view itself, as the exact text that was hashed: the canonical JSON (RFC 8785) of the card, Slack
   * message or page model, already masked. Kept on the verdict and in the trail's `approval.verdict` entry, so an auditor can
   * print it back (`countersign audit view`) and check it hashes to `digest`. Absent when the channel did not
   * keep it (a card or message sent before views were kept, a view over MAX_SHOWN_VIEW_CHARS).
   */
  readonly view?: string;
}

/** Longest view (characters of canonical JSON) a verdict keeps; a larger one is recorded by its digest only. */
export const MAX_SHOWN_VIEW_CHARS = 256 * 1024;

/** The acting identity as the caller described it (unknown fields are kept). */
export interface RequestActor {
  readonly id: string;
  readonly type?: string;
  /** The human an agent acts for. */
  readonly on_behalf_of?: string;
  readonly [field: string]: unknown;
}

/** The action, resource and context of a decide request, kept whole. */
export interface RequestedAction {
  readonly actor: RequestActor;
  readonly action: { readonly name: string; readonly [field: string]: unknown };
  readonly resource: { readonly [field: string]: unknown };
  readonly context: { readonly [field: string]: unknown };
}

/** The identities that may never review this request. */
export interface Requesters {
  /** The authenticated caller principal that created the request. */
  readonly callerId: string;
  /** The human who owns the caller principal, when it has one. */
  readonly callerOwner?: string;
  /** `actor.id` */
  readonly actorId: string;
  /** `actor.on_behalf_of` */
  readonly onBehalfOf?: string;
}

/** One recorded verdict. */
export interface Verdict {
  readonly reviewerId: string;
  readonly verdict: VerdictValue;
  readonly comment?: string;
  readonly channel: VerdictChannel;
  /** The reviewer's roles that made them eligible (their roles ∩ the required roles), sorted. */
  readonly roles: readonly string[];
  /** Epoch milliseconds. */
  readonly at: number;
  /** The scope an approver granted, within the policy's `max_scope` (absent: once). */
  readonly scope?: ApprovalScope;
  /** What the reviewer was shown (verdicts from a chat message). */
  readonly shown?: VerdictShown;
}

/** Who cancelled a request and why. */
export interface Cancellation {
  readonly by: string;
  readonly reason?: string;
}

/** The grant issued on approval (kept for the creating caller). */
export interface IssuedGrant {
  readonly token: string;
  readonly jti: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  /** A scoped grant's uses (null: any number until it expires); absent: single use. */
  readonly maxUses?: number | null;
}

/** The immutable part of a request, written once at creation. */
export interface ApprovalRequestCore {
  readonly id: string;
  readonly request: RequestedAction;
  readonly requirements: ApprovalRequirements;
  readonly requesters: Requesters;
  readonly decisionId: string;
  readonly policy: PolicyRef | null;
  /** The policy's reasons for requiring approval. */
  readonly reasons: readonly string[];
  /** SHA-256 hex of the RFC 8785 canonical JSON of `{actor, action, resource}`. */
  readonly actionDigest: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  readonly callbackUrl?: string;
  /** The caller's idempotency key, as given. */
  readonly idempotencyKey?: string;
  /** RFC 6901 pointers into the request whose values are sensitive. */
  readonly mask: readonly string[];
  /**
   * Present on the post-hoc review of a break-glass use: the action was allowed without approval with this
   * justification; reviewers acknowledge it (approve) or flag it (deny). It never yields a grant.
   */
  readonly breakGlass?: { readonly justification: string };
  /** The policy's one-line summary of the request, for reviewers (decision field `summary`). */
  readonly summary?: string;
  /** The policy's risk rating (decision field `risk`). */
  readonly risk?: Risk;
}

/** A stored approval request: the immutable core plus its current state. */
export interface ApprovalRequest extends ApprovalRequestCore {
  readonly status: ApprovalStatus;
  /** Starts at 1; every state change increments it. */
  readonly version: number;
  readonly updatedAt: number;
  /** When the request reached its final state. */
  readonly decidedAt?: number;
  readonly verdicts: readonly Verdict[];
  readonly cancellation?: Cancellation;
  readonly grant?: IssuedGrant;
  /** Reminders sent so far (absent: none). */
  readonly reminders?: number;
  /** The escalation rung reached (from 1) and the roles it made eligible (absent: not escalated). */
  readonly escalation?: { readonly level: number; readonly roles: readonly string[] };
}

/** Someone taking part in an approval as the workflow sees them: the caller who asked, a reviewer, or both (identity's Principal, narrowed). */
export interface Participant {
  readonly id: string;
  readonly roles: readonly string[];
  /** The human who owns a service or agent principal. */
  readonly owner?: string;
  /** `human`, `service` or `agent` when known; only people review (a principal of another kind never counts). */
  readonly kind?: string;
}

/** True for every status but pending. */
export function isFinal(status: ApprovalStatus): status is FinalStatus {
  return status !== "pending";
}
