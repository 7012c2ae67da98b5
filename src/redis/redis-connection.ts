/**
 * Opening ioredis connections with the settings every Countersign store expects.
 *
 * Commands fail fast while Redis is unreachable (instead of queueing forever), so a decision or a verdict
 * answers with an error rather than hanging; ioredis keeps reconnecting in the background.
 */

import Redis, { type RedisOptions } from "ioredis";

/** Settings shared by all Countersign connections; `overrides` win. */
export function redisOptions(overrides: RedisOptions = {}): RedisOptions {
  return {
    // A command waits for at most one reconnect before it fails.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 5_000,
    ...overrides,
  };
}

/** Opens a connection to `url` (`redis://`, `rediss://`); call `quit()` when done. */
export function openRedis(url: string, overrides: RedisOptions = {}): Redis {
  return new Redis(url, redisOptions(overrides));
}
