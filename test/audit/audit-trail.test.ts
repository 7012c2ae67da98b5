import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createFileAuditMirror } from "../../src/audit/audit-mirror";
import { decisionEvent } from "../../src/audit/audit-event";
import { GENESIS_HASH, computeEntryHash, prepareEvent, sealBatch } from "../../src/audit/chain";
import { signHead, verifyHeadSignature } from "../../src/audit/head-signature";
import { verifyStoredTrail } from "../../src/audit/verify";
import { useRedisServer } from "../support/redis-server";
import { AuditTrail } from "../../src/audit/audit-trail";
import { makeTrail, newSigningKey, sampleApprovalFlow, sampleDecision, steppingClock, TEST_SALT } from "./audit-fixtures";

const redis = useRedisServer({ flushBetweenTests: true });

describe("audit trail", () => {
  it("stores an event before record() resolves, chained from the genesis hash", async () => {
    const conn = redis.connect();
    const { trail, store, key } = makeTrail(conn, { clock: steppingClock(1_790_000_000_000_000_000n, 1n), labels: { id: "instance-a" } });
    const receipt = await trail.record(sampleDecision(1));
    expect(receipt).toMatchObject({ seq: 1, id: "1-0", timestamp: "2026-09-21T14:13:20.000000001Z" });
    const rows = await conn.xrange("countersign:audit", "-", "+");
    expect(rows).toHaveLength(1);
    const [id, fields] = rows[0]!;
    expect(id).toBe("1-0");
    const entry = JSON.parse(fields[1]!) as Record<string, unknown>;
    expect(entry).toMatchObject({
      seq: 1,
      prev_hash: GENESIS_HASH,
      hash: receipt.hash,
      type: "decision",
      labels: { id: "instance-a" },
      masked: ["/input/action/params/query"],
    });
    expect(computeEntryHash(entry)).toBe(receipt.hash);
    const head = await store.readHead();
    expect(head).toMatchObject({ seq: 1, hash: receipt.hash, kid: key.verification.kid });
    expect(verifyHeadSignature(head!, key.verification)).toBe(true);
  });

  it("keeps one instance's order and groups concurrent records into few appends", async () => {
    const { trail, store, key } = makeTrail(redis.connect());
    const receipts = await Promise.all(Array.from({ length: 200 }, (_, i) => trail.record(sampleDecision(i))));
    expect(receipts.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const stats = trail.stats();
    expect(stats.recorded).toBe(200);
    expect(stats.appends).toBeLessThan(200);
    expect(stats.largestBatch).toBeGreaterThan(1);
    const result = await verifyStoredTrail(store, { keys: [key.verification] });
    expect(result).toMatchObject({ ok: true, entries: 200 });
  });

  it("appends one entry per call when batching is off", async () => {
    const { trail } = makeTrail(redis.connect(), { maxBatch: 1 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => trail.record(sampleDecision(i))));
    expect(trail.stats()).toMatchObject({ recorded: 20, appends: 20, largestBatch: 1 });
  });

  it("leaves one gap-free chain when two instances append concurrently", async () => {
    const key = newSigningKey();
    const a = makeTrail(redis.connect(), { key, labels: { id: "a" } });
    const b = makeTrail(redis.connect(), { key, labels: { id: "b" } });
    // Each instance serves 64 clients that record one event after another, as request handlers do.
    const clients = 64;
    const perClient = 10;
    const perInstance = clients * perClient;
    const started = Date.now();
    const run = async (t: typeof a, label: string): Promise<number[]> => {
      const seqs: number[] = [];
      await Promise.all(
        Array.from({ length: clients }, async (_, c) => {
          for (let i = 0; i < perClient; i++)
            seqs.push((await t.trail.record(sampleDecision(c * perClient + i, { actor: `agent:${label}` }))).seq);
        }),
      );
      return seqs;
    };
    const [seqA, seqB] = await Promise.all([run(a, "a"), run(b, "b")]);
    const elapsed = Date.now() - started;
    const all = [...seqA, ...seqB].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 2 * perInstance }, (_, i) => i + 1));
    const result = await verifyStoredTrail(a.store, { keys: [key.verification] });
    expect(result).toMatchObject({ ok: true, entries: 2 * perInstance });
    const sa = a.trail.stats();
    const sb = b.trail.stats();
    console.log(
      `two instances, ${2 * perInstance} events in ${elapsed} ms: appends ${sa.appends}+${sb.appends}, ` +
        `lost races ${sa.conflicts}+${sb.conflicts}, turn waits ${sa.turnWaits}+${sb.turnWaits}, largest batch ${sa.largestBatch}/${sb.largestBatch}`,
    );
    expect(sa.failed + sb.failed).toBe(0);
  });

  it("gives the next append to the instance that lost a race (the turn)", async () => {
    const conn = redis.connect();
    const key = newSigningKey();
    const { store, trail: stamper } = makeTrail(conn, { key });
    const seal = async (head: { seq: number; hash: string }, i: number) => {
      const sealed = sealBatch(head, [prepareEvent(stamper.stamp(sampleDecision(i)))]);
      return { sealed, signed: await signHead(sealed[0]!, key) };
    };
    const first = await seal({ seq: 0, hash: GENESIS_HASH }, 1);
    expect(await store.append({ seq: 0, hash: GENESIS_HASH }, first.sealed, first.signed, "a")).toEqual({ ok: true });
    const head1 = { seq: 1, hash: first.sealed[0]!.hash };
    // "b" sealed against a stale head: it loses and takes the turn.
    const stale = await seal({ seq: 0, hash: GENESIS_HASH }, 2);
    expect(await store.append({ seq: 0, hash: GENESIS_HASH }, stale.sealed, stale.signed, "b")).toEqual({
      ok: false,
      head: head1,
      waitTurn: false,
    });
    expect(await conn.get("{countersign:audit}:turn")).toBe("b");
    // "a" is up to date but must wait for b's turn.
    const a2 = await seal(head1, 3);
    expect(await store.append(head1, a2.sealed, a2.signed, "a")).toEqual({ ok: false, head: head1, waitTurn: true });
    const b2 = await seal(head1, 2);
    expect(await store.append(head1, b2.sealed, b2.signed, "b")).toEqual({ ok: true });
    expect(await conn.exists("{countersign:audit}:turn")).toBe(0);
  });

  it("continues a chain another instance started (its head is learnt from the first conflict)", async () => {
    const key = newSigningKey();
    const first = makeTrail(redis.connect(), { key });
    await first.trail.record(sampleDecision(1));
    await first.trail.record(sampleDecision(2));
    const later = makeTrail(redis.connect(), { key });
    expect((await later.trail.record(sampleDecision(3))).seq).toBe(3);
    expect(await verifyStoredTrail(later.store, { keys: [key.verification] })).toMatchObject({ ok: true, entries: 3 });
  });

  it("records a full approval flow in order", async () => {
    const { trail, store } = makeTrail(redis.connect());
    await trail.record(sampleDecision(7, { outcome: "require_approval", action: "iam.role.update" }));
    for (const d of sampleApprovalFlow("a-7")) await trail.record(d);
    const rows = await store.readAscending(null, 100);
    expect(rows.map((r) => (JSON.parse(r.line) as { type: string }).type)).toEqual([
      "decision",
      "approval.created",
      "approval.verdict",
      "approval.verdict",
      "approval.final",
    ]);
  });

  it("refuses to write past entries that are not covered by its head", async () => {
    const conn = redis.connect();
    const { trail } = makeTrail(conn);
    await trail.record(sampleDecision(1));
    await conn.del("{countersign:audit}:head");
    await expect(trail.record(sampleDecision(2))).rejects.toMatchObject({
      code: "COUNTERSIGN_AUDIT_UNAVAILABLE",
      message: expect.stringMatching(/past its head/),
    });
    expect(await conn.xlen("countersign:audit")).toBe(1);
  });

  it("reports a rolled-back trail (Redis lost entries it had acknowledged) and carries on from the stored head", async () => {
    const conn = redis.connect();
    const rollbacks: { storedSeq: number; knownSeq: number }[] = [];
    const { store, key } = makeTrail(conn);
    const t = new AuditTrail({
      store,
      signingKey: key,
      clock: steppingClock(),
      maskSalt: TEST_SALT,
      maxBatch: 1,
      onRollback: (r) => rollbacks.push(r),
    });
    for (let i = 1; i <= 3; i++) await t.record(sampleDecision(i));
    // As after a restart that lost the last second of AOF: only entry 1 and its signed head survive.
    const [[, fields]] = (await conn.xrange("countersign:audit", "1-0", "1-0")) as [[string, string[]]];
    const first = (await store.readAscending(null, 1))[0]!;
    await conn.del("countersign:audit");
    await conn.xadd("countersign:audit", "1-0", ...fields);
    await conn.hset("{countersign:audit}:head", {
      seq: "1",
      hash: first.checkpoint!.hash,
      kid: first.checkpoint!.kid,
      sig: first.checkpoint!.sig,
    });
    expect((await t.record(sampleDecision(4))).seq).toBe(2);
    expect(rollbacks).toEqual([{ storedSeq: 1, knownSeq: 3 }]);
    expect(t.stats().rollbacks).toBe(1);
    expect(await verifyStoredTrail(store, { keys: [key.verification] })).toMatchObject({ ok: true, entries: 2 });
  });

  it("rejects an event JSON cannot carry with COUNTERSIGN_AUDIT_UNAVAILABLE", async () => {
    const { trail } = makeTrail(redis.connect());
    const bad = decisionEvent({ decisionId: "d", caller: "c", input: { n: Number.NaN }, outcome: "allow", reasons: [], policy: null });
    await expect(trail.record(bad)).rejects.toMatchObject({ code: "COUNTERSIGN_AUDIT_UNAVAILABLE" });
  });

  it("mirrors stored entries to a JSON-lines file, and a failing mirror changes nothing", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "countersign-audit-mirror-"));
    try {
      const file = path.join(dir, "audit.jsonl");
      const { trail } = makeTrail(redis.connect(), { mirror: createFileAuditMirror({ filename: file }) });
      const receipts = await Promise.all([1, 2, 3].map((i) => trail.record(sampleDecision(i))));
      await trail.close();
      const lines = (await fs.readFile(file, "utf8")).trim().split("\n");
      const stored = await redis.connect().xrange("countersign:audit", "-", "+");
      expect(lines).toEqual(stored.map(([, f]) => f[1]));
      expect(lines.map((l) => (JSON.parse(l) as { hash: string }).hash)).toEqual(receipts.map((r) => r.hash));

      // A mirror into a path that cannot be a directory (a file stands there).
      const errors: Error[] = [];
      const broken = createFileAuditMirror({ filename: path.join(file, "nested", "audit.jsonl"), onError: (e) => errors.push(e) });
      const t2 = makeTrail(redis.connect(), { mirror: broken });
      const r = await t2.trail.record(sampleDecision(4));
      expect(r.seq).toBe(4);
      await t2.trail.close();
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
