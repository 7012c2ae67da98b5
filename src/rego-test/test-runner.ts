/**
 * Runs Rego unit tests: compiles the policy and test modules together with every selected test rule as an
 * entrypoint, loads the module with the data files, and evaluates each test once. A test passes when its
 * value is `true`; it fails when it is undefined or has any other value, and is an error when evaluation
 * raises one (a conflict, a strict builtin error, a trap).
 */

import { performance } from "node:perf_hooks";
import type { Capabilities } from "../compiler/capabilities";
import { compile } from "../compiler/compile";
import type { Diagnostic } from "../compiler/diagnostics";
import type { Clock } from "../policy/clock";
import { loadCompiledPolicy } from "../policy/compiled-policy";
import type { HostBuiltinFn } from "../policy/host-builtins";
import { PolicyError, toPolicyEvalError } from "../policy/policy-error";
import { Diagnostics } from "../compiler/diagnostics";
import { parseModule } from "../compiler/parser";
import { CoverageRecorder, type CoverageReport } from "./coverage";
import { discoverTests, type RegoTest } from "./test-discovery";
import type { TestSources } from "./test-sources";

/** How a test ended. */
export type TestStatus = "pass" | "fail" | "error";

/** One test's result. */
export interface TestResult {
  readonly test: RegoTest;
  readonly status: TestStatus;
  /** Evaluation time in nanoseconds. */
  readonly durationNs: number;
  /** For a failure: the value the rule had, or undefined when it was undefined. */
  readonly value?: unknown;
  /** For an error: what went wrong (`file:line: code: message` for evaluation errors). */
  readonly error?: string;
}

/** What a run did. */
export type TestRun =
  | {
      readonly ok: true;
      readonly results: readonly TestResult[];
      readonly compileNs: number;
      readonly moduleCount: number;
      readonly dataFiles: readonly string[];
      /** With `coverage`: which lines the tests reached (OPA's report shape). */
      readonly coverage?: CoverageReport;
    }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly texts: ReadonlyMap<string, string> };

/** How to run. */
export interface TestRunOptions {
  /** Only tests whose name (`data.pkg.test_x`) matches. */
  readonly filter?: RegExp;
  /** The clock behind `time.now_ns`. */
  readonly clock?: Clock;
  /** Measures compilation and evaluations (default `performance`). */
  readonly timer?: { now(): number };
  /** Restricts and extends the built-ins, as `opa test --capabilities` does. */
  readonly capabilities?: Capabilities;
  /** Implementations of custom built-ins, by name. */
  readonly builtins?: Readonly<Record<string, HostBuiltinFn>>;
  /** Compile instrumented and report which lines the tests reached (`coverage.ts`). */
  readonly coverage?: boolean;
}

/** Runs the tests in the sources; compile problems come back as diagnostics. */
export async function runRegoTests(sources: TestSources, opts: TestRunOptions = {}): Promise<TestRun> {
  const timer = opts.timer ?? performance;
  const modules = [...sources.policy.modules, ...sources.tests];
  const filter = opts.filter;
  const tests = discoverTests(modules).filter((t) => filter === undefined || filter.test(t.name));

  const started = timer.now();
  const compiled = compile({
    modules: modules.map((m) => ({ file: m.file, text: m.text, regoVersion: m.regoVersion ?? 1 })),
    entrypoints: tests.filter((t) => t.duplicateOf === undefined).map((t) => t.entrypoint),
    ...(opts.capabilities === undefined ? {} : { capabilities: opts.capabilities }),
    ...(opts.coverage === true ? { coverage: true } : {}),
  });
  if (!compiled.ok) return { ok: false, diagnostics: compiled.diagnostics, texts: new Map(modules.map((m) => [m.file, m.text] as const)) };
  const compileNs = Math.round((timer.now() - started) * 1e6);

  const recorder = opts.coverage === true ? new CoverageRecorder() : undefined;
  const builtins = recorder === undefined ? opts.builtins : { ...opts.builtins, ...recorder.builtins };
  const policy = await loadCompiledPolicy(compiled.wasm, sources.policy.data, {
    ...(opts.clock === undefined ? {} : { clock: opts.clock }),
    ...(builtins === undefined ? {} : { builtins }),
  });
  const results: TestResult[] = [];
  for (const test of tests) {
    if (test.duplicateOf !== undefined) {
      const where = test.duplicateOf.map((d) => `${d.file}:${d.line}`).join(", ");
      results.push({
        test,
        status: "error",
        durationNs: 0,
        error: `${test.name} is defined ${test.duplicateOf.length} times (${where}); give each test its own name, or a passing definition hides a failing one`,
      });
      continue;
    }
    const start = timer.now();
    try {
      const rs = policy.evaluate(test.entrypoint);
      const durationNs = Math.round((timer.now() - start) * 1e6);
      const value = rs.length === 0 ? undefined : rs[0]!["result"];
      results.push(value === true ? { test, status: "pass", durationNs } : { test, status: "fail", durationNs, value });
    } catch (err) {
      const durationNs = Math.round((timer.now() - start) * 1e6);
      const error = err instanceof PolicyError ? err.message : toPolicyEvalError(err).text;
      results.push({ test, status: "error", durationNs, error });
    }
  }
  const coverage =
    recorder === undefined
      ? undefined
      : recorder.report(modules.flatMap((m) => parseModule(m.file, m.text, new Diagnostics(), { regoVersion: m.regoVersion ?? 1 }) ?? []));
  return {
    ok: true,
    results,
    compileNs,
    moduleCount: modules.length,
    dataFiles: sources.policy.dataFiles,
    ...(coverage === undefined ? {} : { coverage }),
  };
}
