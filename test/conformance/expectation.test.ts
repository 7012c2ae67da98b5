/**
 * Judging outcomes: result sets compared as OPA's runner compares them, errors matched by code and text.
 */

import type { Diagnostic } from "../../src/compiler/diagnostics";
import { compareResultSets, diagnosticsMatch, evalErrorMatches, expectedError } from "../../src/conformance/expectation";
import { compareJson, sortJson } from "../../src/conformance/json-order";
import { PolicyEvalError } from "../../src/policy/policy-error";

describe("compareResultSets", () => {
  it("accepts equal bindings", () => {
    expect(compareResultSets([{ x: true }], [{ x: true }], false)).toBeNull();
  });

  it("treats want_result: [] as no solutions", () => {
    expect(compareResultSets([], [], false)).toBeNull();
    expect(compareResultSets([], [{ x: 1 }], false)).toMatch(/^want no results \(undefined\), got \[\{"x":1\}\]/);
    expect(compareResultSets([{ x: 1 }], [], false)).toMatch(/got no results \(undefined\)$/);
  });

  it("compares numbers by value, whatever their YAML or JSON spelling", () => {
    expect(compareResultSets([{ x: 1n, y: 2.5, z: [3n] }], [{ x: 1.0, y: 2.5, z: [3] }], false)).toBeNull();
    expect(compareResultSets([{ x: -9223372036854775808n }], [{ x: -9223372036854775808 }], false)).toBeNull();
    expect(compareResultSets([{ x: 1n }], [{ x: "1" }], false)).not.toBeNull();
  });

  it("matches non-string keys written as their JSON text", () => {
    // completedoc/object/non-string key: p := {1: 2, {3: 4}: 5}
    expect(compareResultSets([{ x: { '{"3":4}': 5n, "1": 2n } }], [{ x: { "1": 2, '{"3":4}': 5 } }], false)).toBeNull();
  });

  it("sorts list values of each binding when sort_bindings is set, and only then", () => {
    expect(compareResultSets([{ x: [2n, 3n, 4n] }], [{ x: [4, 2, 3] }], true)).toBeNull();
    expect(compareResultSets([{ x: [2n, 3n, 4n] }], [{ x: [4, 2, 3] }], false)).toMatch(/^want \[\{"x":\[2,3,4\]\}\], got/);
    expect(compareResultSets([{ x: [[1n], "a", null, 2n] }], [{ x: ["a", 2, [1], null] }], true)).toBeNull();
  });

  it("compares solutions as a set, as OPA's runner does", () => {
    expect(compareResultSets([{ x: 1n }, { x: 2n }], [{ x: 2 }, { x: 1 }], false)).toBeNull();
    expect(compareResultSets([{ x: 1n }], [{ x: 1 }, { x: 1 }], false)).toBeNull();
    expect(compareResultSets([{ x: 1n }, { x: 2n }], [{ x: 1 }], false)).not.toBeNull();
  });

  it("compares every variable of multi-variable bindings", () => {
    const want = [{ a: "x", b: { k: [1n] } }];
    expect(compareResultSets(want, [{ a: "x", b: { k: [1] } }], false)).toBeNull();
    expect(compareResultSets(want, [{ a: "x", b: { k: [1] }, c: 1 }], false)).not.toBeNull();
    expect(compareResultSets(want, [{ a: "x" }], false)).not.toBeNull();
  });

  it("rejects a result set that is not a list", () => {
    expect(compareResultSets([], { result: 1 }, false)).toMatch(/non-list/);
  });
});

describe("canonical order", () => {
  it("orders null < booleans < numbers < strings < arrays < objects", () => {
    expect(sortJson([{ a: 1 }, [1], "s", 2, true, false, null])).toEqual([null, false, true, 2, "s", [1], { a: 1 }]);
    expect(compareJson({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(0);
    expect(compareJson([1, 2], [1, 2, 0])).toBe(-1);
  });
});

describe("error expectations", () => {
  const diag = (over: Partial<Diagnostic> = {}): Diagnostic => ({
    code: "rego_unsafe_var_error",
    message: "var x is unsafe",
    file: "test-0.rego",
    line: 3,
    col: 2,
    ...over,
  });

  it("reads want_error_code and want_error from the case", () => {
    const base = { note: "n", query: "q", modules: [] };
    expect(expectedError(base)).toBeNull();
    expect(expectedError({ ...base, want_error_code: "eval_type_error" })).toEqual({ code: "eval_type_error" });
    expect(expectedError({ ...base, want_error: "boom" })).toEqual({ text: "boom" });
  });

  it("matches compile diagnostics against file:line:col: code: message", () => {
    expect(diagnosticsMatch({ text: "test-0.rego:3:2: rego_unsafe_var_error: var x is unsafe" }, [diag()])).toBe(true);
    expect(diagnosticsMatch({ text: "test-0.rego:4:2" }, [diag()])).toBe(false);
    expect(diagnosticsMatch({ code: "rego_unsafe_var_error" }, [diag({ code: "rego_parse_error" }), diag()])).toBe(true);
    expect(diagnosticsMatch({ code: "rego_type_error" }, [diag()])).toBe(false);
  });

  it("requires one diagnostic to meet both code and text when both are given", () => {
    const diags = [diag({ code: "rego_parse_error", message: "unexpected token" }), diag()];
    expect(diagnosticsMatch({ code: "rego_unsafe_var_error", text: "var x is unsafe" }, diags)).toBe(true);
    expect(diagnosticsMatch({ code: "rego_parse_error", text: "var x is unsafe" }, diags)).toBe(false);
  });

  it("matches evaluation errors by code alone, by text alone (location included), or by both", () => {
    const err = new PolicyEvalError(
      "eval_type_error",
      "strings.any_prefix_match: operand 1 must be one of {array, set, string} but got number",
      {
        file: "test-0.rego",
        line: 4,
      },
    );
    expect(evalErrorMatches({ code: "eval_type_error" }, err)).toBe(true);
    expect(evalErrorMatches({ code: "eval_builtin_error" }, err)).toBe(false);
    expect(evalErrorMatches({ text: "test-0.rego:4: eval_type_error: strings.any_prefix_match: operand 1" }, err)).toBe(true);
    expect(evalErrorMatches({ code: "eval_type_error", text: "operand 2" }, err)).toBe(false);
    expect(evalErrorMatches({ code: "eval_conflict_error", text: "operand 1" }, err)).toBe(false);
  });
});
