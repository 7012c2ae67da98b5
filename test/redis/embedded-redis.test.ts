/**
 * The embedded redis-server: starts on 127.0.0.1 with AOF persistence, keeps data across a restart, and
 * stops cleanly.
 */

import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findFreePort, startEmbeddedRedis } from "../../src/redis/embedded-redis";
import { openRedis } from "../../src/redis/redis-connection";

describe("startEmbeddedRedis", () => {
  let dir = "";
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "countersign-embedded-"));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("answers on 127.0.0.1 with AOF on and keeps data across a restart", async () => {
    const first = await startEmbeddedRedis({ dir });
    expect(first.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    const a = openRedis(first.url);
    try {
      expect(await a.config("GET", "appendonly")).toEqual(["appendonly", "yes"]);
      expect(await a.config("GET", "appendfsync")).toEqual(["appendfsync", "everysec"]);
      expect(await a.config("GET", "bind")).toEqual(["bind", "127.0.0.1"]);
      await a.set("countersign:test", "kept");
    } finally {
      await a.quit();
    }
    await first.stop();

    const second = await startEmbeddedRedis({ dir, port: first.port });
    const b = openRedis(second.url);
    try {
      expect(await b.get("countersign:test")).toBe("kept");
    } finally {
      await b.quit();
      await second.stop();
    }
    await expect(fs.readdir(path.join(dir, "appendonlydir"))).resolves.not.toHaveLength(0);
  });

  it("stops the child process", async () => {
    const server = await startEmbeddedRedis({ dir, appendOnly: false });
    await server.stop();
    expect(() => process.kill(server.pid, 0)).toThrow();
  });

  it("fails with a clear error when the port is taken", async () => {
    const port = await findFreePort();
    const holder = await startEmbeddedRedis({ dir, port, appendOnly: false });
    try {
      await expect(
        startEmbeddedRedis({ dir: path.join(dir, "other"), port, appendOnly: false, startTimeoutMs: 3000 }),
      ).rejects.toMatchObject({
        code: "COUNTERSIGN_REDIS_START_FAILED",
      });
    } finally {
      await holder.stop();
    }
  });
});
