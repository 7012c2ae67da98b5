/**
 * What the approval use cases need from storage: atomic, version-checked state changes. Declared here, by
 * its consumer; `RedisApprovalStore` implements it.
 */

import type { ApprovalRequest, ApprovalRequestCore, Cancellation, IssuedGrant, Verdict } from "./approval-request";

/** The result of `create`. */
export interface CreateResult {
  /** False when an existing request was returned (idempotency key, or the same pending action). */
  readonly created: boolean;
  readonly approval: ApprovalRequest;
}

/** The result of a state-changing call. */
export type TransitionResult =
  /** This call changed the request; `approval` is the state right after. */
  | { readonly kind: "applied"; readonly approval: ApprovalRequest }
  /** The version moved since it was read: re-read and decide again. */
  | { readonly kind: "conflict" }
  /** The reviewer has a verdict on this request already. */
  | { readonly kind: "already_voted"; readonly approval: ApprovalRequest }
  /** The request is no longer pending. */
  | { readonly kind: "already_decided"; readonly approval: ApprovalRequest }
  /** The request was due: this call expired it (the caller emits the expiry). */
  | { readonly kind: "expired_now"; readonly approval: ApprovalRequest }
  | { readonly kind: "not_found" };

/** Durable storage of approval requests with compare-and-swap state changes. */
export interface ApprovalStore {
  /**
   * Stores a new pending request unless the caller's idempotency key, or the caller's pending unexpired
   * request for the same action digest, already names one; atomically, so concurrent duplicates create one.
   */
  create(core: ApprovalRequestCore, nowMs: number): Promise<CreateResult>;

  /**
   * Removes a request that is still pending at version 1 and was never announced (its creating decision
   * could not be recorded); true when removed. Emits nothing.
   */
  withdraw(id: string): Promise<boolean>;

  /** The request, or null when unknown. */
  get(id: string): Promise<ApprovalRequest | null>;

  /**
   * Appends `verdict` and moves to `nextStatus` (pending, approved or denied) if the request is still at
   * `expectedVersion`, pending, unexpired, and without a verdict from the same reviewer.
   */
  applyVerdict(id: string, expectedVersion: number, verdict: Verdict, nextStatus: "pending" | "approved" | "denied", nowMs: number): Promise<TransitionResult>;

  /** Cancels a pending, unexpired request. */
  cancel(id: string, cancellation: Cancellation, nowMs: number): Promise<TransitionResult>;

  /** Expires the request if it is pending and due; returns it when this call expired it. */
  expireIfDue(id: string, nowMs: number): Promise<ApprovalRequest | null>;

  /** Expires up to `limit` due requests; returns those this call expired (each id is won by one caller). */
  expireDue(nowMs: number, limit: number): Promise<ApprovalRequest[]>;

  /** Pending requests, oldest first. */
  listPending(limit: number): Promise<ApprovalRequest[]>;

  /**
   * Attaches a grant to an approved request unless one is attached already; returns the grant the request
   * holds afterwards and whether it is the one given.
   */
  attachGrant(id: string, grant: IssuedGrant): Promise<{ readonly attached: boolean; readonly grant: IssuedGrant } | null>;
}
