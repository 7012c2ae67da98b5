/**
 * What the decide use case needs from the approval workflow (the consumer owns this interface;
 * `src/approvals/decision-approvals.ts` implements it over the approval and grant services).
 *
 * Two operations, both for a `require_approval` answer of the policy: open (or find) the pending request,
 * or redeem a grant presented with the request. Failures that must end in a fail-closed deny come back as
 * values with a stable code; a mistake in the request itself (no `context.reason` where the policy requires
 * one, a callback URL off the allow-list, an idempotency key reused for another action) is thrown as the
 * workflow's typed error, which the HTTP layer answers with its 4xx.
 */

import type { ApprovalRequirements, PolicyRef, Risk } from "../engine/decision-contract";
import type { Principal } from "../identity/principal";
import type { DecideRequest } from "./decide-request";

/** What a pending request is opened from. */
export interface ApprovalOpening {
  readonly caller: Principal;
  readonly request: DecideRequest;
  readonly decisionId: string;
  readonly policy: PolicyRef | null;
  /** The policy's reasons (shown to reviewers). */
  readonly reasons: readonly string[];
  readonly requirements: ApprovalRequirements;
  readonly mask: readonly string[];
  /** The policy's one-line summary and risk rating, for reviewers. */
  readonly summary?: string;
  readonly risk?: Risk;
  /** Opens the post-hoc review of a break-glass use instead of a request for approval. */
  readonly breakGlass?: { readonly justification: string };
  /**
   * Called once the request is stored (or the caller's existing one found) and before anyone is told of it;
   * the decide use case records its decision here. When it rejects, a request this call created is withdrawn
   * and `open` rejects with the same error.
   */
  readonly beforeAnnounce?: (approval: OpenedApproval) => Promise<void>;
}

/** Who presents a grant with a decision (for the workflow's grant events). */
export interface GrantPresenter {
  /** The authenticated caller principal's id. */
  readonly caller: string;
  readonly decisionId: string;
}

/** The pending (or already settled) request a decision points to. */
export interface OpenedApproval {
  readonly id: string;
  /** `pending` for a new request; an existing one (same idempotency key) may be further along. */
  readonly status: string;
  /** False when the caller's existing request was returned (same idempotency key, or same pending action). */
  readonly created: boolean;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

/** A workflow refusal that the decision answers with a deny (fail closed). */
export interface GateRefusal {
  readonly ok: false;
  /** Stable code, e.g. COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE, COUNTERSIGN_GRANT_REPLAYED. */
  readonly code: string;
  /** The reason the deny gives. */
  readonly reason: string;
}

/** The result of opening a request. */
export type ApprovalOpenResult = { readonly ok: true; readonly approval: OpenedApproval } | GateRefusal;

/** A grant that was valid for this action and is now spent. */
export interface SpentGrant {
  readonly approvalId: string;
  /** The grant's unique id. */
  readonly jti: string;
  readonly approvers: readonly string[];
  /** Which use this was (from 1). */
  readonly use: number;
  /** The grant's uses (null: any number until it expires). */
  readonly maxUses: number | null;
}

/** The result of redeeming a grant. */
export type GrantRedeemResult = { readonly ok: true; readonly grant: SpentGrant } | GateRefusal;

/** The approval workflow as the decide use case sees it. */
export interface ApprovalGate {
  /**
   * Stores a pending request for a require_approval decision, or returns the caller's existing one.
   * Resolves with a refusal when the store is unavailable or the policy's requirements are unusable;
   * rejects with the workflow's typed (4xx) error when the request itself is at fault.
   */
  open(opening: ApprovalOpening): Promise<ApprovalOpenResult>;
  /** Redeems `grant` for exactly this actor, action and resource (single use). Never rejects. */
  redeem(grant: string, action: Pick<DecideRequest, "actor" | "action" | "resource">, by: GrantPresenter): Promise<GrantRedeemResult>;
}
