/**
 * The planner's checks are named: every diagnostic of the check stage says which check found it
 * (`Diagnostic.check`, one of check/checks.ts), with the code that check declares, while parse problems
 * carry no check name.
 */

import { CHECKS, type CheckName } from "../../src/compiler/check/checks";
import { compile } from "../../src/compiler/compile";
import type { Diagnostic } from "../../src/compiler/diagnostics";

function diagnosticsOf(body: string): readonly Diagnostic[] {
  const compiled = compile({ modules: [{ file: "policy.rego", text: `package t\n\n${body}\n` }], entrypoints: ["t/p"] });
  expect(compiled.ok).toBe(false);
  return compiled.ok ? [] : compiled.diagnostics;
}

const cases: readonly (readonly [CheckName, string, string])[] = [
  ["safety", "p if { x > 1 }", "var x is unsafe"],
  ["assigned-above", "p if { x := 1; x := 2 }", "var x assigned above"],
  ["recursion", "p if q\nq if p", "is recursive"],
  ["undefined-function", "p if no_such_function(1)", "undefined function no_such_function"],
  ["arity", "f(x) := x\np if f(1, 2) == 1", "has arity 1, got 2 arguments"],
  ["function-as-value", "f(x) := x\np if data.t.f == 1", "must be called with arguments"],
  ["unification-as-value", "p if { y := eq(1, 1); y }", "= cannot be used as a value"],
  ["with-target", "p if { count([]) with eq as count }", 'replacement of "eq" invalid'],
  ["default-value", "default p := input.x\np if false", "must have a constant value"],
];

describe("each check names itself on its diagnostics", () => {
  it.each(cases)("%s", (check, body, message) => {
    const found = diagnosticsOf(body).filter((d) => d.check === check);
    expect(found.map((d) => d.message).join("\n")).toContain(message);
    for (const d of found) expect(d.code).toBe(CHECKS[check].code);
  });

  it("leaves parse errors without a check name", () => {
    const d = diagnosticsOf("p if {");
    expect(d.length).toBeGreaterThan(0);
    expect(d.every((x) => x.check === undefined && x.code === "rego_parse_error")).toBe(true);
  });
});
