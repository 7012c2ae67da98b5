/**
 * Test helper: a private `redis-server` for one test file, started on a free port in a temporary directory
 * before the file's tests and stopped after them.
 *
 * It never reads REDIS_URL and never connects anywhere but the server it started, so a developer's own
 * Redis is never flushed by a test run.
 */

import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type Redis from "ioredis";
import { startEmbeddedRedis, type EmbeddedRedis } from "../../src/redis/embedded-redis";
import { openRedis } from "../../src/redis/redis-connection";

/** What a test file gets from `useRedisServer`. */
export interface TestRedis {
  /** The private server's URL (valid inside tests, after beforeAll). */
  readonly url: string;
  /** A new connection to the private server, closed automatically after the file's tests. */
  connect(): Redis;
  /** FLUSHALL on the private server. */
  flush(): Promise<void>;
}

/**
 * Registers beforeAll/afterAll hooks that start and stop a private redis-server; with `flushBetweenTests`
 * every test starts from an empty database.
 */
export function useRedisServer(options: { flushBetweenTests?: boolean } = {}): TestRedis {
  let server: EmbeddedRedis | undefined;
  let dir = "";
  let admin: Redis | undefined;
  const connections: Redis[] = [];

  const handle: TestRedis = {
    get url(): string {
      if (!server) throw new Error("the test redis-server is not running (use it inside tests)");
      return server.url;
    },
    connect(): Redis {
      const redis = openRedis(handle.url);
      connections.push(redis);
      return redis;
    },
    async flush(): Promise<void> {
      await admin?.flushall();
    },
  };

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "countersign-redis-"));
    server = await startEmbeddedRedis({ dir, appendOnly: false });
    admin = openRedis(server.url);
  });

  if (options.flushBetweenTests) {
    beforeEach(async () => {
      await handle.flush();
    });
  }

  afterAll(async () => {
    await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    await admin?.quit().catch(() => admin?.disconnect());
    await server?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  return handle;
}
