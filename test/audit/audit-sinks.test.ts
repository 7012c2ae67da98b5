/**
 * Audit sinks on a real redis-server, against local collectors: an HTTP collector that is down catches up
 * when it returns, in order, every entry delivered (signed, with its seqs named); decisions are recorded
 * while it is down; the syslog target writes RFC 5424 frames a TCP collector can split; the archiver never
 * trims an entry a sink has not delivered; the service exposes each sink's lag as a metric.
 */

import { createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createServer, type Server } from "node:net";
import express from "express";
import type { AddressInfo } from "node:net";
import request from "supertest";
import { DirectoryArchiveStore } from "../../src/audit/archive-store";
import { AuditSink } from "../../src/audit/audit-sink";
import { httpAuditSink } from "../../src/audit/http-audit-sink";
import { syslogAuditSink } from "../../src/audit/syslog-audit-sink";
import { TrailArchiver } from "../../src/audit/trail-archiver";
import { approvalTestService, AUTH, eventually, tempDir as httpTemp, writeBundle } from "../http/service-harness";
import { approvalClient } from "../http/approval-client";
import { useRedisServer } from "../support/redis-server";
import { makeTrail, newSigningKey, sampleDecision, steppingClock } from "./audit-fixtures";

const redis = useRedisServer({ flushBetweenTests: true });
const SECRET = "collector-secret";

interface Collector {
  readonly url: string;
  readonly seqs: number[];
  readonly badSignatures: number;
  down: boolean;
  close(): Promise<void>;
}

async function startCollector(): Promise<Collector> {
  const app = express();
  app.use(express.text({ type: "application/x-ndjson", limit: "50mb" }));
  const state = { seqs: [] as number[], badSignatures: 0, down: true };
  app.post("/ingest", (req, res) => {
    if (state.down) return void res.status(503).end();
    const body = req.body as string;
    const want = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
    if (req.headers["x-countersign-signature"] !== want) state.badSignatures++;
    const seqs = body
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { seq: number }).seq);
    expect(req.headers["x-countersign-seqs"]).toBe(`${seqs[0]}-${seqs[seqs.length - 1]}`);
    state.seqs.push(...seqs);
    res.status(200).end();
  });
  const server = await new Promise<import("node:http").Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`,
    get seqs() {
      return state.seqs;
    },
    get badSignatures() {
      return state.badSignatures;
    },
    get down() {
      return state.down;
    },
    set down(v: boolean) {
      state.down = v;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function record(trail: ReturnType<typeof makeTrail>["trail"], from: number, n: number): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < from + n) await trail.record(sampleDecision(next++));
    }),
  );
}

it("an HTTP collector that is down catches up when it returns: every entry, in order, signed; decisions never waited", async () => {
  const collector = await startCollector();
  const conn = redis.connect();
  const { trail, store } = makeTrail(conn);
  const sink = new AuditSink({
    name: "siem",
    redis: conn,
    store,
    target: httpAuditSink({ url: collector.url, secret: SECRET }),
    batch: 200,
    idleMs: 20,
    initialBackoffMs: 20,
    maxBackoffMs: 100,
  });
  try {
    sink.start();
    await record(trail, 1, 1_500); // recorded while the collector answers 503
    expect(collector.seqs).toEqual([]);
    expect(await sink.lag()).toBe(1_500);
    collector.down = false;
    await eventually(async () => ((await sink.lag()) === 0 ? true : undefined), "the sink caught up");
    await record(trail, 1_501, 300);
    await eventually(async () => ((await sink.lag()) === 0 ? true : undefined), "the sink caught up again");
    // At least once: each seq arrived, in order; repeats would only ever be a whole batch sent again.
    const distinct = [...new Set(collector.seqs)];
    expect(distinct).toEqual(Array.from({ length: 1_800 }, (_, i) => i + 1));
    expect(collector.badSignatures).toBe(0);
  } finally {
    await sink.stop();
    await trail.close();
    await collector.close();
  }
}, 60_000);

it("the syslog target writes RFC 5424 messages, octet-counted, that a TCP collector splits back into entries", async () => {
  const received: string[] = [];
  let buffer = "";
  const server: Server = createServer((socket) => {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (;;) {
        const space = buffer.indexOf(" ");
        if (space < 0) break;
        const length = Number(buffer.slice(0, space));
        if (Buffer.byteLength(buffer.slice(space + 1), "utf8") < length) break;
        const rest = Buffer.from(buffer.slice(space + 1), "utf8");
        received.push(rest.subarray(0, length).toString("utf8"));
        buffer = rest.subarray(length).toString("utf8");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const conn = redis.connect();
  const { trail, store } = makeTrail(conn);
  const sink = new AuditSink({
    name: "syslog",
    redis: conn,
    store,
    target: syslogAuditSink({ host: "127.0.0.1", port: (server.address() as AddressInfo).port }),
  });
  try {
    await record(trail, 1, 50);
    expect(await sink.deliverPending()).toBe(50);
    await eventually(() => (received.length === 50 ? true : undefined), "50 syslog messages");
    const m = /^<110>1 (\S+) (\S+) countersign - decision \[countersign@32473 seq="(\d+)"\] (\{.*\})$/.exec(received[6]!);
    expect(m).not.toBeNull();
    expect(m![3]).toBe("7");
    expect(JSON.parse(m![4]!)).toMatchObject({ seq: 7, type: "decision" });
  } finally {
    await sink.stop();
    await trail.close();
    server.close();
  }
});

it("the archiver never trims an entry a sink has not delivered", async () => {
  const collector = await startCollector();
  const conn = redis.connect();
  const key = newSigningKey();
  const { trail, store } = makeTrail(conn, { key });
  const sink = new AuditSink({ name: "slow", redis: conn, store, target: httpAuditSink({ url: collector.url }), batch: 400 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-sink-archive-"));
  const archiver = new TrailArchiver({
    redis: conn,
    store,
    archive: new DirectoryArchiveStore(dir),
    signingKey: key,
    clock: steppingClock(),
    segmentEntries: 500,
    maxSegmentsPerRun: 100,
    deliveredThrough: () => sink.cursor(),
  });
  try {
    await record(trail, 1, 3_000);
    collector.down = false;
    await sink.deliverPending().catch(() => undefined);
    collector.down = true;
    await record(trail, 3_001, 1);
    const delivered = await sink.cursor();
    expect(delivered).toBe(3_000);
    await record(trail, 3_002, 999);
    const before = await sink.cursor();
    await archiver.runOnce();
    const first = await conn.xrange("countersign:audit", "-", "+", "COUNT", 1);
    expect(Number(first[0]![0].split("-")[0])).toBe(before + 1); // archived further, trimmed only what the sink has
    collector.down = false;
    await sink.deliverPending();
    await archiver.runOnce();
    const archived = (await store.archiveState()).seq;
    const after = await conn.xrange("countersign:audit", "-", "+", "COUNT", 1);
    expect(Number(after[0]![0].split("-")[0])).toBe(archived + 1);
  } finally {
    await trail.close();
    await collector.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

it("the service delivers to a configured sink and reports its lag", async () => {
  const collector = await startCollector();
  collector.down = false;
  const bundles = httpTemp();
  await writeBundle(bundles, "example", { revision: "sink-1" });
  const service = await approvalTestService({
    bundlesDir: bundles,
    redisUrl: redis.url,
    env: { TEST_SINK_SECRET: SECRET },
    configure: (c) => ({
      ...c,
      audit: { ...(c.audit ?? {}), sinks: [{ name: "siem", type: "http", url: collector.url, secret_env: "TEST_SINK_SECRET" }] },
    }),
  });
  try {
    const api = approvalClient(service.app);
    const read = {
      actor: { id: "svc:reporting", type: "service" },
      action: { name: "db.read" },
      resource: { type: "database", id: "prod/orders", environment: "production" },
    };
    for (let i = 0; i < 20; i++) await api.decide(AUTH.caller, read);
    await eventually(() => (collector.seqs.length >= 20 ? true : undefined), "decisions delivered to the collector");
    const metrics = await request(service.app).get("/metrics");
    expect(metrics.text).toMatch(/^countersign_audit_sink_lag_entries\{sink="siem"\} \d+$/m);
  } finally {
    await service.close();
    await collector.close();
  }
}, 60_000);
