/**
 * `countersign test --coverage`: the report is OPA's JSON shape (`files.<file>.covered` / `not_covered` as
 * row ranges, `covered_lines`, `not_covered_lines`, `coverage`, and the totals), plus per-rule figures, and it
 * says exactly which lines the tests reached: a literal's line once evaluation reached it, a rule's head line
 * once its body succeeded. `--threshold` fails a run below it.
 */

import * as path from "node:path";
import type { CliIo } from "../../src/cli/cli-io";
import { runTestCommand, type TestCommandOptions } from "../../src/cli/test-command";
import { RegoTestError } from "../../src/rego-test/rego-test-error";
import { ROOT } from "../cli/cli-helpers";
import { useTempTree } from "../support/temp-tree";

const tree = useTempTree("countersign-coverage-");

// Line numbers matter below: line 1 is `package ex`.
const POLICY = [
  "package ex", // 1
  "", // 2
  "import rego.v1", // 3
  "", // 4
  "default allow := false", // 5
  "", // 6
  "allow if {", // 7
  '\tinput.user == "alice"', // 8
  '\tinput.action == "read"', // 9
  "}", // 10
  "", // 11
  "deny contains msg if {", // 12
  '\tinput.user == "mallory"', // 13
  '\tmsg := "no mallory"', // 14
  "}", // 15
  "", // 16
  "double(x) := y if {", // 17
  "\ty := x * 2", // 18
  "}", // 19
  "", // 20
  'names := [n | some n in input.users; startswith(n, "a")]', // 21
  "",
].join("\n");

const TESTS = [
  "package ex_test", // 1
  "", // 2
  "import rego.v1", // 3
  "import data.ex", // 4
  "", // 5
  "test_alice if {", // 6
  '\tex.allow with input as {"user": "alice", "action": "read"}', // 7
  "}", // 8
  "", // 9
  "test_bob if {", // 10
  '\tnot ex.allow with input as {"user": "bob", "action": "read"}', // 11
  "}", // 12
  "",
].join("\n");

async function run(paths: readonly string[], opts: TestCommandOptions): Promise<{ out: string; err: string; error?: unknown }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => void out.push(l), err: (l) => void err.push(l), readStdin: async () => "" };
  try {
    await runTestCommand(paths, opts, io);
    return { out: out.join("\n"), err: err.join("\n") };
  } catch (error) {
    return { out: out.join("\n"), err: err.join("\n"), error };
  }
}

const range = (a: number, b: number) => ({ start: { row: a }, end: { row: b } });

describe("countersign test --coverage", () => {
  it("reports the lines the tests reached, per file and per rule, in OPA's shape", async () => {
    const policy = await tree.write("p.rego", POLICY);
    const tests = await tree.write("p_test.rego", TESTS);
    const r = await run([tree.dir], { coverage: true });
    expect(r.error).toBeUndefined();
    expect(r.err).toContain("2 passed, 0 failed");
    const report = JSON.parse(r.out);
    expect(report.files[policy]).toEqual({
      covered: [range(7, 9)],
      not_covered: [range(12, 14), range(17, 18), range(21, 21)],
      covered_lines: 3,
      not_covered_lines: 6,
      coverage: (3 / 9) * 100,
      rules: {
        "ex.allow": { covered_lines: 3, not_covered_lines: 0, coverage: 100 },
        "ex.deny": { covered_lines: 0, not_covered_lines: 3, coverage: 0 },
        "ex.double": { covered_lines: 0, not_covered_lines: 2, coverage: 0 },
        "ex.names": { covered_lines: 0, not_covered_lines: 1, coverage: 0 },
      },
    });
    expect(report.files[tests]).toMatchObject({ covered: [range(6, 7), range(10, 11)], covered_lines: 4, coverage: 100 });
    expect(report.files[tests].not_covered).toBeUndefined();
    expect(report).toMatchObject({ covered_lines: 7, not_covered_lines: 6, coverage: (7 / 13) * 100 });
  });

  it("covers a head only when its body succeeded, and a literal only when it was reached", async () => {
    const policy = await tree.write("p.rego", POLICY);
    await tree.write("p_test.rego", TESTS);
    const report = JSON.parse((await run([tree.dir], { coverage: true, run: "test_bob" })).out);
    // bob fails at line 8: line 9 is never reached and the head (7) never produced a value.
    expect(report.files[policy].covered).toEqual([range(8, 8)]);
    expect(report.files[policy].rules["ex.allow"]).toEqual({ covered_lines: 1, not_covered_lines: 2, coverage: (1 / 3) * 100 });
  });

  it("fails a run below --threshold, and prints the usual report without --coverage", async () => {
    await tree.write("p.rego", POLICY);
    await tree.write("p_test.rego", TESTS);
    const low = await run([tree.dir], { coverage: true, threshold: 90 });
    expect(low.error).toBeInstanceOf(RegoTestError);
    expect((low.error as RegoTestError).code).toBe("COUNTERSIGN_TEST_COVERAGE_LOW");
    expect((low.error as RegoTestError).message).toBe("coverage 53.85% is below the threshold of 90%");
    const plain = await run([tree.dir], {});
    expect(plain.error).toBeUndefined();
    expect(plain.out).toMatch(/^PASS data\.ex_test\.test_alice/m);
    expect(plain.out).not.toContain('"files"');
  });

  it("reports on the example policy with its own tests", async () => {
    const r = await run([path.join(ROOT, "rego")], { coverage: true });
    expect(r.error).toBeUndefined();
    const report = JSON.parse(r.out);
    const decision = report.files[path.join(ROOT, "rego", "decision.rego")] ?? report.files["rego/decision.rego"];
    expect(decision).toBeDefined();
    expect(decision.rules["countersign.decision"].covered_lines).toBeGreaterThan(0);
    expect(report.coverage).toBeGreaterThan(50);
  });
});
