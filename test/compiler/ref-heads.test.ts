/**
 * General ref heads, as OPA 1.x allows them: variables anywhere in the ref of a rule head, for `contains`
 * rules and for value rules, mixed with other rules under the same prefix, queried at every prefix, and
 * conflicting as OPA's do. Compiled and evaluated end to end, many inputs on one loaded instance.
 */

import fc from "fast-check";
import { compile } from "../../src/compiler/compile";
import { formatDiagnostic } from "../../src/compiler/diagnostics";
import { loadCompiledPolicy, type CompiledPolicy } from "../../src/policy/compiled-policy";

const POLICY = String.raw`package t

# contains, with a variable in the ref, beside a constant contains rule and a value rule
a.b[x] contains msg if {
	some x in input.kinds
	msg := concat("-", [x, "m"])
}

a.b.fixed contains "z"

a.c := 1

# a value rule with a variable in the middle of its ref
c.d[x].e := y if some x, y in input.m

# two variables, and a constant rule below the same prefix
p[x][y] := z if {
	some x, inner in input.grid
	some y, z in inner
}

p.x.y := "fixed"

# a variable, then a constant, beside a constant rule for one key
q[k].r := v if some k, v in input.q

q.fixed.r := 0

# a set under two variables
groups[team][role] contains name if {
	some name, person in input.people
	team := person.team
	role := person.role
}

# reading the documents back at a key known at run time
lookup := c.d[input.key].e

kind_count := count(a.b[input.key])
`;

const ENTRYPOINTS = ["t", "t/a", "t/a/b", "t/a/b/fixed", "t/c", "t/c/d", "t/p", "t/q", "t/groups", "t/lookup", "t/kind_count"];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

async function load(text: string, entrypoints: string[]): Promise<CompiledPolicy> {
  const compiled = compile({ modules: [{ file: "policy.rego", text }], entrypoints });
  if (!compiled.ok) throw new Error(compiled.diagnostics.map(formatDiagnostic).join("\n"));
  return loadCompiledPolicy(compiled.wasm);
}

function valueOf(p: CompiledPolicy, entrypoint: string, input?: unknown): unknown {
  const rs = p.evaluate(entrypoint, input);
  return rs.length === 0 ? undefined : (rs[0] as { result: unknown }).result;
}

/** The error an evaluation throws, or undefined. */
function errorOf(p: CompiledPolicy, entrypoint: string, input?: unknown): unknown {
  try {
    p.evaluate(entrypoint, input);
  } catch (e) {
    return e;
  }
  return undefined;
}

interface Input {
  kinds: string[];
  m: Record<string, Json>;
  grid: Record<string, Record<string, Json>>;
  q: Record<string, Json>;
  people: Record<string, { team: string; role: string }>;
  key: string;
}

const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

/** What OPA answers for data.t.a.b with this input. */
function expectedB(input: Input): Record<string, string[]> {
  const b: Record<string, string[]> = {};
  for (const x of input.kinds) b[x] = sorted([...(b[x] ?? []), `${x}-m`]);
  b.fixed = sorted([...(b.fixed ?? []), "z"]);
  return b;
}

function expectedGroups(input: Input): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const [name, { team, role }] of Object.entries(input.people)) {
    out[team] ??= {};
    out[team][role] = sorted([...(out[team][role] ?? []), name]);
  }
  return out;
}

const key = fc.constantFrom("k1", "k2", "x", "fixed", "y");
const scalar: fc.Arbitrary<Json> = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom("fixed", "v", true, null));
const inputs: fc.Arbitrary<Input> = fc.record({
  kinds: fc.array(key, { maxLength: 4 }),
  m: fc.dictionary(key, scalar, { maxKeys: 3 }),
  grid: fc.dictionary(key, fc.dictionary(key, scalar, { maxKeys: 3 }), { maxKeys: 3 }),
  q: fc.dictionary(key, scalar, { maxKeys: 3 }),
  people: fc.dictionary(fc.constantFrom("ann", "bob", "cy", "dee"), fc.record({ team: key, role: fc.constantFrom("dev", "ops") }), {
    maxKeys: 4,
  }),
  key,
});

describe("general ref heads on one policy instance", () => {
  let p: CompiledPolicy;

  beforeAll(async () => {
    p = await load(POLICY, ENTRYPOINTS);
  });

  it("answers at every prefix as OPA does", () => {
    const input: Input = {
      kinds: ["p", "q", "fixed"],
      m: { k: 1, l: "two" },
      grid: { x: { y: "fixed", z: 3 }, w: { v: false } },
      q: { fixed: 0, a: [1] },
      people: { ann: { team: "red", role: "dev" }, bob: { team: "red", role: "dev" }, cy: { team: "blue", role: "ops" } },
      key: "k",
    };
    const b = { fixed: ["fixed-m", "z"], p: ["p-m"], q: ["q-m"] };
    const c = { d: { k: { e: 1 }, l: { e: "two" } } };
    const pDoc = { x: { y: "fixed", z: 3 }, w: { v: false } };
    const q = { fixed: { r: 0 }, a: { r: [1] } };
    const groups = { red: { dev: ["ann", "bob"] }, blue: { ops: ["cy"] } };
    expect(valueOf(p, "t/a", input)).toEqual({ b, c: 1 });
    expect(valueOf(p, "t/a/b", input)).toEqual(b);
    expect(valueOf(p, "t/a/b/fixed", input)).toEqual(["fixed-m", "z"]);
    expect(valueOf(p, "t/c", input)).toEqual(c);
    expect(valueOf(p, "t/c/d", input)).toEqual(c.d);
    expect(valueOf(p, "t/p", input)).toEqual(pDoc);
    expect(valueOf(p, "t/q", input)).toEqual(q);
    expect(valueOf(p, "t/groups", input)).toEqual(groups);
    expect(valueOf(p, "t/lookup", input)).toBe(1);
    expect(valueOf(p, "t/kind_count", { ...input, key: "fixed" })).toBe(2);
    expect(valueOf(p, "t", input)).toEqual({ a: { b, c: 1 }, c, p: pDoc, q, groups, lookup: 1 });
  });

  it("answers the brief's examples", async () => {
    const brief = await load(
      String.raw`package t

a.b[x] contains msg if { some x in ["p","q"]; msg := concat("-", [x, "m"]) }

c.d[x].e := y if { some x, y in {"k": 1} }
`,
      ["t/a", "t/a/b", "t/a/b/p", "t/c", "t/c/d/k/e"],
    );
    expect(valueOf(brief, "t/a")).toEqual({ b: { p: ["p-m"], q: ["q-m"] } });
    expect(valueOf(brief, "t/a/b")).toEqual({ p: ["p-m"], q: ["q-m"] });
    expect(valueOf(brief, "t/a/b/p")).toEqual(["p-m"]);
    expect(valueOf(brief, "t/c")).toEqual({ d: { k: { e: 1 } } });
    expect(valueOf(brief, "t/c/d/k/e")).toBe(1);
  });

  it("builds the same documents as OPA for any input, and conflicts exactly where OPA does", () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const b = expectedB(input);
        expect(valueOf(p, "t/a/b", input)).toEqual(b);
        expect(valueOf(p, "t/a", input)).toEqual({ b, c: 1 });
        const d = Object.fromEntries(Object.entries(input.m).map(([k, v]) => [k, { e: v }]));
        expect(valueOf(p, "t/c", input)).toEqual({ d });
        expect(valueOf(p, "t/lookup", input)).toEqual(input.m[input.key]);
        expect(valueOf(p, "t/kind_count", input)).toBe(b[input.key]?.length);
        expect(valueOf(p, "t/groups", input)).toEqual(expectedGroups(input));

        // p.x.y := "fixed" beside p[x][y] := z: one value at one key, or a conflict.
        const gridXY = input.grid.x?.y;
        if (gridXY !== undefined && gridXY !== "fixed") {
          expect(errorOf(p, "t/p", input)).toMatchObject({ code: "eval_conflict_error", message: "object keys must be unique" });
        } else {
          const grid = Object.fromEntries(Object.entries(input.grid).filter(([, row]) => Object.keys(row).length > 0));
          expect(valueOf(p, "t/p", input)).toEqual({ ...grid, x: { ...grid.x, y: "fixed" } });
        }

        // q.fixed.r := 0 beside q[k].r := v.
        if (input.q.fixed !== undefined && input.q.fixed !== 0) {
          expect(errorOf(p, "t/q", input)).toMatchObject({ code: "eval_conflict_error" });
        } else {
          const q = Object.fromEntries(Object.entries(input.q).map(([k, v]) => [k, { r: v }]));
          expect(valueOf(p, "t/q", input)).toEqual({ ...q, fixed: { r: 0 } });
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe("conflicts between rules with general ref heads", () => {
  it.each([
    ["two values at one key from one rule", `p[q].r.s := i if q := ["a", "b", "a"][i]`],
    ["a constant rule where a general one builds an object", `p[q].r.s := i if q := ["a", "b"][i]\np.a.r := 42`],
    ["a rule's value entered by a rule below it", `p[q].r := {"s": {"t": 1}} if q := "q"\np.q.r.s.u := 42`],
    ["a set of contains rules where a value rule is", `p[x] contains 1 if x := "k"\np.k := 5`],
    ["a value below a set of contains rules", `p[x] contains 1 if x := "k"\np.k.z := 5`],
    ["two variables, two values", `p[x][y] := 1 if { x := "a"; y := "b" }\np[x][y] := 2 if { x := "a"; y := "b" }`],
  ])("%s is an eval_conflict_error", async (_name, rules) => {
    const p = await load(`package t\n\n${rules}\n`, ["t/p", "t"]);
    expect(errorOf(p, "t/p")).toMatchObject({ code: "eval_conflict_error" });
    expect(errorOf(p, "t")).toMatchObject({ code: "eval_conflict_error" });
  });

  it.each([
    ["equal values at one key", `p[q].r := i if q := ["a", "b"][i]\np.a.r := 0`, { a: { r: 0 }, b: { r: 1 } }],
    ["different depths below different keys", `p[q].r.s := i if q := ["a"][i]\np.d.r := 3`, { a: { r: { s: 0 } }, d: { r: 3 } }],
    ["sets of contains rules at one key join", `p[q] contains 1 if q := "b"\np.b contains 2`, { b: [1, 2] }],
    ["a contains rule and a value rule at different keys", `p.q contains "a"\np[k] := "bar" if k := "foo"`, { q: ["a"], foo: "bar" }],
  ])("%s is no conflict", async (_name, rules, want) => {
    const p = await load(`package t\n\n${rules}\n`, ["t/p"]);
    expect(valueOf(p, "t/p")).toEqual(want);
  });
});

describe("compile errors", () => {
  it("reports a variable of the ref that the body does not bind as unsafe", () => {
    const compiled = compile({
      modules: [{ file: "policy.rego", text: "package t\n\na.b[x] contains 1 if input.y\n" }],
      entrypoints: ["t/a"],
    });
    expect(compiled.ok).toBe(false);
    if (!compiled.ok) expect(compiled.diagnostics.map(formatDiagnostic).join("\n")).toMatch(/rego_unsafe_var_error: var x is unsafe/);
  });
});
