/**
 * The approval journal: a Redis Stream holding one entry per change whose audit event is not recorded yet.
 *
 * Why: a change (a verdict, a final state, a grant issued or spent) commits in a Lua script, and its audit
 * event is recorded afterwards, in another step. A service that stops between the two would leave a change
 * the trail never hears of. So each script appends the entry in the same atomic step as the change
 * (`approval-scripts.ts`, `grant-spend-script.ts`), the audit listener deletes it once the event is recorded,
 * and the recovery pass (`journal-recovery.ts`) records whatever is left after a grace period.
 *
 * Entry fields: `k` the kind, `id` the approval id, `v` the request's version after the change (0 when it
 * does not apply), `e` the event as JSON (grant.redeemed, which the request record cannot tell).
 */

import type Redis from "ioredis";
import { ApprovalError } from "./approval-errors";
import type { ApprovalEvent, ApprovalEventListener } from "./approval-events";
import type { ApprovalKeys } from "./approval-keys";

/** What a journal entry stands for. */
export type JournalKind = "created" | "verdict" | "final" | "grant.issued" | "grant.redeemed";

const KINDS: ReadonlySet<string> = new Set<JournalKind>(["created", "verdict", "final", "grant.issued", "grant.redeemed"]);

/** One journal entry. */
export interface JournalEntry {
  /** The stream id (`<ms>-<n>`), which also says when the change was made (Redis's clock). */
  readonly entryId: string;
  readonly kind: JournalKind;
  readonly approvalId: string;
  readonly version: number;
  /** The event as JSON, for kinds the request record cannot reconstruct. */
  readonly event?: string;
  /** When the change was made, epoch ms (from the stream id). */
  readonly atMs: number;
}

/** The journal of one deployment. */
export class RedisApprovalJournal {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ApprovalKeys,
  ) {}

  /** Deletes entries whose events are recorded. */
  async ack(entryIds: readonly string[]): Promise<void> {
    if (entryIds.length === 0) return;
    await this.call(() => this.redis.xdel(this.keys.journal, ...entryIds));
  }

  /** Up to `count` entries made at or before `beforeMs` (Redis time), oldest first. */
  async due(beforeMs: number, count: number): Promise<JournalEntry[]> {
    const rows = await this.call(() =>
      this.redis.xrange(this.keys.journal, "-", String(Math.max(0, Math.floor(beforeMs))), "COUNT", count),
    );
    const out: JournalEntry[] = [];
    const malformed: string[] = [];
    for (const [entryId, fields] of rows) {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
      const kind = f["k"];
      if (kind === undefined || !KINDS.has(kind) || f["id"] === undefined) {
        malformed.push(entryId);
        continue;
      }
      out.push({
        entryId,
        kind: kind as JournalKind,
        approvalId: f["id"],
        version: Number(f["v"] ?? 0),
        ...(f["e"] === undefined ? {} : { event: f["e"] }),
        atMs: Number(entryId.split("-")[0]),
      });
    }
    // Nothing this version wrote: dropped, so that they cannot hold up the entries behind them.
    await this.ack(malformed);
    return out;
  }

  /** How many entries wait. */
  async length(): Promise<number> {
    return this.call(() => this.redis.xlen(this.keys.journal));
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new ApprovalError("COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE", `the approval journal failed: ${(err as Error).message}`);
    }
  }
}

/** A listener that deletes journal entries as their events pass, for a service with no trail to record them in. */
export function journalAckListener(journal: RedisApprovalJournal): ApprovalEventListener {
  return {
    async onApprovalEvent(event: ApprovalEvent): Promise<void> {
      const entries = "journal" in event ? event.journal : undefined;
      if (entries !== undefined && entries.length > 0) await journal.ack(entries);
    },
  };
}
