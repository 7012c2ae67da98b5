/**
 * The notification outbox's dispatcher as the service runs it: reads what the workflow wrote to the outbox
 * and delivers it to the reviewers' channels (Teams, Slack) with retries, off the request path.
 */

import type { Logger } from "../observability/logger";
import { throttledWarning } from "../observability/throttled-warning";
import type { Clock } from "../policy/clock";
import type { AssembledApprovals } from "./assemble-approvals";
import { NotificationDispatcher, type NotificationSink } from "./notification-dispatcher";
import { fanOutSink } from "./notification-fan-out";

/** What the dispatcher runs on. */
export interface NotificationDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** This instance's consumer name in the outbox's consumer group. */
  readonly consumer: string;
}

/** Starts delivering to every sink; returns the function that stops it. */
export function assembleNotifications(
  approvals: AssembledApprovals,
  sinks: readonly NotificationSink[],
  deps: NotificationDeps,
): () => Promise<void> {
  const { logger } = deps;
  const dispatcher = new NotificationDispatcher({
    redis: approvals.workflow.redis,
    keys: approvals.keys,
    read: (id) => approvals.store.get(id),
    sink: fanOutSink(sinks),
    consumer: deps.consumer,
    onError: throttledWarning(logger, deps.clock, "notifications: delivery failed; retried with back-off"),
    onGiveUp: (approvalId, attempts) => logger.error("notifications: a notification was given up", { approvalId, attempts }),
  });
  dispatcher.start();
  return () => dispatcher.stop();
}
