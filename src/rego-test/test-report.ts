/**
 * How a test run is printed: one line per test (`PASS data.pkg.test_x (123µs)`), details under failures
 * and errors, and the summary line `N passed, M failed` (`, K errors` when there are any).
 */

import type { TestResult, TestStatus } from "./test-runner";

const LABEL: Record<TestStatus, string> = { pass: "PASS", fail: "FAIL", error: "ERROR" };

/** Go-style duration, as `opa test` prints it: `850ns`, `412µs`, `1.52ms`, `2.3s`. */
export function formatDuration(ns: number): string {
  if (ns < 1_000) return `${ns}ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(ns < 10_000 ? 2 : 0)}µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(2)}ms`;
  return `${(ns / 1_000_000_000).toFixed(2)}s`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "the rule is undefined (a body expression was false or undefined)";
  const text = JSON.stringify(value);
  return `the rule's value is ${text.length > 200 ? text.slice(0, 197) + "..." : text}, not true`;
}

/** The lines for one result; `verbose` adds the test's location to passing tests. */
export function formatResult(r: TestResult, verbose: boolean): string[] {
  const head = `${LABEL[r.status]} ${r.test.name} (${formatDuration(r.durationNs)})`;
  const where = `${r.test.file}:${r.test.line}`;
  if (r.status === "pass") return verbose ? [`${head}  ${where}`] : [head];
  if (r.status === "fail") return [head, `    ${where}: ${describeValue(r.value)}`];
  return [head, `    ${where}: ${r.error ?? "error"}`];
}

/** Counts by status. */
export function countResults(results: readonly TestResult[]): { passed: number; failed: number; errors: number } {
  let passed = 0;
  let failed = 0;
  let errors = 0;
  for (const r of results) {
    if (r.status === "pass") passed++;
    else if (r.status === "fail") failed++;
    else errors++;
  }
  return { passed, failed, errors };
}

/** `N passed, M failed`, with `, K errors` (or `, 1 error`) appended only when there are errors. */
export function formatSummary(results: readonly TestResult[]): string {
  const { passed, failed, errors } = countResults(results);
  return `${passed} passed, ${failed} failed` + (errors > 0 ? `, ${errors} error${errors === 1 ? "" : "s"}` : "");
}
