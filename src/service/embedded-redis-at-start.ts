/**
 * The Redis a start without a Redis URL runs on: the embedded redis-server (AOF on), started before the
 * service is wired, with what start-up says about it (a warning in production, where a Redis of one's own is
 * expected).
 */

import type { ServiceConfig } from "../config/service-config";
import type { Logger } from "../observability/logger";
import { startEmbeddedRedis, type EmbeddedRedis } from "../redis/embedded-redis";
import { ServiceStartError } from "./service-start-error";

/**
 * Starts the embedded redis-server when the configuration names no Redis, and returns the configuration
 * pointing at it; otherwise the configuration as it is. Throws ServiceStartError when it cannot start.
 */
export async function embeddedRedisFor(
  config: ServiceConfig,
  logger: Logger,
): Promise<{ config: ServiceConfig; embedded?: EmbeddedRedis }> {
  if (config.redis.url !== undefined) return { config };
  if (config.mode === "production") {
    logger.warn(
      "no REDIS_URL in production: starting the embedded redis-server; point REDIS_URL at a Redis you run (see src/redis/README.md)",
    );
  }
  let embedded: EmbeddedRedis;
  try {
    embedded = await startEmbeddedRedis({ dir: config.redis.embeddedDir });
  } catch (err) {
    throw new ServiceStartError(
      "COUNTERSIGN_REDIS_START_FAILED",
      `no REDIS_URL, and the embedded Redis did not start: ${(err as Error).message}`,
    );
  }
  logger.info(`embedded redis-server on ${embedded.url} (AOF on, data in ${embedded.dir})`, { pid: embedded.pid });
  return { config: { ...config, redis: { ...config.redis, url: embedded.url } }, embedded };
}
