/**
 * `countersign audit verify -` streams standard input: a 1 GB trail verifies in a process whose heap is
 * capped at 160 MB (reading it whole, as it once did, cannot hold the text; the CLI alone takes ~50 MB), and a
 * flipped byte deep in a 200 MB stream is still found, with its seq.
 */

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { createReadStream, createWriteStream } from "node:fs";
import * as path from "node:path";
import { once } from "node:events";
import { prepareEvent, sealEntry, EMPTY_HEAD, type ChainHead } from "../../src/audit/chain";
import type { AuditEvent } from "../../src/audit/audit-event";
import { signHead } from "../../src/audit/head-signature";
import { CLI } from "../cli/cli-helpers";
import { removeTempDirs, tempDir } from "../http/service-harness";
import { newSigningKey } from "./audit-fixtures";

afterAll(() => removeTempDirs());

/** A trail's size: how many entries, and the padding that makes each one large. */
interface TrailShape {
  readonly entries: number;
  readonly padding: string;
}
const GIGABYTE: TrailShape = { entries: 65_000, padding: "x".repeat(16_000) };
const SMALLER: TrailShape = { entries: 50_000, padding: "x".repeat(4000) };

/** Writes a valid trail of the shape's entries and its signed head line; `corruptSeq` gets one byte changed. */
async function writeTrail(file: string, shape: TrailShape, corruptSeq?: number): Promise<{ publicKey: string; bytes: number }> {
  const key = newSigningKey();
  const out = createWriteStream(file);
  let head: ChainHead = EMPTY_HEAD;
  let bytes = 0;
  for (let i = 1; i <= shape.entries; i++) {
    const event = {
      type: "decision",
      timestamp: "2026-12-05T12:00:00.000000000Z",
      decision_id: `d-${i}`,
      outcome: "allow",
      reasons: [],
      input: { padding: shape.padding },
    } as unknown as AuditEvent;
    const sealed = sealEntry(head, prepareEvent(event));
    head = sealed;
    const line = i === corruptSeq ? sealed.line.replace(`"d-${i}"`, `"D-${i}"`) : sealed.line;
    bytes += line.length + 1;
    if (!out.write(line + "\n")) await once(out, "drain");
  }
  const signed = await signHead(head, key);
  out.end(JSON.stringify({ head: { ...signed, public_key: key.verification.x } }) + "\n");
  await once(out, "finish");
  return { publicKey: key.verification.x, bytes };
}

function verifyFromStdin(file: string, publicKey: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ["--max-old-space-size=160", CLI, "audit", "verify", "-", "--key", publicKey], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out += c.toString()));
  createReadStream(file).pipe(child.stdin);
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, out })));
}

it("verifies a 1 GB trail from standard input with a 160 MB heap, and finds a change deep in a 200 MB one", async () => {
  const dir = tempDir("countersign-stdin-");
  const good = path.join(dir, "good.jsonl");
  const { publicKey, bytes } = await writeTrail(good, GIGABYTE);
  expect(bytes).toBeGreaterThan(1_000_000_000);
  const ok = await verifyFromStdin(good, publicKey);
  expect(ok.out).toContain(`ok: ${GIGABYTE.entries} entries`);
  expect(ok.code).toBe(0);
  fs.rmSync(good);

  const bad = path.join(dir, "bad.jsonl");
  const smaller = await writeTrail(bad, SMALLER, 41_234);
  expect(smaller.bytes).toBeGreaterThan(200_000_000);
  const caught = await verifyFromStdin(bad, smaller.publicKey);
  expect(caught.code).toBe(1);
  expect(caught.out).toContain("seq 41234: modified");
}, 300_000);
