/**
 * Template strings (`$"…{expr}…"` and `` $`…{expr}…` ``): lexed with their embedded expressions, rewritten
 * by the parser into `internal.template_string`, joined by the runtime. Compiled and evaluated end to end,
 * many inputs on one loaded instance, as the service evaluates them.
 */

import { compile } from "../../src/compiler/compile";
import { Diagnostics, formatDiagnostic } from "../../src/compiler/diagnostics";
import { parseModule } from "../../src/compiler/parser";
import { loadCompiledPolicy, type CompiledPolicy } from "../../src/policy/compiled-policy";

async function load(text: string, rules: string[], strictBuiltinErrors = false): Promise<CompiledPolicy> {
  const compiled = compile({ modules: [{ file: "policy.rego", text }], entrypoints: rules.map((r) => `t/${r}`), strictBuiltinErrors });
  if (!compiled.ok) throw new Error(compiled.diagnostics.map(formatDiagnostic).join("\n"));
  return loadCompiledPolicy(compiled.wasm, undefined, { strictBuiltinErrors });
}

function valueOf(p: CompiledPolicy, rule: string, input?: unknown): unknown {
  const rs = p.evaluate(`t/${rule}`, input);
  return rs.length === 0 ? undefined : (rs[0] as { result: unknown }).result;
}

/** The diagnostics of compiling a module that should not compile. */
function errorsOf(text: string): string[] {
  const compiled = compile({ modules: [{ file: "policy.rego", text }], entrypoints: ["t/p"] });
  expect(compiled.ok).toBe(false);
  return compiled.ok ? [] : compiled.diagnostics.map(formatDiagnostic);
}

describe("one policy instance, many inputs", () => {
  let p: CompiledPolicy;

  beforeAll(async () => {
    p = await load(
      String.raw`package t

greeting := $"hello {input.name}, you are {input.age}"
value := $"{input.v}"
raw := $` +
        "`" +
        String.raw`<{input.tag}>
  {count(input.xs)} \{literal}
</{input.tag}>` +
        "`" +
        String.raw`
calls := $"sum={input.a + input.b} upper={upper(input.s)} first={input.xs[0]}"
nested := $"[{$"({input.name})"}]"
labels contains $"{k}={v}" if some k, v in input.m
wrapped := [$"<{x}>" | some x in input.xs]
f(x) := $"f({x})"
via_function := f(input.v)
every_ok if {
  every i, x in input.xs {
    input.ys[i] == $"#{x}"
  }
}
member if $"user_{input.id}" in {"user_1", "user_2"}
with_inside := $"{value with input.v as "swapped"}"
`,
      ["greeting", "value", "raw", "calls", "nested", "labels", "wrapped", "via_function", "every_ok", "member", "with_inside"],
    );
  });

  it.each([
    [{ name: "ann", age: 42 }, "hello ann, you are 42"],
    [{ name: "bob", age: 7.5 }, "hello bob, you are 7.5"],
    [{ name: 'q"uote', age: null }, 'hello q"uote, you are null'],
    [{ name: ["a", 1] }, 'hello ["a", 1], you are <undefined>'],
    [{}, "hello <undefined>, you are <undefined>"],
  ])("greeting for %j", (input, want) => {
    expect(valueOf(p, "greeting", input)).toBe(want);
  });

  it.each([
    ["plain", "plain"],
    ["", ""],
    [12, "12"],
    [-0.25, "-0.25"],
    [true, "true"],
    [null, "null"],
    [[], "[]"],
    [[1, "two", [3], { k: "v" }], '[1, "two", [3], {"k": "v"}]'],
    [{ b: 1, a: "x\ny" }, '{"a": "x\\ny", "b": 1}'],
    [{}, "{}"],
    ["unicode é ✓", "unicode é ✓"],
  ])("formats %j", (v, want) => {
    expect(valueOf(p, "value", { v })).toBe(want);
  });

  it("writes undefined expressions as <undefined>, without failing the string", () => {
    expect(valueOf(p, "value", {})).toBe("<undefined>");
    expect(valueOf(p, "value", undefined)).toBe("<undefined>");
  });

  it("keeps raw templates' line breaks and backslashes, and \\{ as a brace", () => {
    expect(valueOf(p, "raw", { tag: "v", xs: [1, 2, 3] })).toBe("<v>\n  3 {literal}\n</v>");
    expect(valueOf(p, "raw", { tag: "w", xs: [] })).toBe("<w>\n  0 {literal}\n</w>");
    expect(valueOf(p, "raw", { xs: "no" })).toBe("<<undefined>>\n  2 {literal}\n</<undefined>>");
  });

  it("evaluates calls, operators and refs inside expressions", () => {
    expect(valueOf(p, "calls", { a: 1, b: 2, s: "ab", xs: ["z"] })).toBe("sum=3 upper=AB first=z");
    expect(valueOf(p, "calls", { a: 1, b: "x", s: 1, xs: [] })).toBe("sum=<undefined> upper=<undefined> first=<undefined>");
  });

  it("nests templates", () => {
    expect(valueOf(p, "nested", { name: "n" })).toBe("[(n)]");
    expect(valueOf(p, "nested", {})).toBe("[(<undefined>)]");
  });

  it("works in rule heads, comprehensions, functions, every and membership", () => {
    expect(valueOf(p, "labels", { m: { a: 1, b: [true] } })).toEqual(["a=1", "b=[true]"]);
    expect(valueOf(p, "wrapped", { xs: ["x", 2] })).toEqual(["<x>", "<2>"]);
    expect(valueOf(p, "via_function", { v: { k: [] } })).toBe('f({"k": []})');
    expect(valueOf(p, "every_ok", { xs: [1, "b"], ys: ["#1", "#b"] })).toBe(true);
    expect(valueOf(p, "every_ok", { xs: [1, "b"], ys: ["#1", "#c"] })).toBeUndefined();
    expect(valueOf(p, "member", { id: 2 })).toBe(true);
    expect(valueOf(p, "member", { id: 3 })).toBeUndefined();
    expect(valueOf(p, "with_inside", { v: "original" })).toBe("swapped");
  });

  it("gives the same answers when asked again on the same instance", () => {
    for (let i = 0; i < 50; i++) {
      expect(valueOf(p, "greeting", { name: `u${i}`, age: i })).toBe(`hello u${i}, you are ${i}`);
      expect(valueOf(p, "value", { v: { i } })).toBe(`{"i": ${i}}`);
    }
  });
});

describe("constants and escapes", () => {
  it.each([
    [String.raw`$""`, ""],
    [String.raw`$"no expressions"`, "no expressions"],
    [String.raw`$"\t\n\"\u00e9\\"`, '\t\n"é\\'],
    [String.raw`$"\{42} {42} \{{42}"`, "{42} 42 {42"],
    [String.raw`$"a}b"`, "a}b"],
    [String.raw`$"{1.0} {1e2} {-3} {true} {null} {"s"}"`, "1.0 1e2 -3 true null s"],
    [String.raw`$"{[]} {set()} {{1}} {{}} {{"a": "b"}} {[1, "x"]}"`, '[] set() {1} {} {"a": "b"} [1, "x"]'],
    [String.raw`$"{{"k": {"v"}}}"`, '{"k": {"v"}}'],
    [String.raw`$"{ "spaced" }"`, "spaced"],
    ["$`a\\nb \\{c}`", "a\\nb {c}"],
    ['$`{"}"}`', "}"],
    ['$"{$`{"x"}`}"', "x"],
  ])("%s", async (template, want) => {
    const p = await load(`package t\n\np := ${template}\n`, ["p"]);
    expect(valueOf(p, "p")).toBe(want);
  });

  it("folds a template without expressions into a plain string", () => {
    const d = new Diagnostics();
    const m = parseModule("m.rego", 'package t\np := $"a\\{b}"\nq := $"x{1}y"\n', d);
    expect(d.items).toEqual([]);
    expect(m!.rules.map((r) => r.head.value)).toMatchObject([
      { kind: "string", value: "a{b}" },
      { kind: "string", value: "x1y" },
    ]);
  });
});

describe("with and functions", () => {
  it("applies a with around the template to its expressions", async () => {
    const p = await load(
      `package t

a := input.a
b := input.b

p := x if {
  x := $"{a} {b}" with input as {"a": 42} with input as {"b": "bar"}
}
q := x if {
  x := $"{a} {b}" with input.a as 1 with input.b as [2]
}
`,
      ["p", "q"],
    );
    expect(valueOf(p, "p", { a: 0, b: 0 })).toBe("<undefined> bar");
    expect(valueOf(p, "q", {})).toBe("1 [2]");
  });

  it("matches a template in a function's arguments after its body, else clauses included", async () => {
    const p = await load(
      `package t

f($"{x} {input.y}") := 42 if {
  x = "foo"
}
g($"{x}") := "first" if {
  x := input.x
  input.first
} else := "second" if {
  x := input.x
}
h([$"<{x}>", y]) := y if x := input.x

p := f(input.arg)
q := g(input.arg)
r := h(input.arg)
`,
      ["p", "q", "r"],
    );
    expect(valueOf(p, "p", { y: "bar", arg: "foo bar" })).toBe(42);
    expect(valueOf(p, "p", { y: "baz", arg: "foo bar" })).toBeUndefined();
    expect(valueOf(p, "q", { x: 1, first: true, arg: "1" })).toBe("first");
    expect(valueOf(p, "q", { x: 1, first: false, arg: "1" })).toBe("second");
    expect(valueOf(p, "q", { x: 1, arg: "2" })).toBeUndefined();
    expect(valueOf(p, "r", { x: "a", arg: ["<a>", 7] })).toBe(7);
    expect(valueOf(p, "r", { x: "a", arg: ["<b>", 7] })).toBeUndefined();
  });
});

describe("several values", () => {
  it("halts with OPA's conflict error when an expression has more than one value", async () => {
    for (const strict of [false, true]) {
      const p = await load(`package t\n\np := $"x={input.xs[_]}"\n`, ["p"], strict);
      expect(valueOf(p, "p", { xs: [1, 1] })).toBe("x=1");
      expect(valueOf(p, "p", { xs: [] })).toBe("x=<undefined>");
      let error: unknown;
      try {
        p.evaluate("t/p", { xs: [1, 2] });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({
        code: "eval_conflict_error",
        message: "template-strings must not produce multiple outputs",
        location: { file: "policy.rego", line: 3 },
      });
      // The instance still answers afterwards.
      expect(valueOf(p, "p", { xs: ["ok"] })).toBe("x=ok");
    }
  });
});

describe("compile errors", () => {
  it.each([
    [String.raw`$"{x}"`, /policy\.rego:3:9: rego_unsafe_var_error: var x is unsafe/],
    [String.raw`$"{x := 1}"`, /policy\.rego:3:9: rego_parse_error: unexpected assignment \(':='\) in template string expression/],
    [String.raw`$"{x = 1}"`, /rego_parse_error: unexpected unification \('='\) in template string expression/],
    [String.raw`$"{not input.x}"`, /rego_parse_error: unexpected negation \('not'\) in template string expression/],
    [String.raw`$"{some x in [1]}"`, /rego_parse_error: unexpected 'some' in template string expression/],
    [String.raw`$"{every x in [1] { x }}"`, /rego_parse_error: unexpected 'every' in template string expression/],
    [String.raw`$"{}"`, /rego_parse_error: empty template string expression/],
    [String.raw`$"{1 2}"`, /policy\.rego:3:11: rego_parse_error: unexpected number 2, expected '}' to end the template string expression/],
    [String.raw`$"{nope(1)}"`, /rego_type_error: undefined function nope/],
    [String.raw`$"\q"`, /rego_parse_error: invalid escape sequence '\\q' in string/],
    ['$"open', /policy\.rego:3:6: rego_parse_error: unterminated template string/],
    ['$"a\nb"', /policy\.rego:3:6: rego_parse_error: unterminated template string/],
    ["$`{1", /rego_parse_error: unterminated template string expression: expected '}'/],
    ["$x", /rego_parse_error: unexpected character '\$'/],
  ])("%s", (template, want) => {
    const errors = errorsOf(`package t\n\np := ${template}\n`);
    expect(errors.join("\n")).toMatch(want);
  });

  it("keeps parsing the module after a broken template", () => {
    const errors = errorsOf(`package t\n\np := $"{x := 1}"\nq := $"{1 2}"\n`);
    expect(errors).toHaveLength(2);
  });
});
