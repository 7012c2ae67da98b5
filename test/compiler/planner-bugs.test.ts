/**
 * Planner bugs of issue 18, each reproduced as it was reported and then evaluated end to end, many inputs on
 * one loaded instance: a `:=` that reordering for safety plans after the literal binding its target, a
 * comparison whose reference binds its own variable, and `data[key]` with a key known at run time, which
 * built the whole of `data` (and so reported the rule asking as recursive).
 */

import fc from "fast-check";
import { compile } from "../../src/compiler/compile";
import type { CompileRequest } from "../../src/compiler/compile-options";
import { formatDiagnostic } from "../../src/compiler/diagnostics";
import { loadCompiledPolicy, type CompiledPolicy } from "../../src/policy/compiled-policy";

async function load(req: CompileRequest): Promise<CompiledPolicy> {
  const compiled = compile(req);
  if (!compiled.ok) throw new Error(compiled.diagnostics.map(formatDiagnostic).join("\n"));
  return loadCompiledPolicy(compiled.wasm);
}

function valueOf(p: CompiledPolicy, entrypoint: string, input?: unknown): unknown {
  const rs = p.evaluate(entrypoint, input);
  return rs.length === 0 ? undefined : (rs[0] as { result: unknown }).result;
}

/** The formatted diagnostics of sources that must not compile. */
function errorsOf(text: string, entrypoint = "t/p"): string {
  const compiled = compile({ modules: [{ file: "policy.rego", text }], entrypoints: [entrypoint] });
  expect(compiled.ok).toBe(false);
  return compiled.ok ? "" : compiled.diagnostics.map(formatDiagnostic).join("\n");
}

describe("an assignment planned after the literal that binds its target", () => {
  let p: CompiledPolicy;
  const pairs = fc.array(fc.tuple(fc.constantFrom(1, 2), fc.constantFrom("y", "z", "w")), { maxLength: 6 });

  beforeAll(async () => {
    p = await load({
      modules: [
        { file: "x.rego", text: "package x\n\np contains pair if some pair in input.pairs\n" },
        {
          file: "t.rego",
          text: String.raw`package t

matches contains a if {
	a := [1, x]
	data.x.p[a]
	x == input.want
}
`,
        },
      ],
      entrypoints: ["t/matches"],
      queries: [{ name: "issue", query: `a := [1, x]; data.x.p[a]; x == "y"` }],
    });
  });

  it("compiles the query of the issue and answers as OPA does", () => {
    expect(
      p.evaluate("issue", {
        pairs: [
          [1, "y"],
          [1, "z"],
          [2, "y"],
        ],
      }),
    ).toEqual([{ a: [1, "y"], x: "y" }]);
    expect(p.evaluate("issue", { pairs: [[1, "z"]] })).toEqual([]);
  });

  it("binds the target through the lookup, then destructures it, for any input", () => {
    fc.assert(
      fc.property(pairs, fc.constantFrom("y", "z", "w"), (list, want) => {
        const expected = [...new Set(list.filter(([n, s]) => n === 1 && s === want).map((pair) => JSON.stringify(pair)))].map((s) =>
          JSON.parse(s),
        );
        expect(valueOf(p, "t/matches", { pairs: list, want })).toEqual(expected);
        const solutions = p.evaluate("issue", { pairs: list });
        expect(solutions).toEqual(list.some(([n, s]) => n === 1 && s === "y") ? [{ a: [1, "y"], x: "y" }] : []);
      }),
      { numRuns: 100 },
    );
  });

  it("still reports an assignment after one in the source, or after a read, as OPA does", () => {
    expect(errorsOf("package t\n\np if {\n\tx := 1\n\tx := 2\n}\n")).toMatch(/policy\.rego:5:2: rego_compile_error: var x assigned above/);
    expect(errorsOf("package t\n\np if {\n\ty := x\n\tx := 1\n}\n")).toMatch(
      /policy\.rego:5:2: rego_compile_error: var x referenced above/,
    );
    expect(errorsOf("package t\n\np if {\n\tsome x in [1]\n\tx := 2\n}\n")).toMatch(/var x assigned above/);
    expect(errorsOf("package t\n\nf(x) := 1 if {\n\tx := 2\n}\n\ng := f(1)\n", "t/g")).toMatch(/var x assigned above/);
  });
});

describe("a comparison whose reference binds its own variable", () => {
  let p: CompiledPolicy;
  const foos = fc.array(fc.integer({ min: -1, max: 5 }), { maxLength: 7 });

  beforeAll(async () => {
    p = await load({
      modules: [
        {
          file: "t.rego",
          text: String.raw`package t

fixpoints contains foo if {
	some foo
	foo == input.foos[foo]
}

p := foo if {
	some foo
	foo == input.foos[foo]
}

below contains i if {
	some i
	i < input.foos[i]
}

differs contains i if {
	some i
	input.foos[i] != i
}

keyed contains k if {
	some k
	k == input.obj[k].name
}
`,
        },
      ],
      entrypoints: ["t/fixpoints", "t/p", "t/below", "t/differs", "t/keyed"],
    });
  });

  it("answers the conformance cases of the issue", () => {
    expect(valueOf(p, "t/p", { foos: ["foo"] })).toBeUndefined();
    expect(valueOf(p, "t/p", { foos: [2, 1, 0] })).toBe(1);
  });

  it("iterates the reference first, then compares, for any input", () => {
    fc.assert(
      fc.property(foos, fc.dictionary(fc.constantFrom("a", "b", "c"), fc.constantFrom("a", "b", "c")), (list, names) => {
        const input = { foos: list, obj: Object.fromEntries(Object.entries(names).map(([k, v]) => [k, { name: v }])) };
        const indices = list.map((_, i) => i);
        expect(valueOf(p, "t/fixpoints", input)).toEqual(indices.filter((i) => list[i] === i));
        expect(valueOf(p, "t/below", input)).toEqual(indices.filter((i) => i < list[i]));
        expect(valueOf(p, "t/differs", input)).toEqual(indices.filter((i) => list[i] !== i));
        expect(valueOf(p, "t/keyed", input)).toEqual(
          Object.keys(names)
            .filter((k) => names[k] === k)
            .sort(),
        );
        const fixed = indices.filter((i) => list[i] === i);
        if (fixed.length <= 1) expect(valueOf(p, "t/p", input)).toBe(fixed[0]);
        else expect(() => p.evaluate("t/p", input)).toThrow(/complete rules must not produce multiple outputs/);
      }),
      { numRuns: 150 },
    );
  });

  it("still reports a variable nothing binds as unsafe", () => {
    expect(errorsOf("package t\n\np if {\n\tsome foo\n\tfoo == input.x\n}\n")).toMatch(/rego_unsafe_var_error: var foo is unsafe/);
  });
});

describe("data[key] with a key known at run time", () => {
  let p: CompiledPolicy;

  beforeAll(async () => {
    p = await load({
      modules: [
        {
          file: "t.rego",
          text: 'package t\n\np := data[first].allow.see.something_else if first := "primary"\n\nq := data[input.pkg].allow\n\nr := data.u[input.rule]\n',
        },
        { file: "u.rego", text: "package u\n\nn := 7\n\nm := n + 1\n" },
        {
          file: "primary.rego",
          text: 'package primary\n\nallow[action].something if action := "show"\n\nallow.see.something_else if true\n',
        },
        { file: "unrelated.rego", text: 'package unrelated\n\nallow.other.stuff if true\n\nallow.see.something_else := "unrelated"\n' },
      ],
      entrypoints: ["t/p", "t/q", "t/r"],
    });
    p.setData({ base: { allow: "from data" } });
  });

  it("selects the child it names, so the rule asking is not recursive", () => {
    for (let round = 0; round < 2; round++) {
      expect(valueOf(p, "t/p")).toBe(true);
      expect(valueOf(p, "t/q", { pkg: "primary" })).toEqual({ show: { something: true }, see: { something_else: true } });
      expect(valueOf(p, "t/q", { pkg: "unrelated" })).toEqual({ other: { stuff: true }, see: { something_else: "unrelated" } });
      expect(valueOf(p, "t/q", { pkg: "base" })).toBe("from data");
      expect(valueOf(p, "t/q", { pkg: "missing" })).toBeUndefined();
      expect(valueOf(p, "t/q", { pkg: 3 })).toBeUndefined();
      expect(valueOf(p, "t/q", {})).toBeUndefined();
      expect(valueOf(p, "t/r", { rule: "n" })).toBe(7);
      expect(valueOf(p, "t/r", { rule: "m" })).toBe(8);
      expect(valueOf(p, "t/r", { rule: "nope" })).toBeUndefined();
    }
  });

  it("still reports a rule that reaches itself through data[key] as recursive", () => {
    expect(errorsOf('package t\n\np := data[first].p if first := "t"\n')).toMatch(/rego_recursion_error: rule data\.t\.p is recursive/);
    expect(errorsOf("package t\n\np contains k if data[k]\n")).toMatch(/rego_recursion_error: rule data\.t\.p is recursive/);
  });
});
