/**
 * What the approval use cases need from storage: atomic, version-checked state changes. Declared here, by
 * its consumer; `RedisApprovalStore` implements it.
 */

import type { ApprovalRequest, ApprovalRequestCore, Cancellation, IssuedGrant, Verdict } from "./approval-request";

/** A place in an index's order (the inbox, a requester's history): creation time (ms), then id. */
export interface InboxPosition {
  readonly score: number;
  readonly id: string;
}

/** The result of `create`. */
export interface CreateResult {
  /** False when an existing request was returned (idempotency key, or the same pending action). */
  readonly created: boolean;
  readonly approval: ApprovalRequest;
  /** The journal entry standing for `approval.created` (a new request only). */
  readonly journal?: readonly string[];
}

/** A request a call expired, with the journal entry standing for its final event. */
export interface Expired {
  readonly approval: ApprovalRequest;
  readonly journal: readonly string[];
}

/** A reminder or escalation a call sent (each is sent by exactly one caller). */
export interface TimerFired {
  /** The request right after (its `escalation` shows the rung reached). */
  readonly approval: ApprovalRequest;
  readonly kind: "remind" | "escalate";
  /** The reminder's count (1 for the first), or the escalation rung reached (1 for the first). */
  readonly number: number;
}

/** The result of a state-changing call. */
export type TransitionResult =
  /** This call changed the request; `approval` is the state right after; `journal` its events' entries, in order. */
  | { readonly kind: "applied"; readonly approval: ApprovalRequest; readonly journal: readonly string[] }
  /** The version moved since it was read: re-read and decide again. */
  | { readonly kind: "conflict" }
  /** The reviewer has a verdict on this request already. */
  | { readonly kind: "already_voted"; readonly approval: ApprovalRequest }
  /** The request is no longer pending. */
  | { readonly kind: "already_decided"; readonly approval: ApprovalRequest }
  /** The request was due: this call expired it (the caller emits the expiry). */
  | { readonly kind: "expired_now"; readonly approval: ApprovalRequest; readonly journal: readonly string[] }
  | { readonly kind: "not_found" };

/** Durable storage of approval requests with compare-and-swap state changes. */
export interface ApprovalStore {
  /**
   * Stores a new pending request unless the caller's idempotency key, or the caller's pending unexpired
   * request for the same action digest, already names one; atomically, so concurrent duplicates create one.
   * A new request is marked unrecorded (no verdict, cancel or inbox until `markRecorded`).
   */
  create(core: ApprovalRequestCore, nowMs: number): Promise<CreateResult>;

  /** The creating decision of a request is recorded: it may be seen, decided and cancelled from now on. */
  markRecorded(id: string): Promise<void>;

  /**
   * Removes a request still marked unrecorded (its creating decision was never recorded, so nobody has heard
   * of it); true when removed. Emits nothing.
   */
  withdraw(id: string): Promise<boolean>;

  /** The request, or null when unknown. */
  get(id: string): Promise<ApprovalRequest | null>;

  /**
   * Appends `verdict` and moves to `nextStatus` (pending, approved or denied) if the request is still at
   * `expectedVersion`, pending, unexpired, and without a verdict from the same reviewer.
   */
  applyVerdict(
    id: string,
    expectedVersion: number,
    verdict: Verdict,
    nextStatus: "pending" | "approved" | "denied",
    nowMs: number,
  ): Promise<TransitionResult>;

  /** Cancels a pending, unexpired request. */
  cancel(id: string, cancellation: Cancellation, nowMs: number): Promise<TransitionResult>;

  /** Expires the request if it is pending and due; returns it when this call expired it. */
  expireIfDue(id: string, nowMs: number): Promise<Expired | null>;

  /** Sends the reminders and escalations due at `nowMs` (up to `limit` requests); each is sent by one caller. */
  timersDue(nowMs: number, limit: number): Promise<TimerFired[]>;
  /** Expires up to `limit` due requests; returns those this call expired (each id is won by one caller). */
  expireDue(nowMs: number, limit: number): Promise<Expired[]>;

  /**
   * One page of a reviewer's inbox: pending, recorded requests listed under any of `roles` that the reviewer
   * has neither voted on nor asked for, oldest first, after `after`; `next` is where the next page starts.
   */
  inboxPage(
    reviewer: string,
    roles: readonly string[],
    after: InboxPosition | null,
    limit: number,
  ): Promise<{ approvals: ApprovalRequest[]; next: InboxPosition | null }>;

  /**
   * One page of the requests `requester` asked for (caller, caller's owner, actor, or the person the actor
   * acts for), whatever their status, newest first, after `after`; every request still kept is reachable
   * page by page. `next` is where the next page starts (null at the end).
   */
  requestedBy(input: {
    readonly requester: string;
    readonly after: InboxPosition | null;
    readonly limit: number;
    readonly nowMs: number;
  }): Promise<{ approvals: ApprovalRequest[]; next: InboxPosition | null }>;

  /**
   * Attaches a grant to an approved request unless one is attached already; returns the grant the request
   * holds afterwards and whether it is the one given.
   */
  attachGrant(
    id: string,
    grant: IssuedGrant,
  ): Promise<{ readonly attached: boolean; readonly grant: IssuedGrant; readonly journal?: readonly string[] } | null>;
}
