import { createHash, randomBytes } from "node:crypto";
import canonicalize from "canonicalize";
import type { AuditEvent } from "../../src/audit/audit-event";
import { EMPTY_HEAD, GENESIS_HASH, computeEntryHash, prepareEvent, sealBatch, sealEntry } from "../../src/audit/chain";

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

  it("hashes the canonical JSON of the entry without its hash, and stores the canonical JSON with it", () => {
    const e = sealEntry({ seq: 41, hash: "a".repeat(64) }, prepareEvent(event()));
    const parsed = JSON.parse(e.line) as Record<string, unknown>;
    expect(e.line).toBe(canonicalize(parsed));
    const { hash, ...rest } = parsed;
    expect(hash).toBe(
      createHash("sha256")
        .update(canonicalize(rest) as string)
        .digest("hex"),
    );
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
      expect(e.line).toBe(canonicalize(JSON.parse(e.line)));
      expect(computeEntryHash(JSON.parse(e.line) as Record<string, unknown>)).toBe(e.hash);
    }
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
