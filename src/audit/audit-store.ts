/**
 * What the audit trail needs from storage (the trail owns this interface; `redis-audit-store.ts`
 * implements it): a compare-and-swap append of sealed entries together with the new signed head.
 */

import type { ChainHead, SealedEntry } from "./chain";
import type { SignedHead } from "./head-signature";

/** The result of one append attempt. */
export type AppendOutcome =
  /** The entries are stored and `head` is the new head. */
  | { readonly ok: true }
  /**
   * Nothing was written. `head` is the head found: someone else moved it first, or (`waitTurn`) another
   * instance that lost a race has the next turn and this caller should wait a moment before trying again.
   */
  | { readonly ok: false; readonly head: ChainHead; readonly waitTurn: boolean };

/** Durable, linear storage for chain entries. */
export interface AuditStore {
  /**
   * Atomically, if the stored head is still `expected` and no other instance has the turn: appends
   * `entries` (consecutive seqs right after it) and moves the head to the last one; with `head` (the last
   * entry's link, signed) the append is a checkpoint and the signed head moves too. `instance` identifies
   * the caller for turns. Rejects with COUNTERSIGN_AUDIT_UNAVAILABLE when storage cannot be reached or is
   * inconsistent.
   */
  append(expected: ChainHead, entries: readonly SealedEntry[], head: SignedHead | null, instance: string): Promise<AppendOutcome>;
  /** Signs the chain's end if it is still `head` (a checkpoint with no entry to carry it); false when it moved. */
  seal(head: SignedHead): Promise<boolean>;
}
