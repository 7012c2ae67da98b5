/**
 * Delivers final-state callbacks: claims due entries from the outbox, POSTs a signed body to the request's
 * `callback_url`, and on failure schedules the next attempt with exponential backoff (time from the injected
 * clock, runs from the injected scheduler) until `maxAttempts`, then gives up with a `callback.failed`
 * event. Delivery is at least once: receivers de-duplicate on `delivery.id`.
 */

import type { ApprovalEvent, ApprovalEventListener } from "../approvals/approval-events";
import type { ApprovalRequest } from "../approvals/approval-request";
import { millis } from "../approvals/id-source";
import { intervalScheduler, type Scheduler } from "../approvals/scheduler";
import type { CallbackOutbox } from "./callback-outbox";
import type { CallbackSender } from "./callback-sender";
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signCallbackBody } from "./callback-signature";

/** The JSON body of a callback. */
export interface CallbackBody {
  readonly approval_id: string;
  readonly status: ApprovalRequest["status"];
  readonly decided_at: string | null;
  readonly decision_id: string;
  readonly action_digest: string;
  readonly actor_id: string;
  readonly action: string;
  readonly verdicts: readonly { reviewer_id: string; verdict: string; comment?: string; channel: string; at: string }[];
  readonly cancellation?: { by: string; reason?: string };
  /** Stable across retries; `attempt` counts from 1. */
  readonly delivery: { readonly id: string; readonly attempt: number };
  /** Unix seconds when this attempt was sent; equals `X-Countersign-Timestamp`. */
  readonly timestamp: number;
}

/** What the dispatcher is built from. */
export interface CallbackDispatcherDeps {
  readonly outbox: CallbackOutbox;
  /** Where the request is read from (the approval store). */
  readonly approvals: { get(id: string): Promise<ApprovalRequest | null> };
  readonly sender: CallbackSender;
  /** HMAC secret. */
  readonly secret: string;
  readonly clock: { nowNs(): bigint };
  readonly events?: ApprovalEventListener;
  /** Default 8. */
  readonly maxAttempts?: number;
  /** Default 1000 ms; doubles per attempt. */
  readonly initialBackoffMs?: number;
  /** Default 300 000 ms. */
  readonly maxBackoffMs?: number;
  /** How long a claimed delivery stays hidden from other dispatchers. Default 60 000 ms (above the send timeout). */
  readonly leaseMs?: number;
  /** Deliveries claimed per run. Default 20. */
  readonly batch?: number;
  readonly scheduler?: Scheduler;
  /** Time between runs. Default 1000 ms. */
  readonly intervalMs?: number;
  /** Run at once when this instance finalizes a request with a callback (default true). */
  readonly runOnFinal?: boolean;
  readonly onError?: (err: unknown) => void;
}

/** The callback worker; also an event listener, so a local final state triggers an immediate run. */
export class CallbackDispatcher implements ApprovalEventListener {
  private stopTimer: (() => void) | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly deps: CallbackDispatcherDeps) {}

  /** Starts periodic runs. */
  start(): void {
    if (this.stopTimer) return;
    this.stopTimer = (this.deps.scheduler ?? intervalScheduler).every(this.deps.intervalMs ?? 1000, async () => {
      await this.runOnce();
    });
  }

  /** Stops periodic runs. */
  stop(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
  }

  onApprovalEvent(event: ApprovalEvent): void {
    if ((this.deps.runOnFinal ?? true) && event.type === "approval.finalized" && event.approval.callbackUrl) void this.runOnce();
  }

  /** Claims and attempts every due delivery; returns how many were delivered. */
  async runOnce(): Promise<number> {
    // One run at a time per instance; a concurrent call waits for the current run and then runs again.
    const previous = this.running;
    const run = (async () => {
      if (previous) await previous.catch(() => 0);
      try {
        return await this.deliverDue();
      } catch (err) {
        this.deps.onError?.(err);
        return 0;
      }
    })();
    this.running = run;
    return run;
  }

  /** The delay before attempt `attempt + 1` after attempt `attempt` failed. */
  backoffMs(attempt: number): number {
    const initial = this.deps.initialBackoffMs ?? 1000;
    return Math.min(this.deps.maxBackoffMs ?? 300_000, initial * 2 ** Math.max(0, attempt - 1));
  }

  private async deliverDue(): Promise<number> {
    const now = millis(this.deps.clock);
    const claimed = await this.deps.outbox.claim(now, this.deps.batch ?? 20, this.deps.leaseMs ?? 60_000);
    const results = await Promise.all(claimed.map((c) => this.deliver(c.approvalId, c.attempt)));
    return results.filter(Boolean).length;
  }

  private async deliver(approvalId: string, attempt: number): Promise<boolean> {
    const approval = await this.deps.approvals.get(approvalId);
    if (!approval || !approval.callbackUrl || approval.status === "pending") {
      await this.deps.outbox.complete(approvalId);
      return false;
    }
    const now = millis(this.deps.clock);
    const timestamp = Math.floor(now / 1000);
    const body = JSON.stringify(callbackBody(approval, attempt, timestamp));
    const result = await this.deps.sender.send(approval.callbackUrl, body, {
      [SIGNATURE_HEADER]: signCallbackBody(body, this.deps.secret),
      [TIMESTAMP_HEADER]: String(timestamp),
      [DELIVERY_HEADER]: approval.id,
    });
    const at = millis(this.deps.clock);
    if (result.ok) {
      await this.deps.outbox.complete(approvalId);
      await this.deps.events?.onApprovalEvent({ type: "callback.delivered", at, approvalId, attempts: attempt });
      return true;
    }
    const detail = result.detail ?? (result.status !== undefined ? `HTTP ${result.status}` : "failed");
    if (attempt >= (this.deps.maxAttempts ?? 8) || detail.startsWith("refused:")) {
      await this.deps.outbox.complete(approvalId);
      await this.deps.events?.onApprovalEvent({ type: "callback.failed", at, approvalId, attempts: attempt, detail });
      return false;
    }
    await this.deps.outbox.retryAt(approvalId, at + this.backoffMs(attempt));
    return false;
  }
}

/** The callback body for a final request. */
export function callbackBody(approval: ApprovalRequest, attempt: number, timestamp: number): CallbackBody {
  const iso = (ms: number): string => new Date(ms).toISOString();
  return {
    approval_id: approval.id,
    status: approval.status,
    decided_at: approval.decidedAt !== undefined ? iso(approval.decidedAt) : null,
    decision_id: approval.decisionId,
    action_digest: approval.actionDigest,
    actor_id: approval.requesters.actorId,
    action: approval.request.action.name,
    verdicts: approval.verdicts.map((v) => ({
      reviewer_id: v.reviewerId,
      verdict: v.verdict,
      ...(v.comment !== undefined ? { comment: v.comment } : {}),
      channel: v.channel,
      at: iso(v.at),
    })),
    ...(approval.cancellation ? { cancellation: approval.cancellation } : {}),
    delivery: { id: approval.id, attempt },
    timestamp,
  };
}
