/**
 * The service's Redis connection: the one ioredis connection the audit trail, the approval workflow and the
 * reviewers' channels share.
 *
 * The connection auto-pipelines (the commands a burst of requests issues in one tick, approval scripts and
 * audit appends, go out in one socket write instead of one each, which was the largest cost of the
 * require_approval path; order per connection is unchanged), fails fast while disconnected, and logs the
 * connection going down and coming back.
 */

import type Redis from "ioredis";
import type { Logger } from "../observability/logger";
import { failFastWhileDisconnected, openRedis } from "./redis-connection";
import { redisLocation } from "./redis-ready-check";

/**
 * The longest any Redis command of the service may take, queued while reconnecting included: a decision
 * that needs the approval store answers a fail-closed deny by then rather than hang.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 2000;

/** The service's connection, where it points (for messages), and how to close it. */
export interface ServiceRedis {
  readonly redis: Redis;
  /** The Redis location without credentials. */
  readonly where: string;
  close(): Promise<void>;
}

/** Opens the service's connection to `url`. */
export function assembleRedis(url: string, logger: Logger): ServiceRedis {
  const where = redisLocation(url);
  const redis = openRedis(url, { commandTimeout: REDIS_COMMAND_TIMEOUT_MS, enableAutoPipelining: true });
  failFastWhileDisconnected(redis);
  watchConnection(redis, where, logger);
  return {
    redis,
    where,
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Logs the connection going down (once per distinct error) and coming back. */
function watchConnection(redis: Redis, where: string, logger: Logger): void {
  let failing: string | undefined;
  redis.on("error", (err: Error) => {
    if (failing === err.message) return;
    failing = err.message;
    logger.warn(`redis ${where}: ${err.message}; reconnecting (decisions that need approval are denied meanwhile)`);
  });
  redis.on("ready", () => {
    if (failing === undefined) return;
    failing = undefined;
    logger.info(`redis ${where}: connection restored`);
  });
}
