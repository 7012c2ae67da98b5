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

/**
 * Makes a connection fail its commands at once while it is disconnected, from its first `ready` on (before
 * that, commands wait for the first connection as usual). Without this a command issued during an outage
 * waits in the offline queue for its whole `commandTimeout`, and a decision that issues several one after
 * the other waits for each: denials took 4 to 9 s with a 2 s timeout. A command already written to a Redis
 * that stops answering still fails after `commandTimeout`.
 */
export function failFastWhileDisconnected(redis: Redis): void {
  redis.once("ready", () => {
    (redis.options as RedisOptions).enableOfflineQueue = false;
  });
}

/** Opens a connection to `url` (`redis://`, `rediss://`); call `quit()` when done. */
export function openRedis(url: string, overrides: RedisOptions = {}): Redis {
  return new Redis(url, redisOptions(overrides));
}
