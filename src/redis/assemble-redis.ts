/**
 * The service's Redis: the one ioredis connection the audit trail, the approval workflow and the reviewers'
 * channels share, and, when no Redis URL is configured, the embedded redis-server started for it.
 *
 * The connection auto-pipelines (the commands a burst of requests issues in one tick, approval scripts and
 * audit appends, go out in one socket write instead of one each, which was the largest cost of the
 * require_approval path; order per connection is unchanged), fails fast while disconnected, and logs the
 * connection going down and coming back.
 */

import type Redis from "ioredis";
import type { ServiceConfig } from "../config/service-config";
import type { Logger } from "../observability/logger";
import { ServiceStartError } from "../service/service-start-error";
import { startEmbeddedRedis, type EmbeddedRedis } from "./embedded-redis";
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

/**
 * Starts the embedded redis-server when the configuration names no Redis, and returns the configuration
 * pointing at it; otherwise the configuration as it is. Throws ServiceStartError when it cannot start.
 */
export async function embeddedRedisFor(config: ServiceConfig, logger: Logger): Promise<{ config: ServiceConfig; embedded?: EmbeddedRedis }> {
  if (config.redis.url !== undefined) return { config };
  if (config.mode === "production") {
    logger.warn("no REDIS_URL in production: starting the embedded redis-server; point REDIS_URL at a Redis you run (see src/redis/README.md)");
  }
  let embedded: EmbeddedRedis;
  try {
    embedded = await startEmbeddedRedis({ dir: config.redis.embeddedDir });
  } catch (err) {
    throw new ServiceStartError("COUNTERSIGN_REDIS_START_FAILED", `no REDIS_URL, and the embedded Redis did not start: ${(err as Error).message}`);
  }
  logger.info(`embedded redis-server on ${embedded.url} (AOF on, data in ${embedded.dir})`, { pid: embedded.pid });
  return { config: { ...config, redis: { ...config.redis, url: embedded.url } }, embedded };
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
