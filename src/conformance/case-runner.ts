/**
 * Runs one YAML test case end to end: compile its modules and query, load the module in the OPA SDK with
 * the case's data, evaluate the query with its input, and judge the outcome against the expectation.
 *
 * Modules are named `test-<index>.rego`, the names the corpus' expected messages assume. Nothing a case
 * does escapes as an exception: every failure, including a compiler crash, is an outcome with a reason.
 */

import type { CompileResult } from "../compiler/compile-options";
import { Diagnostics, formatDiagnostic } from "../compiler/diagnostics";
import type { Clock } from "../policy/clock";
import { loadCompiledPolicy, RawJson, type ResultSet } from "../policy/compiled-policy";
import { PolicyError, PolicyEvalError } from "../policy/policy-error";
import {
  compareResultSets,
  describeExpectation,
  diagnosticsMatch,
  evalErrorMatches,
  expectedError,
  show,
} from "./expectation";
import { termToJsonText } from "./input-term";
import type { TestCase } from "./test-case";
import { jsonText } from "./yaml-value";

/** pass, fail, or skip (the compiler declared the case out of scope); a skip is not a pass. */
export type CaseStatus = "pass" | "fail" | "skip";

/** How a case ended, and why (empty for a pass). */
export interface CaseOutcome {
  readonly status: CaseStatus;
  readonly reason: string;
}

/** Options for running cases. */
export interface RunCaseOptions {
  /** The clock behind `time.now_ns` (default: the system clock). */
  readonly clock?: Clock;
}

/** The name the case's query is compiled under. */
export const QUERY_ENTRYPOINT = "eval";

/** Diagnostics whose message starts with this mark a feature the compiler declares out of scope. */
export const NOT_SUPPORTED_PREFIX = "not supported:";

/** The file name of the case's i-th module. */
export function moduleFileName(index: number): string {
  return `test-${index}.rego`;
}

const pass: CaseOutcome = { status: "pass", reason: "" };
const fail = (reason: string): CaseOutcome => ({ status: "fail", reason });
const skip = (reason: string): CaseOutcome => ({ status: "skip", reason });

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** Runs a case and reports its outcome; never throws. */
export async function runCase(c: TestCase, opts: RunCaseOptions = {}): Promise<CaseOutcome> {
  try {
    return await runCaseUnguarded(c, opts);
  } catch (err) {
    return fail(`runner threw ${describe(err)}`);
  }
}

async function runCaseUnguarded(c: TestCase, opts: RunCaseOptions): Promise<CaseOutcome> {
  const want = expectedError(c);
  const { compile } = await import("../compiler/compile");

  let compiled: CompileResult;
  try {
    compiled = compile({
      modules: c.modules.map((text, i) => ({ file: moduleFileName(i), text })),
      entrypoints: [],
      queries: [{ name: QUERY_ENTRYPOINT, query: c.query }],
      strictBuiltinErrors: c.strict_error === true,
    });
  } catch (err) {
    return fail(`compiler threw ${describe(err)}`);
  }

  if (!compiled.ok) {
    if (want !== null && diagnosticsMatch(want, compiled.diagnostics)) return pass;
    const unsupported = compiled.diagnostics.find((d) => d.message.startsWith(NOT_SUPPORTED_PREFIX));
    if (unsupported !== undefined) return skip(formatDiagnostic(unsupported));
    const text = compiled.diagnostics.map(formatDiagnostic).join("; ");
    return fail(want === null ? `compile error: ${text}` : `want error ${describeExpectation(want)}, got compile error: ${text}`);
  }

  let input: RawJson | undefined;
  if (c.input_term !== undefined) {
    const { parseTerm } = await import("../compiler/parser");
    const diags = new Diagnostics();
    const term = parseTerm("input_term", c.input_term, diags);
    if (term === null || diags.hasErrors) {
      return fail(`input_term does not parse: ${diags.items.map(formatDiagnostic).join("; ")}`);
    }
    input = new RawJson(termToJsonText(term));
  } else if (c.input !== undefined) {
    input = new RawJson(jsonText(c.input));
  }

  let results: ResultSet;
  try {
    const policy = await loadCompiledPolicy(compiled.wasm, new RawJson(jsonText(c.data ?? {})), {
      strictBuiltinErrors: c.strict_error === true,
      ...(opts.clock === undefined ? {} : { clock: opts.clock }),
    });
    results = policy.evaluate(QUERY_ENTRYPOINT, input);
  } catch (err) {
    if (err instanceof PolicyEvalError) {
      if (want !== null && evalErrorMatches(want, err)) return pass;
      return fail(want === null ? `eval error: ${err.text}` : `want error ${describeExpectation(want)}, got ${err.text}`);
    }
    if (err instanceof PolicyError) return fail(`${err.code}: ${err.message}`);
    throw err;
  }

  if (want !== null) return fail(`want error ${describeExpectation(want)}, got results ${show(results)}`);
  if (c.want_result === undefined) return fail("the case has none of want_result, want_error_code, want_error");
  const mismatch = compareResultSets(c.want_result, results, c.sort_bindings === true);
  return mismatch === null ? pass : fail(mismatch);
}
