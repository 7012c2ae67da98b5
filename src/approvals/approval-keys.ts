/**
 * The Redis key layout of the approval workflow, in one place.
 *
 * Every key starts with a prefix (default `countersign:`). Identities and caller-chosen strings never appear
 * in key names raw: they are hashed, so no caller can craft a key that collides with another's. On Redis
 * Cluster, use a hash-tagged prefix such as `{countersign}:` so the multi-key scripts stay in one slot.
 *
 * | key | type | holds |
 * | --- | --- | --- |
 * | `approval:<id>` | hash | one request: `core` (immutable JSON), `status`, `version`, `created_at`, `updated_at`, `expires_at`, `decided_at`, `verdicts` (JSON array), `voter:<identity>` (one per reviewer who voted), `cancellation`, `grant` (JSON), `callback` (flag), `pending_key`, `idem_key`, `unrecorded` (flag, until the creating decision is recorded), `journal_created`, `idx` (JSON array of the inbox index keys that list it, cleaned when it ends), `hist` (JSON array of the requester history keys that list it, for as long as the record lives) |
 * | `approvals:pending:role:<role>` | zset | ids of pending requests a reviewer with that role may decide, by creation time (the inbox) |
 * | `approvals:voted:<sha1(identity)>` | zset | pending ids the identity has a verdict on, by creation time |
 * | `approvals:requester:<sha1(identity)>` | zset | pending ids the identity asked for (caller, owner, actor, on_behalf_of), by creation time |
 * | `approvals:requested:<sha1(identity)>` | zset | every id the identity asked for (caller, owner, actor, on_behalf_of), whatever its status, by creation time, for as long as the record is kept ("my requests") |
 * | `approvals:requested-until:<sha1(identity)>` | zset | the same ids, by when their record is due to be gone (expiry plus retention; pushed on while it is still there); absent when requests are kept forever |
 * | `approvals:requested-indexed` | string | set once every request stored before the requester history existed has been listed in it |
 * | `approvals:notify` | stream | the notification outbox, when a channel (Teams) is configured: `k` (created, changed), `id`, `v`; consumer group `notifiers` |
 * | `approvals:timers` | zset | pending ids with a reminder or escalation to come, by when the next one is due |
 * | `approvals:unrecorded` | zset | ids of requests whose creating decision is not recorded yet, by creation time |
 * | `approvals:journal` | stream | changes whose audit events are not recorded yet: `k` (created, verdict, final, grant.issued, grant.redeemed), `id`, `v`, `e` (`approval-journal.ts`) |
 * | `approvals:pending` | zset | ids of pending requests by creation time (the reviewer inbox) |
 * | `approvals:expiry` | zset | ids of pending requests by expiry time (the sweeper's queue) |
 * | `approvals:idem:<sha256(caller, key)>` | string | id created for a caller's idempotency key |
 * | `approvals:pending-action:<sha256(caller, digest)>` | string | id of the caller's pending request for an action digest (kept once it is approved, so its unused grant answers the same action again) |
 * | `callbacks:due` | zset | ids whose final-state callback is due, by next attempt time |
 * | `callback:<id>` | hash | delivery attempts so far |
 * | `grants:signing-key` | string | the generated grant signing key (JWK JSON), when none is configured |
 * | `grants:used:<jti>` | string | a redeemed grant's id, until the grant's expiry plus a margin (relative TTL) |
 * | `approval-changes:<id>` | pub/sub channel | `<version> <status>` after every change of one request |
 */

import { createHash } from "node:crypto";
import { canonicalIdentity } from "../identity/identity-id";

/** The default key prefix. */
export const DEFAULT_KEY_PREFIX = "countersign:";

/** Key names for one deployment (one prefix). */
export class ApprovalKeys {
  /** Prefix of every request hash; the id follows. */
  readonly recordPrefix: string;
  /** Pending ids by creation time. */
  readonly pendingIndex: string;
  /** Pending ids by expiry time. */
  readonly expiryIndex: string;
  /** Ids whose callback is due, by next attempt time. */
  readonly callbacksDue: string;
  /** Prefix of callback attempt counters; the id follows. */
  readonly callbackPrefix: string;
  /** The generated grant signing key. */
  readonly grantSigningKey: string;
  /** Prefix of the per-request change channels; the id follows. */
  readonly changesPrefix: string;
  /** The journal stream: changes whose audit events are not yet recorded (`approval-journal.ts`). */
  readonly journal: string;
  /** Ids of requests whose creating decision is not recorded yet, by creation time. */
  readonly unrecordedIndex: string;
  /** The notification outbox: changes reviewers' channels must hear of (`notification-dispatcher.ts`). */
  readonly notify: string;
  /** Pending ids with a reminder or escalation to come, by when the next is due. */
  readonly timers: string;
  /** Set once the requests stored before the requester history existed are listed in it. */
  readonly requestedIndexed: string;

  constructor(readonly prefix: string = DEFAULT_KEY_PREFIX) {
    this.recordPrefix = `${prefix}approval:`;
    this.pendingIndex = `${prefix}approvals:pending`;
    this.expiryIndex = `${prefix}approvals:expiry`;
    this.callbacksDue = `${prefix}callbacks:due`;
    this.callbackPrefix = `${prefix}callback:`;
    this.grantSigningKey = `${prefix}grants:signing-key`;
    this.changesPrefix = `${prefix}approval-changes:`;
    this.journal = `${prefix}approvals:journal`;
    this.unrecordedIndex = `${prefix}approvals:unrecorded`;
    this.notify = `${prefix}approvals:notify`;
    this.timers = `${prefix}approvals:timers`;
    this.requestedIndexed = `${prefix}approvals:requested-indexed`;
  }

  /** The hash of one request. */
  record(id: string): string {
    return this.recordPrefix + id;
  }

  /** Pending ids a reviewer holding `role` may decide. */
  roleIndex(role: string): string {
    return `${this.prefix}approvals:pending:role:${/^[A-Za-z0-9._-]{1,100}$/.test(role) ? role : digest([role])}`;
  }

  /** Pending ids `identity` has a verdict on (the same key the verdict script computes: sha1 of the canonical id). */
  votedIndex(identity: string): string {
    return `${this.prefix}approvals:voted:${sha1(canonicalIdentity(identity))}`;
  }

  /** Pending ids `identity` is a requester of. */
  requesterIndex(identity: string): string {
    return `${this.prefix}approvals:requester:${sha1(canonicalIdentity(identity))}`;
  }

  /** Every id `identity` asked for, whatever its status, by creation time (kept as long as the record). */
  requestedIndex(identity: string): string {
    return `${this.prefix}approvals:requested:${sha1(canonicalIdentity(identity))}`;
  }

  /** The ids of `requestedIndex(identity)`, by when their record is due to be gone (the index's pruning queue). */
  requestedUntilIndex(identity: string): string {
    return `${this.prefix}approvals:requested-until:${sha1(canonicalIdentity(identity))}`;
  }

  /** Maps a caller's idempotency key to the request it created. */
  idempotency(callerId: string, key: string): string {
    return `${this.prefix}approvals:idem:${digest([canonicalIdentity(callerId), key])}`;
  }

  /** Maps a caller's pending action (by digest) to its request, while pending. */
  pendingAction(callerId: string, actionDigest: string): string {
    return `${this.prefix}approvals:pending-action:${digest([canonicalIdentity(callerId), actionDigest])}`;
  }

  /** The callback attempt counter of one request. */
  callback(id: string): string {
    return this.callbackPrefix + id;
  }

  /** Marks a grant id as used. */
  grantUsed(jti: string): string {
    return `${this.prefix}grants:used:${jti}`;
  }

  /** The pub/sub channel announcing changes of one request. */
  changes(id: string): string {
    return this.changesPrefix + id;
  }
}

function sha1(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex");
}

function digest(parts: readonly string[]): string {
  return createHash("sha256").update(JSON.stringify(parts), "utf8").digest("hex");
}
