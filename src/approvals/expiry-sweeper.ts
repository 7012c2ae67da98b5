/**
 * The expiry sweeper: every instance runs one; each run expires the requests that are due and sends the
 * reminders and escalations that are due. The store's scripts claim each due id atomically, so with several
 * instances every request is expired, reminded and escalated, and announced, exactly once.
 */

import type { ApprovalRequest } from "./approval-request";
import { intervalScheduler, type Scheduler } from "./scheduler";

/** What the sweeper drives (implemented by `ApprovalService`). */
export interface ExpiringService {
  expireDue(): Promise<ApprovalRequest[]>;
  remindAndEscalate?(): Promise<unknown>;
}

/** Options of the sweeper. */
export interface ExpirySweeperOptions {
  /** Time between runs. Default 1000 ms. */
  readonly intervalMs?: number;
  readonly scheduler?: Scheduler;
  /** Told about a failed run (Redis down); the next run tries again. */
  readonly onError?: (err: unknown) => void;
}

/** Runs `expireDue` periodically. */
export class ExpirySweeper {
  private stopTimer: (() => void) | undefined;

  constructor(
    private readonly service: ExpiringService,
    private readonly options: ExpirySweeperOptions = {},
  ) {}

  /** Starts the periodic runs (idempotent). */
  start(): void {
    if (this.stopTimer) return;
    const scheduler = this.options.scheduler ?? intervalScheduler;
    this.stopTimer = scheduler.every(this.options.intervalMs ?? 1000, async () => {
      await this.runOnce();
    });
  }

  /** Stops the periodic runs. */
  stop(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
  }

  /** One sweep; returns what this instance expired. Failures go to `onError`. */
  async runOnce(): Promise<ApprovalRequest[]> {
    try {
      const expired = await this.service.expireDue();
      await this.service.remindAndEscalate?.();
      return expired;
    } catch (err) {
      this.options.onError?.(err);
      return [];
    }
  }
}
