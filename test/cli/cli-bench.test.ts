/**
 * `countersign bench`: an entrypoint of a bundle (or of sources) evaluated over and over on one instance,
 * the figures printed as a table or JSON; the test checks that it ran as many evaluations as it says, on the
 * input it was given, and that the figures agree with each other.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../src/cli/main";
import type { CliIo } from "../../src/cli/cli-io";
import { decisionModule, removeTempDirs, tempDir, writeBundle } from "../http/service-harness";

const POLICY = decisionModule(`
default decision := {"outcome": "deny", "reasons": ["no"]}
decision := {"outcome": "allow", "reasons": [sprintf("hello %s", [input.name])]} if count(input.name) > 0

greeting := sprintf("hello %s", [input.name])
`);

function captureIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => void stdout.push(l), err: (l) => void stderr.push(l), readStdin: async () => "" };
}

let bundle: string;
let input: string;
beforeAll(async () => {
  const dir = tempDir();
  bundle = await writeBundle(dir, { "p.rego": POLICY });
  input = path.join(dir, "input.json");
  fs.writeFileSync(input, JSON.stringify({ name: "bench" }));
});
afterAll(() => removeTempDirs());

describe("countersign bench", () => {
  it("runs exactly the evaluations asked for and reports consistent figures as JSON", async () => {
    const io = captureIo();
    expect(
      await main(["bench", bundle, "-e", "countersign/decision", "--input", input, "--benchtime", "300x", "--format", "json"], io),
    ).toBe(0);
    const r = JSON.parse(io.stdout.join("\n")) as Record<string, number | boolean>;
    expect(r["samples"]).toBe(300);
    expect(r["defined"]).toBe(true);
    expect(r["ns_per_op"]).toBeGreaterThan(0);
    expect(r["us_per_op"]).toBeCloseTo((r["ns_per_op"] as number) / 1000, 2);
    expect(r["p50_ns"] as number).toBeLessThanOrEqual(r["p90_ns"] as number);
    expect(r["p90_ns"] as number).toBeLessThanOrEqual(r["p99_ns"] as number);
    // The wasm heap used covers at least the input text written into it.
    expect(r["heap_bytes_per_op"] as number).toBeGreaterThanOrEqual(JSON.stringify({ name: "bench" }).length);
  });

  it("prints the table, once per --count, from sources too", async () => {
    const src = tempDir();
    fs.writeFileSync(path.join(src, "p.rego"), POLICY);
    const io = captureIo();
    expect(await main(["bench", src, "-e", "countersign/decision", "--input", input, "--benchtime", "50x", "--count", "2"], io)).toBe(0);
    const text = io.stdout.join("\n");
    expect(text.match(/^\| samples\s+\|\s+50 \|$/gm)).toHaveLength(2);
    expect(text).toMatch(/^\| µs\/op\s+\|\s+\d+\.\d\d \|$/m);
    expect(text).toMatch(/^\| wasm heap B\/op\s+\|\s+\d+ \|$/m);
    expect(text).toMatch(/^\| result\s+\|\s+defined \|$/m);
  });

  it("says when the entrypoint is undefined on the input, and refuses a bad --benchtime", async () => {
    const empty = path.join(tempDir(), "empty.json");
    fs.writeFileSync(empty, "{}");
    const src = tempDir();
    fs.writeFileSync(path.join(src, "p.rego"), POLICY);
    const io = captureIo();
    expect(await main(["bench", src, "-e", "countersign/greeting", "--input", empty, "--benchtime", "10x", "-f", "json"], io)).toBe(0);
    expect(JSON.parse(io.stdout.join("\n"))).toMatchObject({ samples: 10, defined: false });
    const io1 = captureIo();
    expect(await main(["bench", bundle, "-e", "countersign/allow", "--benchtime", "10x"], io1)).toBe(1);
    expect(io1.stderr.join("\n")).toMatch(/countersign\/allow/);
    const io2 = captureIo();
    expect(await main(["bench", bundle, "-e", "countersign/decision", "--benchtime", "soon"], io2)).toBe(1);
    expect(io2.stderr.join("\n")).toMatch(/--benchtime must be a duration/);
  });
});
