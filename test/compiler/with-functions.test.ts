/**
 * `with` on functions and built-ins: replacements by value, by a user function and by another built-in,
 * direct and through rules, functions, comprehensions and documents, evaluated for many inputs on one
 * policy instance as the service does.
 */

import { compile } from "../../src/compiler/compile";
import { Diagnostics, formatDiagnostic } from "../../src/compiler/diagnostics";
import { parseModule } from "../../src/compiler/parser";
import { loadCompiledPolicy, type CompiledPolicy } from "../../src/policy/compiled-policy";
import { fixedClock } from "../../src/policy/clock";

const NOW = 1_600_000_000_000_000_000n;

const POLICY = `package t
import rego.v1

# --- replacements
mock_count("special") := 100
mock_count(x) := count(x) if x != "special" # calls the original count
fake_now := 42
minus_one(x) := count(x) - 1
always(_, _) := true
two_args(_, _) := 0
with_base(_) := base + 1000

# --- rules reaching the mocked functions
size := count(input.items)
now := time.now_ns()
sizes := {k: count(v) | some k, v in input.groups}
plus_one(x) := count(x) + 1
shout := upper(input.name)
base := count(input.items)
r := 1
uses_r := r + count(input.items)
total := input.a + input.b
same if input.a == input.b
nested_inner if count(input.items) == 7
nested_outer(_) := 5 if nested_inner with count as 7

# --- with on functions
direct_value := x if x := count(input.items) with count as 42
direct_fn := x if x := count(input.items) with count as mock_count
via_rule := x if x := size with count as mock_count
via_rule_value := x if x := size with count as input.n
now_mocked := x if x := now with time.now_ns as fake_now
now_value := x if x := time.now_ns() with time.now_ns as 7
via_comprehension := x if x := sizes with count as input.n
via_function := x if x := plus_one(input.items) with count as input.n
user_fn_value := x if x := plus_one(input.items) with plus_one as 7
user_fn_by_fn := x if x := plus_one(input.items) with data.t.plus_one as minus_one
builtin_by_builtin := x if x := shout with upper as lower
with_and_without := [a, b] if {
	a := size with count as mock_count
	b := size
}
combined := x if x := size with input.items as "special" with count as mock_count
override_and_mock := x if x := uses_r with data.t.r as 10 with count as mock_count
scanned contains v if {
	some n in input.ns
	v := size with count as n
}
negated if not size == 3 with count as input.n
every_mocked if {
	every x in input.ns {
		count([]) == x with count as x
	}
}
operator_mocked := x if x := total with plus as minus
compared if same with equal as always
memo_apart := x if x := [count(input.items), base] with count as with_base
inner_mock_wins := x if x := size with count as mock_count with count as 3
nested := x if x := count(input.items) with count as nested_outer
captured if count(input.items, 9) with count as 9

# --- rules replaced by value stay replaced in nested with and inside replacing functions
r2 := 1
s2 if r2 == 5
q_input if s2 with input.x as 1
q_count if s2 with count as 3
nested_override if q_input with data.t.r2 as 5
nested_override_fn if q_count with data.t.r2 as 5
sees_r2(_) := r2
override_in_mock := x if x := count([]) with count as sees_r2 with data.t.r2 as input.n
sub.v := 1
sub.w := 2
doc_override := x if x := sub with data.t.sub.v as input.n
`;

const RULES = [
  "direct_value",
  "direct_fn",
  "via_rule",
  "via_rule_value",
  "now",
  "now_mocked",
  "now_value",
  "via_comprehension",
  "via_function",
  "user_fn_value",
  "user_fn_by_fn",
  "builtin_by_builtin",
  "shout",
  "with_and_without",
  "combined",
  "override_and_mock",
  "scanned",
  "negated",
  "every_mocked",
  "operator_mocked",
  "compared",
  "memo_apart",
  "inner_mock_wins",
  "nested",
  "captured",
  "nested_override",
  "nested_override_fn",
  "override_in_mock",
  "doc_override",
  "size",
];

let policy: CompiledPolicy;

beforeAll(async () => {
  const compiled = compile({ modules: [{ file: "with.rego", text: POLICY }], entrypoints: RULES.map((r) => `t/${r}`) });
  if (!compiled.ok) throw new Error(compiled.diagnostics.map(formatDiagnostic).join("\n"));
  policy = await loadCompiledPolicy(compiled.wasm, undefined, { clock: fixedClock(NOW) });
});

function value(rule: string, input: unknown): unknown {
  const rs = policy.evaluate(`t/${rule}`, input);
  return rs.length === 0 ? undefined : (rs[0] as { result: unknown }).result;
}

const INPUTS = [
  { items: [1, 2, 3], n: 9, name: "Ann", a: 5, b: 3, ns: [1, 2], groups: { x: [1], y: [1, 2] } },
  { items: "special", n: 0, name: "BOB", a: 2, b: 2, ns: [], groups: {} },
  { items: [], name: "Eve", a: 1, b: 10, ns: [4, 4, 5], groups: { z: "abc" } },
  { items: { k: 1 }, n: 3, name: "x", a: 0, b: 0, ns: [3], groups: { w: [] } },
];

describe("with on functions and built-ins, many inputs on one instance", () => {
  it.each(INPUTS.map((input, i) => [i, input] as const))("input %d", (_i, input) => {
    const items = input.items;
    const len = typeof items === "string" ? items.length : Array.isArray(items) ? items.length : Object.keys(items).length;
    const counted = items === "special" ? 100 : len;
    for (let round = 0; round < 2; round++) {
      expect(value("size", input)).toBe(len);
      expect(value("direct_value", input)).toBe(42);
      expect(value("direct_fn", input)).toBe(counted);
      expect(value("via_rule", input)).toBe(counted);
      expect(value("via_rule_value", input)).toBe(input.n);
      expect(value("now", input)).toBe(Number(NOW));
      expect(value("now_mocked", input)).toBe(42);
      expect(value("now_value", input)).toBe(7);
      expect(value("via_comprehension", input)).toEqual(
        input.n === undefined ? undefined : Object.fromEntries(Object.keys(input.groups).map((k) => [k, input.n])),
      );
      expect(value("via_function", input)).toBe(input.n === undefined ? undefined : input.n + 1);
      expect(value("user_fn_value", input)).toBe(7);
      expect(value("user_fn_by_fn", input)).toBe(len - 1);
      expect(value("shout", input)).toBe(input.name.toUpperCase());
      expect(value("builtin_by_builtin", input)).toBe(input.name.toLowerCase());
      expect(value("with_and_without", input)).toEqual([counted, len]);
      expect(value("combined", input)).toBe(100);
      expect(value("override_and_mock", input)).toBe(10 + counted);
      expect(value("scanned", input)).toEqual([...new Set(input.ns)].sort());
      expect(value("negated", input)).toBe(input.n === undefined || input.n === 3 ? undefined : true);
      expect(value("every_mocked", input)).toBe(true);
      expect(value("operator_mocked", input)).toBe(input.a - input.b);
      expect(value("compared", input)).toBe(true);
      expect(value("memo_apart", input)).toEqual([len + 1000, len + 1000]);
      expect(value("inner_mock_wins", input)).toBe(3);
      expect(value("nested", input)).toBe(5);
      expect(value("captured", input)).toBe(true);
      expect(value("nested_override", input)).toBe(true);
      expect(value("nested_override_fn", input)).toBe(true);
      expect(value("override_in_mock", input)).toBe(input.n);
      expect(value("doc_override", input)).toEqual(input.n === undefined ? undefined : { v: input.n, w: 2 });
    }
  });

  it("leaves the unmocked rules alone between mocked evaluations", () => {
    expect(value("size", { items: [1] })).toBe(1);
    expect(value("via_rule", { items: "special" })).toBe(100);
    expect(value("size", { items: "special" })).toBe(7);
    expect(value("via_rule_value", {})).toBeUndefined();
  });
});

describe("with on functions in a query of the whole package", () => {
  it("mocks reach document functions, and function rules stay out of the document", async () => {
    const compiled = compile({
      modules: [
        { file: "d.rego", text: "package d\nimport rego.v1\n\nn := count(input)\nf(x) := x\n" },
        { file: "e.rego", text: "package e\nimport rego.v1\n\nall := x if x := data.d with count as input.v\n" },
      ],
      entrypoints: ["e/all", "d"],
    });
    if (!compiled.ok) throw new Error(compiled.diagnostics.map(formatDiagnostic).join("\n"));
    const p = await loadCompiledPolicy(compiled.wasm);
    for (const v of [1, "two", [3]]) {
      const rs = p.evaluate("e/all", { v });
      expect((rs[0] as { result: { n: unknown } }).result.n).toEqual(v);
    }
    expect(p.evaluate("d", [1, 2])).toEqual([{ result: { n: 2 } }]);
  });
});

describe("with on functions: compile errors", () => {
  function errors(body: string): string[] {
    const r = compile({
      modules: [{ file: "e.rego", text: `package e\nimport rego.v1\n\ntwo(_, _) := 1\n${body}\n` }],
      entrypoints: ["e/p"],
    });
    return r.ok ? [] : r.diagnostics.map(formatDiagnostic);
  }

  it("rejects a replacement of another arity", () => {
    expect(errors("p := x if x := count([]) with count as two").join("\n")).toMatch(/rego_type_error: count: arity mismatch/);
    expect(errors("p := x if x := count([]) with count as concat").join("\n")).toMatch(/rego_type_error: count: arity mismatch/);
  });

  it("rejects replacing internal functions and relations", () => {
    expect(errors("p if true with internal.print as two").join("\n")).toMatch(/replacement of "internal.print" invalid/);
    expect(errors("p if true with walk as two").join("\n")).toMatch(/target must not be a relation/);
  });

  it("still reports a function used as a value outside with", () => {
    expect(errors("p := two").join("\n")).toMatch(/function data.e.two must be called with arguments/);
  });
});

describe("if-body braces", () => {
  function parse(text: string): { ok: boolean; messages: string[] } {
    const d = new Diagnostics();
    const m = parseModule("b.rego", text, d);
    return { ok: m !== null && !d.hasErrors, messages: d.items.map((i) => i.message) };
  }

  it("reads a brace that opens no query as the literal's term", () => {
    expect(parse('package b\n\nf(x) := 1 if {x: i | x := ["a", "a"][i]}\n').ok).toBe(true);
    expect(parse('package b\n\np if {"a": 1 | true}\n').ok).toBe(true);
  });

  it("reports the query's error when neither reading works", () => {
    const r = parse("package b\n\np if { x := 1 ]\n");
    expect(r.ok).toBe(false);
    expect(r.messages).toHaveLength(1);
  });
});
