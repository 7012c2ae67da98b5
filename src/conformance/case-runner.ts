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
import { loadCompiledPolicy, RawJson, type CompiledPolicy, type ResultSet } from "../policy/compiled-policy";
import { PolicyError, PolicyEvalError } from "../policy/policy-error";
import { compareResultSets, describeExpectation, diagnosticsMatch, evalErrorMatches, expectedError, show } from "./expectation";
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
  /**
   * Evaluate the query a second time on the same policy instance and judge both answers, as the service
   * evaluates every request on one long-lived instance. A case passes only when both answers pass.
   */
  readonly reuse?: boolean;
}

/** The name the case's query is compiled under. */
export const QUERY_ENTRYPOINT = "eval";

/** Diagnostics whose message starts with this mark a feature the compiler declares out of scope. */
export const NOT_SUPPORTED_PREFIX = "not supported:";

/** The input of the evaluation run between the two of `reuse`: wide and nested objects, escaped strings. */
const REUSE_NOISE_INPUT = new RawJson(
  JSON.stringify(
    Object.fromEntries(
      Array.from({ length: 64 }, (_, i) => [
        `noise_${(i * 37) % 64}`,
        i % 3 === 0 ? Object.fromEntries(Array.from({ length: 12 }, (_, j) => [`n${j}`, `v\\"${i}.${j}\n`])) : [i, `s${i}`, null, i / 7],
      ]),
    ),
  ),
);

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

  let policy: CompiledPolicy;
  try {
    policy = await loadCompiledPolicy(compiled.wasm, new RawJson(jsonText(c.data ?? {})), {
      strictBuiltinErrors: c.strict_error === true,
      ...(opts.clock === undefined ? {} : { clock: opts.clock }),
    });
  } catch (err) {
    if (err instanceof PolicyError) return fail(`${err.code}: ${err.message}`);
    throw err;
  }
  const first = judgeEvaluation(c, policy, input);
  if (first.status !== "pass" || opts.reuse !== true) return first;
  // Between the two, an unrelated evaluation leaves its own bytes on the heap, as other requests do in the
  // service; its answer does not matter (an error only means the next evaluation gets a fresh instance).
  try {
    policy.evaluate(QUERY_ENTRYPOINT, REUSE_NOISE_INPUT);
  } catch {
    // judged below, on the case's own input
  }
  const again = judgeEvaluation(c, policy, input);
  return again.status === "pass" ? again : fail(`the second evaluation on the same instance: ${again.reason}`);
}

/** Evaluates the case's query once on the policy and judges the answer against the expectation. */
function judgeEvaluation(c: TestCase, policy: CompiledPolicy, input: RawJson | undefined): CaseOutcome {
  const want = expectedError(c);
  let results: ResultSet;
  try {
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
