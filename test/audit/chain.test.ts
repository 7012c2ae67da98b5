import { createHash, randomBytes } from "node:crypto";
import canonicalize from "canonicalize";
import type { AuditEvent } from "../../src/audit/audit-event";
import { EMPTY_HEAD, GENESIS_HASH, computeEntryHash, entryHashOf, prepareEvent, sealBatch, sealEntry } from "../../src/audit/chain";
import { rememberJsonText } from "../../src/json/json-text-memo";

function event(extra: Record<string, unknown> = {}): AuditEvent {
  return {
    type: "bundle.activated",
    timestamp: "2026-11-21T12:00:00.000000000Z",
    bundle: "b",
    revision: "r1",
    bundles: { b: { revision: "r1" } },
    ...extra,
  } as AuditEvent;
}

describe("hash chain", () => {
  it("starts at seq 1 from the genesis hash", () => {
    const e = sealEntry(EMPTY_HEAD, prepareEvent(event()));
    expect(e.seq).toBe(1);
    expect(e.prevHash).toBe(GENESIS_HASH);
    expect(GENESIS_HASH).toBe("0".repeat(64));
  });

  it("writes the hash first and hashes the rest of the text, which is the canonical JSON of the entry without its hash", () => {
    const e = sealEntry({ seq: 41, hash: "a".repeat(64) }, prepareEvent(event()));
    const parsed = JSON.parse(e.line) as Record<string, unknown>;
    const { hash, ...rest } = parsed;
    expect(e.line).toBe(`{"hash":"${e.hash}",` + (canonicalize(rest) as string).slice(1));
    expect(hash).toBe(
      createHash("sha256")
        .update(canonicalize(rest) as string)
        .digest("hex"),
    );
    expect(entryHashOf(e.line, parsed)).toBe(e.hash);
    // Without a remembered text the rest is canonical, so the version 2 rule gives the same hash.
    expect(computeEntryHash(parsed)).toBe(e.hash);
    expect(parsed["seq"]).toBe(42);
    expect(parsed["prev_hash"]).toBe("a".repeat(64));
  });

  it("merges chain members in canonical order for any member names", () => {
    // Names around and between "hash", "prev_hash" and "seq", and outside ASCII.
    const names = ["a", "h", "hash_", "has", "prev", "prev_hasi", "q", "se", "seq_", "z", "é", "\u{1F600}", "Z", "_", "~", "i"];
    for (let round = 0; round < 200; round++) {
      const extra: Record<string, unknown> = {};
      for (const n of names)
        if (Math.random() < 0.5) extra[n] = Math.random() < 0.5 ? randomBytes(3).toString("hex") : { n: Math.random(), l: [1, "x"] };
      const e = sealEntry({ seq: round, hash: randomBytes(32).toString("hex") }, prepareEvent(event(extra)));
      const { hash: _hash, ...rest } = JSON.parse(e.line) as Record<string, unknown>;
      expect(e.line).toBe(`{"hash":"${e.hash}",` + (canonicalize(rest) as string).slice(1));
      expect(entryHashOf(e.line, JSON.parse(e.line) as Record<string, unknown>)).toBe(e.hash);
    }
  });

  it("embeds a member's remembered JSON text verbatim (the policy input as evaluated), and the hash covers it", () => {
    const input = { resource: { id: "prod/db" }, action: { name: "read", params: { z: 1, a: 2 } } };
    const evaluated = JSON.stringify(input); // not canonical: members in their own order
    rememberJsonText(input, { text: evaluated });
    const e = sealEntry(EMPTY_HEAD, prepareEvent(event({ input })));
    expect(e.line).toContain(`"input":${evaluated}`);
    const parsed = JSON.parse(e.line) as Record<string, unknown>;
    expect(parsed["input"]).toEqual(input);
    expect(entryHashOf(e.line, parsed)).toBe(e.hash);
    expect(computeEntryHash(parsed)).not.toBe(e.hash); // the text, not a re-serialisation, is what is hashed
    const edited = e.line.replace('"z":1', '"z":2');
    expect(entryHashOf(edited, JSON.parse(edited) as Record<string, unknown>)).not.toBe(e.hash);
    const reordered = e.line.replace('"z":1,"a":2', '"a":2,"z":1'); // same value, other text: a changed entry
    expect(entryHashOf(reordered, JSON.parse(reordered) as Record<string, unknown>)).not.toBe(e.hash);
  });

  it("verifies entries of version 2 trails (canonical, hash in its sorted place) by their canonical text", () => {
    const entry: Record<string, unknown> = { ...event(), seq: 7, prev_hash: "b".repeat(64) };
    entry["hash"] = computeEntryHash(entry);
    const old = canonicalize(entry) as string;
    expect(old.startsWith('{"bundle"')).toBe(true);
    expect(entryHashOf(old, JSON.parse(old) as Record<string, unknown>)).toBe(entry["hash"]);
  });

  it("refuses a text whose leading hash member is not the entry's hash (a duplicated member)", () => {
    const e = sealEntry(EMPTY_HEAD, prepareEvent(event()));
    const doubled = e.line.slice(0, -1) + `,"hash":"${"c".repeat(64)}"}`;
    expect(entryHashOf(doubled, JSON.parse(doubled) as Record<string, unknown>)).toBeNull();
  });

  it("links each entry of a batch to the one before", () => {
    const sealed = sealBatch(EMPTY_HEAD, [
      prepareEvent(event()),
      prepareEvent(event({ revision: "r2" })),
      prepareEvent(event({ revision: "r3" })),
    ]);
    expect(sealed.map((s) => s.seq)).toEqual([1, 2, 3]);
    expect(sealed[1]!.prevHash).toBe(sealed[0]!.hash);
    expect(sealed[2]!.prevHash).toBe(sealed[1]!.hash);
  });

  it("refuses events that carry chain members", () => {
    expect(() => prepareEvent(event({ seq: 3 }))).toThrow(/chain member/);
  });
});
