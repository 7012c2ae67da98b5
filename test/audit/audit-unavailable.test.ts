import { promises as fs } from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { findFreePort, startEmbeddedRedis } from "../../src/redis/embedded-redis";
import { openRedis } from "../../src/redis/redis-connection";
import { makeTrail, sampleDecision } from "./audit-fixtures";

describe("audit trail when Redis is unavailable", () => {
  it("rejects record() with COUNTERSIGN_AUDIT_UNAVAILABLE when nothing listens on the port", async () => {
    const port = await findFreePort();
    // No reconnect attempts after the refusal, so no client timer outlives the test.
    const conn = openRedis(`redis://127.0.0.1:${port}`, { retryStrategy: () => null });
    conn.on("error", () => undefined);
    try {
      const { trail } = makeTrail(conn);
      await expect(trail.record(sampleDecision(1))).rejects.toMatchObject({ code: "COUNTERSIGN_AUDIT_UNAVAILABLE" });
      expect(trail.stats()).toMatchObject({ recorded: 0, failed: 1 });
    } finally {
      conn.disconnect();
    }
  });

  it("rejects record() once the server has stopped, and records again after it is back", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "countersign-audit-down-"));
    let server = await startEmbeddedRedis({ dir, appendOnly: true });
    const port = server.port;
    const conn = openRedis(server.url);
    conn.on("error", () => undefined);
    try {
      const { trail } = makeTrail(conn);
      expect((await trail.record(sampleDecision(1))).seq).toBe(1);
      await server.stop();
      await expect(trail.record(sampleDecision(2))).rejects.toMatchObject({ code: "COUNTERSIGN_AUDIT_UNAVAILABLE" });
      server = await startEmbeddedRedis({ dir, port, appendOnly: true });
      // The AOF kept entry 1; the chain goes on from it.
      let seq = 0;
      for (let attempt = 0; attempt < 50 && seq === 0; attempt++) {
        seq = await trail.record(sampleDecision(3)).then(
          (r) => r.seq,
          async () => {
            await new Promise((r) => setTimeout(r, 100));
            return 0;
          },
        );
      }
      expect(seq).toBe(2);
    } finally {
      conn.disconnect();
      await server.stop();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it("rejects record() when an append is not confirmed in time", async () => {
    // A server that accepts connections and never answers.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const conn = openRedis(`redis://127.0.0.1:${port}`, { enableReadyCheck: false });
    conn.on("error", () => undefined);
    try {
      const { trail } = makeTrail(conn, { appendTimeoutMs: 200, maxBatch: 10 });
      const started = Date.now();
      await expect(trail.record(sampleDecision(1))).rejects.toMatchObject({
        code: "COUNTERSIGN_AUDIT_UNAVAILABLE",
        message: expect.stringMatching(/200 ms/),
      });
      expect(Date.now() - started).toBeLessThan(2_000);
      // Records queued behind a failed append fail with it instead of waiting out a timeout per batch.
      const again = Date.now();
      const results = await Promise.allSettled(Array.from({ length: 300 }, (_, i) => trail.record(sampleDecision(i))));
      expect(
        results.every((r) => r.status === "rejected" && (r.reason as { code?: string }).code === "COUNTERSIGN_AUDIT_UNAVAILABLE"),
      ).toBe(true);
      expect(Date.now() - again).toBeLessThan(1_000);
    } finally {
      conn.disconnect();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
