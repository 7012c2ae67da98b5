/**
 * What query, export and verify need from storage (read-only; `redis-audit-store.ts` implements it).
 *
 * Positions are storage ids (`N-0` for seq N, see `stream-id.ts`): paging by id rather than by seq keeps a
 * tampered stream readable end to end, ids that do not belong to the chain included.
 */

import type { ChainHead } from "./chain";
import type { SignedHead } from "./head-signature";

/** One stored entry as read back. */
export interface StoredRecord {
  /** The storage id (`N-0` in the Redis Stream). */
  readonly id: string;
  /** The seq the id stands for (null when the id is not of the chain's form: a sign of tampering). */
  readonly idSeq: number | null;
  /** The entry's canonical JSON text. */
  readonly line: string;
  /** The signed head stored with this entry when it ended an append (a checkpoint). */
  readonly checkpoint?: SignedHead;
}

/** Read access to a stored trail. */
export interface AuditReader {
  /** The newest signed head, or null for an empty trail. */
  readHead(): Promise<SignedHead | null>;
  /**
   * The newest signed head and the chain's end as the trail wrote it: the end is past the signed head while
   * a checkpoint is pending (at most the checkpoint interval). Absent on readers that cannot tell.
   */
  readHeads?(): Promise<{ readonly signed: SignedHead | null; readonly end: ChainHead | null }>;
  /** Up to `count` entries stored after id `afterId` (from the start when null), oldest first. */
  readAscending(afterId: string | null, count: number): Promise<StoredRecord[]>;
  /** Up to `count` entries stored before id `beforeId` (from the end when null), newest first. */
  readDescending(beforeId: string | null, count: number): Promise<StoredRecord[]>;
  /** How far the trail is archived and trimmed (seq 0: not at all); absent where the reader has no archive. */
  archiveState?(): Promise<{ readonly seq: number; readonly segments: number }>;
}
