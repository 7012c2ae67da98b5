/**
 * Final-state callbacks as the service runs them (`approvals.callbacks`): the dispatcher delivering the
 * callback outbox with retries, told at once when this instance finalizes a request, and sweeping the
 * outbox on an interval for the rest.
 */

import type Redis from "ioredis";
import type { ApprovalEventBus } from "../approvals/approval-events";
import type { ApprovalKeys } from "../approvals/approval-keys";
import type { ApprovalRequest } from "../approvals/approval-request";
import type { Logger } from "../observability/logger";
import { throttledWarning } from "../observability/throttled-warning";
import type { Clock } from "../policy/clock";
import type { CallbackConfig } from "../config/callback-config";
import { CallbackDispatcher } from "./callback-dispatcher";
import { RedisCallbackOutbox } from "./callback-outbox";
import { HttpCallbackSender } from "./callback-sender";
import type { CallbackUrlPolicy } from "./callback-url-policy";

/** What the dispatcher runs on. */
export interface CallbackDeps {
  readonly redis: Redis;
  readonly keys: ApprovalKeys;
  /** Reads the request a callback reports. */
  readonly approvals: { get(id: string): Promise<ApprovalRequest | null> };
  readonly events: ApprovalEventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How often the outbox is swept. */
  readonly intervalMs: number;
}

/** Builds the dispatcher, subscribes it to the workflow's events and starts it; `stop()` it on shutdown. */
export function assembleCallbacks(config: CallbackConfig, urlPolicy: CallbackUrlPolicy, deps: CallbackDeps): CallbackDispatcher {
  const dispatcher = new CallbackDispatcher({
    outbox: new RedisCallbackOutbox(deps.redis, deps.keys),
    approvals: deps.approvals,
    sender: new HttpCallbackSender(urlPolicy, config.timeoutMs),
    secret: config.secret,
    clock: deps.clock,
    events: deps.events,
    intervalMs: deps.intervalMs,
    ...(config.maxAttempts === undefined ? {} : { maxAttempts: config.maxAttempts }),
    ...(config.initialBackoffMs === undefined ? {} : { initialBackoffMs: config.initialBackoffMs }),
    ...(config.maxBackoffMs === undefined ? {} : { maxBackoffMs: config.maxBackoffMs }),
    onError: throttledWarning(deps.logger, deps.clock, "callback delivery run failed"),
  });
  deps.events.add(dispatcher); // immediate delivery when this instance finalizes a request
  dispatcher.start();
  return dispatcher;
}
