/**
 * An error callback for recurring background work (an expiry sweep, a delivery run, an archive pass) that
 * logs the first failure and then at most one per interval, so a Redis outage does not flood the log.
 *
 * The interval is measured on the service's injected clock, like everything else that reads the time.
 */

import type { Clock } from "../policy/clock";
import { errorText } from "./error-text";
import type { Logger } from "./logger";

/** A recurring background failure is logged at most this often. */
export const BACKGROUND_FAILURE_LOG_INTERVAL_MS = 60_000;

/** An error callback that warns `what` with the error's message: the first failure, then at most one per interval. */
export function throttledWarning(logger: Logger, clock: Clock, what: string): (err: unknown) => void {
  let last = -Infinity;
  return (err: unknown) => {
    const now = Number(clock.nowNs() / 1_000_000n);
    if (now - last < BACKGROUND_FAILURE_LOG_INTERVAL_MS) return;
    last = now;
    logger.warn(what, { error: errorText(err) });
  };
}
