/**
 * Archival to S3-compatible storage, against a local S3-compatible server (s3rver, in-process) and a real
 * redis-server: segments are written as objects, never replaced (conditional writes where the server honours
 * them, check-then-put where it does not), read back and verified before Redis is trimmed; the archive in S3
 * plus the hot stream verify as one chain (library and CLI `--archive s3://…`); editing or deleting a segment
 * object is found and named; the service archives to S3 on its own with `audit.archive.s3`.
 */

import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { gunzipSync, gzipSync } from "node:zlib";
import request from "supertest";
import { SegmentExistsError } from "../../src/audit/archive-store";
import { verifyArchivedTrail } from "../../src/audit/archive-verify";
import { S3ArchiveStore } from "../../src/audit/s3-archive-store";
import { TrailArchiver } from "../../src/audit/trail-archiver";
import { runAuditCommand } from "../../src/cli/audit-command";
import type { CliIo } from "../../src/cli/cli-io";
import { useRedisServer } from "../support/redis-server";
import { S3_TEST_ENV, startS3Server, type TestS3Server } from "../support/s3-server";
import { makeTrail, newSigningKey, sampleDecision, steppingClock } from "./audit-fixtures";
import { approvalClient } from "../http/approval-client";
import { approvalTestService, AUTH, eventually, tempDir as httpTemp, writeBundle } from "../http/service-harness";

const redis = useRedisServer({ flushBetweenTests: true });
let s3: TestS3Server;
let raw: S3Client;
let prefixNo = 0;
beforeAll(async () => {
  s3 = await startS3Server();
  raw = new S3Client({
    endpoint: s3.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
});
afterAll(async () => {
  raw.destroy();
  await s3.close();
});

function s3Store(opts: { conditional?: boolean; prefix?: string } = {}): S3ArchiveStore {
  return new S3ArchiveStore(
    {
      bucket: s3.bucket,
      prefix: opts.prefix ?? `trail-${++prefixNo}/`,
      endpoint: opts.conditional === true ? s3.conditionalEndpoint : s3.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
    },
    S3_TEST_ENV,
  );
}

async function record(trail: ReturnType<typeof makeTrail>["trail"], from: number, n: number, concurrency = 64): Promise<void> {
  let next = from;
  const end = from + n;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < end) await trail.record(sampleDecision(next++));
    }),
  );
}

async function archivedToS3(entries: number, segmentEntries: number, conditional = false) {
  const key = newSigningKey();
  const conn = redis.connect();
  const { trail, store } = makeTrail(conn, { key });
  await record(trail, 1, entries);
  const archive = s3Store({ conditional });
  const archiver = new TrailArchiver({
    redis: conn,
    store,
    archive,
    signingKey: key,
    clock: steppingClock(),
    segmentEntries,
    maxSegmentsPerRun: 100,
  });
  const segments = await archiver.runOnce();
  return { key, conn, trail, store, archive, archiver, segments };
}

async function cli(sub: string, opts: Record<string, unknown>): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), readStdin: async () => "" };
  const code = await runAuditCommand(sub, [], opts, io, { env: { ...S3_TEST_ENV }, clock: steppingClock() });
  return { code, out, err };
}

describe("writes that never replace a segment", () => {
  it("uses If-None-Match: * where the server honours it", async () => {
    const store = s3Store({ conditional: true });
    expect(await store.conditionalWrites()).toBe(true);
    await store.put("segment-000000000001-000000000002.jsonl.gz", Buffer.from("first"));
    await expect(store.put("segment-000000000001-000000000002.jsonl.gz", Buffer.from("second"))).rejects.toBeInstanceOf(SegmentExistsError);
    expect((await store.get("segment-000000000001-000000000002.jsonl.gz"))?.toString()).toBe("first");
    store.close();
  });

  it("falls back to check-then-put where the server ignores the header (s3rver overwrites)", async () => {
    const store = s3Store();
    expect(await store.conditionalWrites()).toBe(false);
    await store.put("segment-000000000001-000000000002.jsonl.gz", Buffer.from("first"));
    await expect(store.put("segment-000000000001-000000000002.jsonl.gz", Buffer.from("second"))).rejects.toBeInstanceOf(SegmentExistsError);
    expect((await store.get("segment-000000000001-000000000002.jsonl.gz"))?.toString()).toBe("first");
    expect(await store.get("segment-000000000003-000000000004.jsonl.gz")).toBeNull();
    expect(await store.list()).toEqual(["segment-000000000001-000000000002.jsonl.gz"]); // the probe object is not listed
    store.close();
  });
});

it.each([
  ["check-then-put", false],
  ["conditional writes", true],
])("archives to S3 (%s), trims Redis, and the archive plus the stream verify as one chain", async (_how, conditional) => {
  const w = await archivedToS3(3_300, 1_000, conditional);
  expect(w.segments.map((s) => s.fromSeq)).toEqual([1, w.segments[0]!.toSeq + 1, w.segments[1]!.toSeq + 1]);
  const archivedTo = w.segments.at(-1)!.toSeq;
  expect(await w.conn.xlen("countersign:audit")).toBe(3_300 - archivedTo);
  expect(await w.archive.list()).toEqual(w.segments.map((s) => s.name));
  const verdict = await verifyArchivedTrail(w.archive, w.store, { keys: [w.key.verification] });
  expect(verdict).toMatchObject({ ok: true, entries: 3_300, segments: 3, start: "genesis" });

  // The CLI, the archive named by URL.
  const whole = await cli("verify", {
    redis: redis.url,
    archive: w.archive.location,
    s3Endpoint: s3.endpoint,
    s3PathStyle: true,
    key: [w.key.verification.x],
  });
  expect(whole.out).toEqual([expect.stringMatching(/^ok: 3300 entries, head [0-9a-f]{64}$/)]);
  expect(whole.code).toBe(0);
  expect(whole.err.join("\n")).toContain(`archive ${w.archive.location}: 3 segments, then the stream countersign:audit`);
  w.archive.close();
  await w.trail.close();
});

describe("a segment already in S3 under the name the archiver is about to write", () => {
  it("is adopted when it holds exactly the stream's entries (a run stopped between writing and recording it)", async () => {
    const key = newSigningKey();
    const conn = redis.connect();
    const { trail, store } = makeTrail(conn, { key });
    await record(trail, 1, 1_500);
    const archive = s3Store();
    // The first run writes the segment, then "crashes" reading it back: nothing recorded, nothing trimmed.
    let crash = true;
    const crashing = Object.assign(Object.create(archive) as S3ArchiveStore, {
      get: async (name: string) => {
        if (crash) {
          crash = false;
          throw new Error("process stopped");
        }
        return archive.get(name);
      },
    });
    const first = new TrailArchiver({
      redis: conn,
      store,
      archive: crashing,
      signingKey: key,
      clock: steppingClock(),
      segmentEntries: 1_000,
    });
    await expect(first.runOnce()).rejects.toThrow("process stopped");
    expect(await store.archiveState()).toMatchObject({ seq: 0 });
    expect(await conn.xlen("countersign:audit")).toBe(1_500);
    expect(await archive.list()).toHaveLength(1);

    const second = new TrailArchiver({ redis: conn, store, archive, signingKey: key, clock: steppingClock(), segmentEntries: 1_000 });
    const [seg] = await second.runOnce();
    expect(seg!.fromSeq).toBe(1);
    expect(await conn.xlen("countersign:audit")).toBe(1_500 - seg!.toSeq);
    expect(await verifyArchivedTrail(archive, store, { keys: [key.verification] })).toMatchObject({ ok: true, entries: 1_500 });
    archive.close();
    await trail.close();
  });

  it("stops archiving, trimming nothing, when it holds anything else", async () => {
    const key = newSigningKey();
    const conn = redis.connect();
    const { trail, store } = makeTrail(conn, { key, maxBatch: 1 });
    await record(trail, 1, 1_200, 1); // one entry per append: the first segment is exactly 1..1000
    const archive = s3Store();
    await archive.put("segment-000000000001-000000001000.jsonl.gz", gzipSync(Buffer.from('{"seq":1}\n')));
    const archiver = new TrailArchiver({ redis: conn, store, archive, signingKey: key, clock: steppingClock(), segmentEntries: 1_000 });
    await expect(archiver.runOnce()).rejects.toThrow(
      /segment-000000000001-000000001000\.jsonl\.gz was there already and does not hold the stream's entries/,
    );
    expect(await conn.xlen("countersign:audit")).toBe(1_200);
    expect(await store.archiveState()).toMatchObject({ seq: 0 });
    archive.close();
    await trail.close();
  });
});

describe("tampering with segment objects is found, with the segment and seq", () => {
  let w: Awaited<ReturnType<typeof archivedToS3>>;
  beforeEach(async () => {
    w = await archivedToS3(3_200, 1_000);
    expect(w.segments).toHaveLength(3);
  });
  afterEach(async () => {
    w.archive.close();
    await w.trail.close();
  });
  const keyOf = (i: number) => w.archive.location.replace(`s3://${s3.bucket}/`, "") + w.segments[i]!.name;

  it("an edited entry", async () => {
    const got = await raw.send(new GetObjectCommand({ Bucket: s3.bucket, Key: keyOf(1) }));
    const lines = gunzipSync(Buffer.from(await got.Body!.transformToByteArray()))
      .toString("utf8")
      .split("\n");
    const seq = w.segments[1]!.fromSeq + 5;
    const edited = lines.map((l) => (l.includes(`"seq":${seq},`) ? l.replace('"outcome":"allow"', '"outcome":"deny"') : l));
    await raw.send(new PutObjectCommand({ Bucket: s3.bucket, Key: keyOf(1), Body: gzipSync(Buffer.from(edited.join("\n"))) }));
    const v = await verifyArchivedTrail(w.archive, w.store, { keys: [w.key.verification] });
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.problem).toMatchObject({ seq, kind: "modified" });
      expect(v.problem.message).toContain(w.segments[1]!.name);
    }
  });

  it("a deleted segment object", async () => {
    await raw.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: keyOf(0) }));
    const v = await verifyArchivedTrail(w.archive, w.store, { keys: [w.key.verification] });
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.problem).toMatchObject({ seq: 1, kind: "missing" });
      expect(v.problem.message).toContain(`seqs 1..${w.segments[0]!.toSeq} are in no segment`);
    }
    const viaCli = await cli("verify", {
      redis: redis.url,
      archive: w.archive.location,
      s3Endpoint: s3.endpoint,
      s3PathStyle: true,
      key: [w.key.verification.x],
    });
    expect(viaCli.code).toBe(1);
    expect(viaCli.out[0]).toMatch(/^seq 1: missing: /);
  });
});

it("the service archives to S3 on its own with audit.archive.s3", async () => {
  const bundles = httpTemp();
  await writeBundle(bundles, "example", { revision: "archive-s3" });
  const prefix = `service-${++prefixNo}/`;
  const service = await approvalTestService({
    bundlesDir: bundles,
    redisUrl: redis.url,
    env: { ...S3_TEST_ENV },
    configure: (c) => ({
      ...c,
      audit: {
        ...(c.audit ?? {}),
        archive: {
          s3: { bucket: s3.bucket, prefix, endpoint: s3.endpoint, force_path_style: true, region: "us-east-1" },
          segment_entries: 100,
          interval_seconds: 1,
        },
      },
    }),
  });
  const store = s3Store({ prefix });
  try {
    const api = approvalClient(service.app);
    const read = {
      actor: { id: "svc:reporting", type: "service" },
      action: { name: "db.read" },
      resource: { type: "database", id: "prod/orders", environment: "production" },
    };
    for (let i = 0; i < 260; i++) expect((await api.decide(AUTH.caller, read)).body.outcome).toBe("allow");
    const names = await eventually(async () => {
      const list = await store.list();
      return list.length >= 2 ? list : undefined;
    }, "two segments archived to S3 by the service");
    expect(names[0]).toMatch(/^segment-000000000001-/);
    expect(service.log.lines().some((l) => l["message"] === "audit: segment archived and trimmed from Redis")).toBe(true);
    const verdict = await cli("verify", {
      redis: redis.url,
      archive: `s3://${s3.bucket}/${prefix}`,
      s3Endpoint: s3.endpoint,
      s3PathStyle: true,
    });
    expect(verdict.out[0]).toMatch(/^ok: \d+ entries/);
    // GET /v1/audit reads the hot stream and says which seqs are archived and how to export them.
    const page = await request(service.app).get("/v1/audit?limit=500").set("Authorization", AUTH.erin);
    expect(page.status).toBe(200);
    expect(page.body.archived).toMatchObject({
      through_seq: expect.any(Number),
      message: expect.stringContaining("audit export --archive"),
    });
    expect(page.body.entries.at(-1).seq).toBe(page.body.archived.through_seq + 1);
  } finally {
    store.close();
    await service.close();
  }
}, 60_000);
