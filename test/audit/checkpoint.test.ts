/**
 * Checkpoints every interval and deflated entries, on a real redis-server: appends between checkpoints are
 * stored unsigned and signed within the interval (by a later append or by the seal after a quiet spell);
 * the stored trail and its export verify; tampering with a deflated pack, appending behind the trail's
 * back, and old plain and singly deflated entries followed by packs are each handled as the README says.
 */

import { deflateRawSync } from "node:zlib";
import { computeEntryHash } from "../../src/audit/chain";
import { AuditTrail } from "../../src/audit/audit-trail";
import { decodePack, encodeEntry, encodePack } from "../../src/audit/entry-codec";
import { exportTrail } from "../../src/audit/export";
import { RedisAuditStore } from "../../src/audit/redis-audit-store";
import { verifyStoredTrail, verifyTrailLines } from "../../src/audit/verify";
import { useRedisServer } from "../support/redis-server";
import { newSigningKey, sampleDecision, steppingClock, TEST_SALT } from "./audit-fixtures";

const redis = useRedisServer({ flushBetweenTests: true });

function checkpointedTrail(conn: ReturnType<typeof redis.connect>, intervalMs: number, compress = true) {
  const store = new RedisAuditStore(conn, undefined, { compress });
  const key = newSigningKey();
  const trail = new AuditTrail({ store, signingKey: key, clock: steppingClock(), maskSalt: TEST_SALT, checkpointIntervalMs: intervalMs });
  return { store, key, trail };
}

it("stores appends between checkpoints unsigned, signs the end after a quiet spell, and the trail verifies", async () => {
  const conn = redis.connect();
  const { store, key, trail } = checkpointedTrail(conn, 200);
  for (let i = 1; i <= 10; i++) await trail.record(sampleDecision(i));
  // Only the first append signed; the chain's end is past the signed head until the seal.
  const heads = await store.readHeads();
  expect(heads.end?.seq).toBe(10);
  expect(heads.signed?.seq).toBe(1);
  expect(trail.stats().signatures).toBe(1);
  const raw = await conn.xrangeBuffer("countersign:audit", "-", "+");
  expect(
    raw.map(([, f]) =>
      f
        .filter((_, i) => i % 2 === 0)
        .map(String)
        .join(","),
    ),
  ).toEqual(["b,kid,sig", ...Array(9).fill("b")]); // one append each: a pack of one
  // verify --redis waits for the pending checkpoint and covers every entry.
  expect(await verifyStoredTrail(store, { keys: [key.verification] })).toMatchObject({ ok: true, entries: 10 });
  expect((await store.readHeads()).signed?.seq).toBe(10);
  expect(trail.stats().signatures).toBe(2);
  // The export holds every entry as canonical text and verifies.
  const lines: string[] = [];
  await exportTrail(store, (l) => void lines.push(l), { clock: steppingClock(), publicKey: key.verification });
  expect(lines).toHaveLength(11);
  expect(JSON.parse(lines[0]!)).toMatchObject({ seq: 1, decision_id: "d-1" });
  expect(await verifyTrailLines(lines, { keys: [key.verification] })).toMatchObject({ ok: true, entries: 10 });
  await trail.close();
});

it("signs an append once the interval has passed, and close() signs what is left", async () => {
  const conn = redis.connect();
  const { store, trail } = checkpointedTrail(conn, 30);
  for (let i = 1; i <= 3; i++) await trail.record(sampleDecision(i));
  await new Promise((r) => setTimeout(r, 60));
  expect((await store.readHeads()).signed?.seq).toBe(3); // sealed after the quiet spell
  await new Promise((r) => setTimeout(r, 60));
  await trail.record(sampleDecision(4));
  expect((await store.readHeads()).signed?.seq).toBe(4); // the append itself is the checkpoint
  const [, fields] = (await conn.xrangeBuffer("countersign:audit", "4-0", "4-0"))[0]!;
  expect(fields.filter((_, i) => i % 2 === 0).map(String)).toEqual(["b", "kid", "sig"]);
  await trail.record(sampleDecision(5));
  await trail.close();
  expect((await store.readHeads()).signed?.seq).toBe(5);
});

it("detects an edited deflated pack (re-deflated with the dictionary) as modified, and undecodable bytes as malformed", async () => {
  const conn = redis.connect();
  const { store, key, trail } = checkpointedTrail(conn, 0);
  for (let i = 1; i <= 3; i++) await trail.record(sampleDecision(i));
  const rows = await conn.xrangeBuffer("countersign:audit", "-", "+");
  const rebuild = async (edit: (z: Buffer) => Buffer): Promise<void> => {
    await conn.del("countersign:audit");
    for (const [id, fields] of rows) {
      await conn.xadd("countersign:audit", id.toString(), ...fields.map((f, i) => (id.toString() === "2-0" && i === 1 ? edit(f) : f)));
    }
  };
  await rebuild((b) => encodePack(decodePack(b).map((line) => line.replace('"allow"', '"deny"'))));
  expect(await verifyStoredTrail(store, { keys: [key.verification] })).toMatchObject({ ok: false, problem: { seq: 2, kind: "modified" } });
  await rebuild(() => deflateRawSync(Buffer.from("not the dictionary's")).subarray(1));
  expect(await verifyStoredTrail(store, { keys: [key.verification] })).toMatchObject({ ok: false, problem: { seq: 2, kind: "malformed" } });
});

it("reports an entry appended behind the trail's back as past the signed head, without waiting for a checkpoint", async () => {
  const conn = redis.connect();
  const { store, key, trail } = checkpointedTrail(conn, 50);
  for (let i = 1; i <= 3; i++) await trail.record(sampleDecision(i));
  await trail.close();
  const last = JSON.parse((await store.readDescending(null, 1))[0]!.line) as Record<string, unknown>;
  const forged: Record<string, unknown> = { ...last, seq: 4, prev_hash: last["hash"], comment: "forged" };
  forged["hash"] = computeEntryHash(forged);
  await conn.xadd("countersign:audit", "4-0", "z", encodeEntry(JSON.stringify(forged)));
  const started = Date.now();
  const run = await verifyStoredTrail(store, { keys: [key.verification] });
  expect(run).toMatchObject({ ok: false, problem: { seq: 4, kind: "forged_hash" } });
  expect(Date.now() - started).toBeLessThan(1_500);
});

it("reads and verifies a trail whose older entries are plain text, then singly deflated, then packs (upgrades)", async () => {
  const conn = redis.connect();
  const key = newSigningKey();
  const old = new AuditTrail({ store: new RedisAuditStore(conn), signingKey: key, clock: steppingClock(), maskSalt: TEST_SALT });
  for (let i = 1; i <= 3; i++) await old.record(sampleDecision(i));
  await old.close();
  // Entries 2 and 3 as a release that deflated entries one by one stored them (field `z`).
  const rows = await conn.xrange("countersign:audit", "-", "+");
  await conn.del("countersign:audit");
  for (const [id, f] of rows) await conn.xadd("countersign:audit", id, ...(id === "1-0" ? f : ["z", encodeEntry(f[1]!), ...f.slice(2)]));
  const store = new RedisAuditStore(conn, undefined, { compress: true });
  const upgraded = new AuditTrail({ store, signingKey: key, clock: steppingClock(), maskSalt: TEST_SALT, checkpointIntervalMs: 100 });
  await Promise.all([4, 5, 6].map((i) => upgraded.record(sampleDecision(i)))); // one append: a pack of three
  for (let i = 7; i <= 8; i++) await upgraded.record(sampleDecision(i));
  await upgraded.close();
  const fields = (await conn.xrangeBuffer("countersign:audit", "-", "+")).map(([id, f]) => `${id.toString()} ${f[0]!.toString()}`);
  expect(fields).toEqual(["1-0 e", "2-0 z", "3-0 z", "4-0 b", "7-0 b", "8-0 b"]);
  expect((await store.readAscending(null, 10)).map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((s) => `${s}-0`));
  expect(await verifyStoredTrail(store, { keys: [key.verification] })).toMatchObject({ ok: true, entries: 8 });
});
