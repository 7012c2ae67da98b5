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
  /** Someone else moved the head first; nothing was written. `head` is the head found. */
  | { readonly ok: false; readonly head: ChainHead };

/** Durable, linear storage for chain entries. */
export interface AuditStore {
  /**
   * Atomically, if the stored head is still `expected`: appends `entries` (consecutive seqs right after it)
   * and replaces the head with `head` (the last entry's link, signed). Rejects with
   * COUNTERSIGN_AUDIT_UNAVAILABLE when storage cannot be reached or is inconsistent.
   */
  append(expected: ChainHead, entries: readonly SealedEntry[], head: SignedHead): Promise<AppendOutcome>;
}
