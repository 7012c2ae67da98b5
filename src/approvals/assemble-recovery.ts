/**
 * The approval recovery pass as the service runs it: at start, then every RECOVERY_INTERVAL_MS (or the
 * grace period, when shorter), it records in the trail what a stopped instance left journalled but
 * unrecorded, and settles the leftovers.
 */

import type { Logger } from "../observability/logger";
import { throttledWarning } from "../observability/throttled-warning";
import type { Clock } from "../policy/clock";
import type { ApprovalEventListener } from "./approval-events";
import type { RedisApprovalJournal } from "./approval-journal";
import { JournalRecovery, type RecordedEvents, type RecoverableStore } from "./journal-recovery";
import { intervalScheduler } from "./scheduler";

/** How often each instance runs the approval recovery pass. */
const RECOVERY_INTERVAL_MS = 5000;

/** What the pass reads and writes. */
export interface RecoveryDeps {
  readonly store: RecoverableStore;
  readonly journal: RedisApprovalJournal;
  /** The trail's approval listener (records each event and deletes its journal entries). */
  readonly audit: ApprovalEventListener;
  readonly recorded: RecordedEvents;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How old a leftover must be before the pass settles it (default 30 s). */
  readonly graceMs?: number | undefined;
}

/** Runs the pass now and on an interval; returns the function that stops it. */
export function assembleRecovery(deps: RecoveryDeps): () => void {
  const { logger } = deps;
  const recovery = new JournalRecovery({
    store: deps.store,
    journal: deps.journal,
    audit: deps.audit,
    recorded: deps.recorded,
    clock: deps.clock,
    ...(deps.graceMs === undefined ? {} : { graceMs: deps.graceMs }),
  });
  const report = throttledWarning(logger, deps.clock, "approval recovery pass failed");
  const runRecovery = async (): Promise<void> => {
    try {
      const done = await recovery.run();
      if (done.withdrawn + done.confirmed + done.recovered + done.alreadyRecorded + done.dropped > 0) {
        logger.warn("approval recovery: settled what a stopped instance left unrecorded", { ...done });
      }
    } catch (err) {
      report(err);
    }
  };
  void runRecovery();
  return intervalScheduler.every(Math.min(RECOVERY_INTERVAL_MS, deps.graceMs ?? RECOVERY_INTERVAL_MS), runRecovery);
}
