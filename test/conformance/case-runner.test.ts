/**
 * The case runner's judgement, with the compiler replaced by a stub that returns a hand-assembled module,
 * so these tests pin the runner itself: inputs and data reach the module, errors are matched, skips and
 * crashes are outcomes, and the suite tallies them.
 */

import type { CompileRequest, CompileResult } from "../../src/compiler/compile-options";
import { runCase } from "../../src/conformance/case-runner";
import { runSuite } from "../../src/conformance/conformance-suite";
import { formatFailure, formatSummary, parseSummary, reportJson } from "../../src/conformance/suite-report";
import type { TestCase } from "../../src/conformance/test-case";
import { FAKE_BEHAVIOUR, fakeOpaWasm } from "../bundle/fixtures/fake-opa-wasm";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

let mockCompile: (req: CompileRequest) => CompileResult;
jest.mock("../../src/compiler/compile", () => ({ compile: (req: CompileRequest) => mockCompile(req) }));

const compiledAs =
  (behaviour: number): ((req: CompileRequest) => CompileResult) =>
  () => ({
    ok: true,
    wasm: fakeOpaWasm({ aliases: { eval: behaviour } }),
    entrypoints: ["eval"],
    hostBuiltins: [],
    warnings: [],
  });

const base: TestCase = { note: "t", query: "x = input", modules: ["package test\n"] };

describe("runCase", () => {
  it("compiles the query as entrypoint eval, modules named test-<i>.rego, with strict errors from the case", async () => {
    let seen: CompileRequest | undefined;
    mockCompile = (req) => {
      seen = req;
      return compiledAs(FAKE_BEHAVIOUR.input)(req);
    };
    await runCase({ ...base, modules: ["package a\n", "package b\n"], strict_error: true, want_result: [] });
    expect(seen).toEqual({
      modules: [
        { file: "test-0.rego", text: "package a\n" },
        { file: "test-1.rego", text: "package b\n" },
      ],
      entrypoints: [],
      queries: [{ name: "eval", query: "x = input" }],
      strictBuiltinErrors: true,
    });
  });

  it("passes when the bindings match, handing the input over exactly", async () => {
    mockCompile = compiledAs(FAKE_BEHAVIOUR.input);
    const outcome = await runCase({
      ...base,
      input: { x: 12n, big: 9007199254740993n },
      want_result: [{ x: 12n, big: 9007199254740993n }],
    });
    expect(outcome).toEqual({ status: "pass", reason: "" });
  });

  it("with reuse, evaluates a second time on the same instance and judges that answer too", async () => {
    mockCompile = compiledAs(FAKE_BEHAVIOUR.now);
    let ticks = 0n;
    const clock = { nowNs: () => 1_000n + ticks++ };
    const c: TestCase = { ...base, want_result: [1000n] as unknown as TestCase["want_result"] };
    expect(await runCase(c, { clock })).toEqual({ status: "pass", reason: "" });
    ticks = 0n;
    const reused = await runCase(c, { clock, reuse: true });
    expect(reused.status).toBe("fail");
    expect(reused.reason).toMatch(/^the second evaluation on the same instance: /);
  });

  it("with reuse, passes a case whose answers agree", async () => {
    mockCompile = compiledAs(FAKE_BEHAVIOUR.input);
    const wide = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, BigInt(i)]));
    const outcome = await runCase({ ...base, input: wide, want_result: [wide] }, { reuse: true });
    expect(outcome).toEqual({ status: "pass", reason: "" });
  });

  it("parses input_term as a Rego term", async () => {
    mockCompile = compiledAs(FAKE_BEHAVIOUR.input);
    const outcome = await runCase({ ...base, input_term: '{"x": {1, 2}, 3: null}', want_result: [{ x: [1n, 2n], "3": null }] });
    expect(outcome).toEqual({ status: "pass", reason: "" });
  });

  it("loads the case's data, empty when absent", async () => {
    mockCompile = compiledAs(FAKE_BEHAVIOUR.data);
    expect(await runCase({ ...base, data: { a: [1n] }, want_result: [{ a: [1n] }] })).toEqual({ status: "pass", reason: "" });
    expect(await runCase({ ...base, want_result: [{}] })).toEqual({ status: "pass", reason: "" });
  });

  it("fails with both sides shown when the bindings differ", async () => {
    mockCompile = compiledAs(FAKE_BEHAVIOUR.input);
    const outcome = await runCase({ ...base, input: { x: 1n }, want_result: [{ x: 2n }] });
    expect(outcome).toEqual({ status: "fail", reason: 'want [{"x":2}], got [{"x":1}]' });
  });

  it("passes an expected evaluation error by code, by text, or both", async () => {
    mockCompile = compiledAs(FAKE_BEHAVIOUR.conflict);
    expect((await runCase({ ...base, want_error_code: "eval_conflict_error" })).status).toBe("pass");
    expect((await runCase({ ...base, want_error: "test-0.rego:4: eval_conflict_error: complete rules" })).status).toBe("pass");
    const wrong = await runCase({ ...base, want_error_code: "eval_conflict_error", want_error: "divide by zero" });
    expect(wrong).toEqual({
      status: "fail",
      reason:
        'want error eval_conflict_error "divide by zero", got test-0.rego:4: eval_conflict_error: complete rules must not produce multiple outputs',
    });
  });

  it("fails an unexpected evaluation error, and a result where an error was expected", async () => {
    mockCompile = compiledAs(FAKE_BEHAVIOUR.conflict);
    expect(await runCase({ ...base, want_result: [] })).toEqual({
      status: "fail",
      reason: "eval error: test-0.rego:4: eval_conflict_error: complete rules must not produce multiple outputs",
    });
    mockCompile = compiledAs(FAKE_BEHAVIOUR.allow);
    expect(await runCase({ ...base, want_error_code: "eval_type_error" })).toEqual({
      status: "fail",
      reason: 'want error eval_type_error, got results [{"result":true}]',
    });
  });

  it("matches an expected compile error against file:line:col: code: message", async () => {
    mockCompile = () => ({
      ok: false,
      diagnostics: [{ code: "rego_parse_error", message: "unexpected }", file: "test-0.rego", line: 3, col: 9 }],
    });
    expect((await runCase({ ...base, want_error: "test-0.rego:3:9: rego_parse_error: unexpected }" })).status).toBe("pass");
    expect(await runCase({ ...base, want_result: [] })).toEqual({
      status: "fail",
      reason: "compile error: test-0.rego:3:9: rego_parse_error: unexpected }",
    });
  });

  it("skips a case the compiler declares out of scope", async () => {
    mockCompile = () => ({
      ok: false,
      diagnostics: [{ code: "rego_compile_error", message: "not supported: http.send", file: "test-0.rego", line: 4, col: 2 }],
    });
    expect(await runCase({ ...base, want_result: [] })).toEqual({
      status: "skip",
      reason: "test-0.rego:4:2: rego_compile_error: not supported: http.send",
    });
  });

  it("turns a compiler crash, a trap and a missing entrypoint into failures", async () => {
    mockCompile = () => {
      throw new TypeError("cannot read properties of undefined");
    };
    expect(await runCase({ ...base, want_result: [] })).toEqual({
      status: "fail",
      reason: "compiler threw TypeError: cannot read properties of undefined",
    });
    mockCompile = compiledAs(FAKE_BEHAVIOUR.trap);
    expect((await runCase({ ...base, want_result: [] })).reason).toMatch(/^eval error: eval_internal_error: wasm trap: /);
    mockCompile = () => ({ ok: true, wasm: fakeOpaWasm(), entrypoints: [], hostBuiltins: [], warnings: [] });
    expect((await runCase({ ...base, want_result: [] })).reason).toMatch(/^COUNTERSIGN_POLICY_UNKNOWN_ENTRYPOINT: /);
  });

  it("fails a case with no expectation", async () => {
    mockCompile = compiledAs(FAKE_BEHAVIOUR.allow);
    expect((await runCase(base)).status).toBe("fail");
  });
});

describe("runSuite", () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "countersign-suite-"));
  });
  afterEach(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it("runs every case, in order, and tallies pass, fail and skip", async () => {
    mockCompile = (req) =>
      req.modules[0]!.text.includes("unsupported")
        ? { ok: false, diagnostics: [{ code: "rego_compile_error", message: "not supported: x", file: "test-0.rego", line: 1, col: 1 }] }
        : compiledAs(FAKE_BEHAVIOUR.input)(req);
    await fs.writeFile(
      path.join(tmp, "a.yaml"),
      [
        "cases:",
        "  - {note: a/pass, query: q, modules: [p], input: 1, want_result: [1]}",
        "  - {note: a/fail, query: q, modules: [p], input: 1, want_result: [2]}",
        "  - {note: a/skip, query: q, modules: [unsupported], want_result: []}",
        "  - {note: a/malformed, modules: [p]}",
      ].join("\n"),
    );
    await fs.writeFile(path.join(tmp, "b.yml"), "cases: [{note: b/pass, query: q, modules: [p], want_result: []}]\n");
    const seen: string[] = [];
    const report = await runSuite(tmp, { onResult: (r) => seen.push(`${r.status} ${r.note}`) });
    expect(seen).toEqual(["pass a/pass", "fail a/fail", "skip a/skip", "fail a/malformed", "pass b/pass"]);
    expect([report.passed, report.failed, report.skipped, report.total]).toEqual([2, 2, 1, 5]);
    expect(formatSummary(report)).toBe("conformance: 2 passed, 2 failed, 1 skipped");
    expect(formatFailure(report.results[1]!)).toBe("FAIL a.yaml :: a/fail :: want [2], got [1]");
    const json = JSON.parse(reportJson(report));
    expect(json.summary).toEqual({ passed: 2, failed: 2, skipped: 1, total: 5 });
    expect(json.cases[2]).toMatchObject({ file: "a.yaml", index: 2, note: "a/skip", status: "skip" });
  });
});

describe("suite report", () => {
  it("parses its own summary line", () => {
    expect(parseSummary("conformance: 3 passed, 1 failed, 2 skipped")).toEqual({ passed: 3, failed: 1, skipped: 2 });
    expect(parseSummary("conformance: 3 passed")).toBeNull();
  });

  it("keeps a failure on one line", () => {
    const line = formatFailure({ file: "f.yaml", index: 0, note: "n", status: "fail", reason: "a\n  b\nc", durationMs: 1 });
    expect(line).toBe("FAIL f.yaml :: n :: a ⏎ b ⏎ c");
  });
});
