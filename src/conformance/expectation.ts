/**
 * What a case expects, and whether an outcome meets it: result sets compared as OPA's runner compares
 * them, errors matched by code and by message fragment.
 */

import { formatDiagnostic, type Diagnostic } from "../compiler/diagnostics";
import type { PolicyEvalError } from "../policy/policy-error";
import { compareJson, jsonEqual, sortJson } from "./json-order";
import type { TestCase } from "./test-case";
import { toPlainJson, type CaseValue } from "./yaml-value";

/** An expected error: a code, a message fragment, or both (both must then hold for the same error). */
export interface ErrorExpectation {
  readonly code?: string;
  readonly text?: string;
}

/** The case's expected error, or null when it expects results. */
export function expectedError(c: TestCase): ErrorExpectation | null {
  if (c.want_error_code === undefined && c.want_error === undefined) return null;
  return {
    ...(c.want_error_code === undefined ? {} : { code: c.want_error_code }),
    ...(c.want_error === undefined ? {} : { text: c.want_error }),
  };
}

/** Describes an expectation for messages: `eval_type_error "divide by zero"`. */
export function describeExpectation(e: ErrorExpectation): string {
  return [e.code, e.text === undefined ? undefined : JSON.stringify(e.text)].filter((s) => s !== undefined).join(" ");
}

/** True when some diagnostic has the expected code and its `file:line:col: code: message` holds the text. */
export function diagnosticsMatch(e: ErrorExpectation, diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => (e.code === undefined || d.code === e.code) && (e.text === undefined || formatDiagnostic(d).includes(e.text)));
}

/** True when the evaluation error has the expected code and its OPA-form text holds the expected text. */
export function evalErrorMatches(e: ErrorExpectation, err: PolicyEvalError): boolean {
  return (e.code === undefined || err.code === e.code) && (e.text === undefined || err.text.includes(e.text));
}

/** Sorts every list-valued binding (OPA's `sort_bindings`), since set and partial-set order is undefined. */
function sortBindingLists(binding: unknown): unknown {
  if (binding === null || typeof binding !== "object" || Array.isArray(binding)) return binding;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(binding as Record<string, unknown>)) out[k] = Array.isArray(v) ? sortJson(v) : v;
  return out;
}

/** The distinct elements of a list in canonical order: OPA's runner compares result sets as sets. */
function asSet(xs: readonly unknown[]): unknown[] {
  const sorted = sortJson(xs);
  return sorted.filter((x, i) => i === 0 || compareJson(sorted[i - 1], x) !== 0);
}

/**
 * Compares the expected bindings with the SDK's result set. Returns null when they agree, else a one-line
 * reason showing both.
 */
export function compareResultSets(want: readonly CaseValue[], got: unknown, sortBindings: boolean): string | null {
  if (!Array.isArray(got)) return `want ${show(want.map(toPlainJson))}, got a non-list result ${show(got)}`;
  let expected = want.map(toPlainJson);
  let actual: unknown[] = got;
  if (sortBindings) {
    expected = expected.map(sortBindingLists);
    actual = actual.map(sortBindingLists);
  }
  const e = asSet(expected);
  const a = asSet(actual);
  if (e.length === a.length && e.every((x, i) => jsonEqual(x, a[i]))) return null;
  if (e.length === 0) return `want no results (undefined), got ${show(got)}`;
  if (a.length === 0) return `want ${show(expected)}, got no results (undefined)`;
  return `want ${show(expected)}, got ${show(got)}`;
}

/** Compact JSON, cut to a readable length. */
export function show(v: unknown, max = 400): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > max ? s.slice(0, max) + "…" : s;
}
