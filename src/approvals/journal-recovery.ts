/**
 * The recovery pass: after a crash, records the audit events of changes that committed but were never
 * recorded, and withdraws requests whose creating decision was never recorded.
 *
 * Two kinds of leftovers, both older than a grace period (so that a live instance still finishing the same
 * work is never raced):
 * - A request still marked unrecorded: the service stopped between storing it and recording the decision
 *   that created it. If the trail does hold that decision (the service stopped just after recording it), the
 *   request is marked recorded and goes on; otherwise it is withdrawn and `approval.withdrawn` is recorded, so
 *   no request that nobody was told of stays approvable.
 * - A journal entry (`approval-journal.ts`): its event is rebuilt from the request as stored (or read from the
 *   entry, for a grant redemption) and delivered to the audit listener, flagged `recovered`, unless the trail
 *   already holds it (the service stopped after recording the event but before deleting the entry).
 *
 * Every instance runs the pass on its sweep; two instances recovering the same entry at once may both record
 * it (each checks the trail first), which the `recovered` flag makes plain to an auditor.
 */

import type { ApprovalEvent, ApprovalEventListener, GrantRedeemedEvent } from "./approval-events";
import type { JournalEntry, RedisApprovalJournal } from "./approval-journal";
import type { ApprovalRequest } from "./approval-request";
import { evaluateQuorum } from "./approval-state-machine";

/** Keys naming recorded events, as `RecordedEvents` reports them. */
export const recordedKey = {
  decision: (decisionId: string) => `decision ${decisionId}`,
  created: (approvalId: string) => `approval.created ${approvalId}`,
  verdict: (approvalId: string, reviewer: string) => `approval.verdict ${approvalId} ${reviewer}`,
  final: (approvalId: string) => `approval.final ${approvalId}`,
  withdrawn: (approvalId: string) => `approval.withdrawn ${approvalId}`,
  grantIssued: (grantId: string) => `grant.issued ${grantId}`,
  grantRedeemed: (grantId: string) => `grant.redeemed ${grantId}`,
} as const;

/** What the pass needs to know of the audit trail (the trail's reader implements it). */
export interface RecordedEvents {
  /** Keys (`recordedKey`) of the events recorded at or after `sinceMs`. */
  recordedSince(sinceMs: number): Promise<ReadonlySet<string>>;
}

/** The store operations the pass uses (`RedisApprovalStore`). */
export interface RecoverableStore {
  get(id: string): Promise<ApprovalRequest | null>;
  markRecorded(id: string): Promise<void>;
  withdraw(id: string): Promise<boolean>;
  unrecordedSince(beforeMs: number, limit: number): Promise<string[]>;
  isUnrecorded(id: string): Promise<boolean>;
}

/** How to run the pass. */
export interface JournalRecoveryOptions {
  readonly store: RecoverableStore;
  readonly journal: RedisApprovalJournal;
  /** The audit listener: records each event and deletes its journal entries. */
  readonly audit: ApprovalEventListener;
  readonly recorded: RecordedEvents;
  readonly clock: { nowNs(): bigint };
  /** Leftovers younger than this are left to the instance that made them (default 30 s). */
  readonly graceMs?: number;
  /** Most leftovers handled per pass (default 200). */
  readonly batch?: number;
}

/** What one pass did. */
export interface RecoveryReport {
  readonly withdrawn: number;
  readonly confirmed: number;
  readonly recovered: number;
  readonly alreadyRecorded: number;
  readonly dropped: number;
}

/** How far before a leftover the trail is searched for its event (clocks of instances and Redis differ). */
const LOOKBACK_MS = 60_000;

/** The recovery pass. */
export class JournalRecovery {
  private readonly graceMs: number;
  private readonly batch: number;

  constructor(private readonly opts: JournalRecoveryOptions) {
    this.graceMs = opts.graceMs ?? 30_000;
    this.batch = opts.batch ?? 200;
  }

  /** Runs one pass; rejects when storage or the trail cannot be read (the next pass tries again). */
  async run(): Promise<RecoveryReport> {
    const now = Number(this.opts.clock.nowNs() / 1_000_000n);
    const cutoff = now - this.graceMs;
    const report = { withdrawn: 0, confirmed: 0, recovered: 0, alreadyRecorded: 0, dropped: 0 };
    const unrecorded = await this.opts.store.unrecordedSince(cutoff, this.batch);
    const entries = await this.opts.journal.due(cutoff, this.batch);
    if (unrecorded.length === 0 && entries.length === 0) return report;

    const requests = new Map<string, ApprovalRequest | null>();
    const request = async (id: string): Promise<ApprovalRequest | null> => {
      if (!requests.has(id)) requests.set(id, await this.opts.store.get(id));
      return requests.get(id) ?? null;
    };
    let since = cutoff;
    for (const id of unrecorded) since = Math.min(since, (await request(id))?.createdAt ?? cutoff);
    for (const entry of entries) since = Math.min(since, entry.atMs);
    const recorded = await this.opts.recorded.recordedSince(since - LOOKBACK_MS);

    for (const id of unrecorded) {
      const approval = await request(id);
      if (approval === null) continue;
      if (recorded.has(recordedKey.decision(approval.decisionId))) {
        await this.opts.store.markRecorded(id);
        report.confirmed++;
      } else if (await this.opts.store.withdraw(id)) {
        requests.set(id, null);
        await this.opts.audit.onApprovalEvent({
          type: "approval.withdrawn",
          at: now,
          approval,
          reason: "the service stopped before the decision that created this request was recorded; the request was never announced",
        });
        report.withdrawn++;
      }
    }

    for (const entry of entries) {
      const approval = entry.kind === "grant.redeemed" ? null : await request(entry.approvalId);
      if (approval !== null && (await this.opts.store.isUnrecorded(entry.approvalId))) continue; // settled by a later pass
      const rebuilt = rebuild(entry, approval, now);
      if (rebuilt === null) {
        await this.opts.journal.ack([entry.entryId]);
        report.dropped++;
      } else if (recorded.has(rebuilt.key)) {
        await this.opts.journal.ack([entry.entryId]);
        report.alreadyRecorded++;
      } else {
        await this.opts.audit.onApprovalEvent(rebuilt.event);
        report.recovered++;
      }
    }
    return report;
  }
}

/** The event a journal entry stands for, with the key it is recorded under; null when it cannot be rebuilt. */
function rebuild(entry: JournalEntry, approval: ApprovalRequest | null, now: number): { event: ApprovalEvent; key: string } | null {
  const common = { at: now, journal: [entry.entryId], recovered: true } as const;
  if (entry.kind === "grant.redeemed") {
    const event = parseRedeemed(entry.event);
    return event === null ? null : { event: { ...event, ...common }, key: recordedKey.grantRedeemed(event.jti) };
  }
  if (approval === null) return null;
  switch (entry.kind) {
    case "created":
      return { event: { type: "approval.created", approval, ...common }, key: recordedKey.created(approval.id) };
    case "verdict": {
      // Each verdict raised the version by one from 1: the verdict of version v is the (v - 1)th.
      const verdict = approval.verdicts[entry.version - 2];
      if (verdict === undefined) return null;
      return {
        event: { type: "approval.verdict", approval, verdict, ...common },
        key: recordedKey.verdict(approval.id, verdict.reviewerId),
      };
    }
    case "final": {
      const status = approval.status;
      if (status === "pending") return null;
      const cause = status === "cancelled" ? "cancel" : status === "expired" ? "expiry" : "verdict";
      return { event: { type: "approval.finalized", status, cause, approval, ...common }, key: recordedKey.final(approval.id) };
    }
    case "grant.issued": {
      const grant = approval.grant;
      if (grant === undefined) return null;
      return {
        event: {
          type: "grant.issued",
          approvalId: approval.id,
          jti: grant.jti,
          actorId: approval.requesters.actorId,
          approvers: evaluateQuorum(approval.requirements, approval.verdicts).approvers,
          expiresAt: grant.expiresAt,
          actionDigest: approval.actionDigest,
          ...common,
        },
        key: recordedKey.grantIssued(grant.jti),
      };
    }
  }
}

function parseRedeemed(text: string | undefined): GrantRedeemedEvent | null {
  if (text === undefined) return null;
  try {
    const event = JSON.parse(text) as GrantRedeemedEvent;
    return event.type === "grant.redeemed" && typeof event.jti === "string" && typeof event.approvalId === "string" ? event : null;
  } catch {
    return null;
  }
}
