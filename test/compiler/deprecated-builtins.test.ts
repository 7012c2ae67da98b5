/**
 * OPA's deprecated built-ins (`any`, `all`, `re_match`, `set_diff`, `net.cidr_overlap`, `cast_*`): callable
 * from modules read as Rego v0, with OPA's results (its topdown implementations: aggregates.go, casts.go,
 * regex.go, sets.go, cidr.go, where net.cidr_overlap is net.cidr_contains), and refused in Rego v1 modules
 * with OPA 1.x's `rego_type_error: deprecated built-in function calls in expression: X`.
 */

import { compile } from "../../src/compiler/compile";
import { formatDiagnostic } from "../../src/compiler/diagnostics";
import { countersignCapabilities } from "../../src/compiler/capabilities";
import { loadCompiledPolicy, type CompiledPolicy } from "../../src/policy/compiled-policy";
import { PolicyEvalError } from "../../src/policy/policy-error";

const V0 = `package t

any_ = any(input.x)
all_ = all(input.x)
re = re_match(input.p, input.s)
diff = set_diff(cast_set(input.a), cast_set(input.b))
overlap = net.cidr_overlap(input.cidr, input.ip)
arr = cast_array(cast_set(input.x))
str = cast_string(input.x)
bool = cast_boolean(input.x)
nul = cast_null(input.x)
obj = cast_object(input.x)
`;
const RULES = ["any_", "all_", "re", "diff", "overlap", "arr", "str", "bool", "nul", "obj"];

async function loadV0(strict: boolean): Promise<CompiledPolicy> {
  const compiled = compile({
    modules: [{ file: "v0.rego", text: V0 }],
    entrypoints: RULES.map((r) => `t/${r}`),
    regoVersion: 0,
    strictBuiltinErrors: strict,
  });
  if (!compiled.ok) throw new Error(compiled.diagnostics.map(formatDiagnostic).join("\n"));
  return loadCompiledPolicy(compiled.wasm, undefined, { strictBuiltinErrors: strict });
}

let policy: CompiledPolicy;
let strictPolicy: CompiledPolicy;
beforeAll(async () => {
  policy = await loadV0(false);
  strictPolicy = await loadV0(true);
});

function value(rule: string, input: unknown): unknown {
  const rs = policy.evaluate(`t/${rule}`, input);
  return rs.length === 0 ? undefined : (rs[0] as { result: unknown }).result;
}

describe("deprecated built-ins in a Rego v0 module, many inputs on one instance", () => {
  it.each([
    [[], false, true],
    [[true], true, true],
    [[false, true], true, false],
    [[false, "true", 1], false, false],
    [[true, true], true, true],
    [[null], false, false],
  ])("any/all of %j", (x, anyWant, allWant) => {
    expect(value("any_", { x })).toBe(anyWant);
    expect(value("all_", { x })).toBe(allWant);
  });

  it("any and all of sets (through cast_set) answer as for arrays", () => {
    expect(value("arr", { x: [true, false, true] })).toEqual([false, true]);
    expect(value("any_", { x: "nope" })).toBeUndefined();
  });

  it.each([
    ["^a+b$", "aaab", true],
    ["^a+b$", "aaabc", false],
    ["[0-9]", "x9y", true],
  ])("re_match(%j, %j) is regex.match", (p, s, want) => {
    expect(value("re", { p, s })).toBe(want);
  });

  it("set_diff is set minus", () => {
    expect(value("diff", { a: [1, 2, 3, "x"], b: [2, "x", 4] })).toEqual([1, 3]);
    expect(value("diff", { a: [], b: [1] })).toEqual([]);
  });

  it.each([
    ["10.0.0.0/8", "10.1.2.3", true],
    ["10.0.0.0/8", "11.1.2.3", false],
    ["10.0.0.0/8", "10.1.0.0/16", true],
    ["2001:db8::/32", "2001:db8::1", true],
  ])("net.cidr_overlap(%j, %j) is net.cidr_contains", (cidr, ip, want) => {
    expect(value("overlap", { cidr, ip })).toBe(want);
  });

  it("casts return their operand of the right type and are undefined otherwise", () => {
    expect(value("arr", { x: [3, 1, 3] })).toEqual([1, 3]);
    expect(value("str", { x: "s" })).toBe("s");
    expect(value("str", { x: 1 })).toBeUndefined();
    expect(value("bool", { x: false })).toBe(false);
    expect(value("bool", { x: "false" })).toBeUndefined();
    expect(value("nul", { x: null })).toBeNull();
    expect(value("nul", { x: 0 })).toBeUndefined();
    expect(value("obj", { x: { a: [1] } })).toEqual({ a: [1] });
    expect(value("obj", { x: [] })).toBeUndefined();
  });

  it.each([
    ["any_", { x: 1 }, "eval_type_error", "any: operand 1 must be one of {array, set} but got number"],
    ["all_", { x: "s" }, "eval_type_error", "all: operand 1 must be one of {array, set} but got string"],
    ["re", { p: 1, s: "a" }, "eval_type_error", "re_match: operand 1 must be string but got number"],
    ["re", { p: "(", s: "a" }, "eval_builtin_error", "re_match: error parsing regexp: missing closing ): `(`"],
    ["diff", { a: "x", b: [] }, "eval_type_error", "cast_set: operand 1 must be one of {array, set} but got string"],
    ["overlap", { cidr: "nope", ip: "1.2.3.4" }, "eval_builtin_error", "net.cidr_overlap: invalid CIDR address: nope"],
    ["str", { x: 1 }, "eval_type_error", "cast_string: operand 1 must be string but got number"],
    ["bool", { x: 1 }, "eval_type_error", "cast_boolean: operand 1 must be boolean but got number"],
    ["nul", { x: 1 }, "eval_type_error", "cast_null: operand 1 must be null but got number"],
    ["obj", { x: 1 }, "eval_type_error", "cast_object: operand 1 must be object but got number"],
  ])("%s raises OPA's error under strict built-in errors (%j)", (rule, input, code, message) => {
    let caught: unknown;
    try {
      strictPolicy.evaluate(`t/${rule}`, input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PolicyEvalError);
    expect({ code: (caught as PolicyEvalError).code, message: (caught as Error).message }).toEqual({ code, message });
  });
});

describe("deprecated built-ins in Rego v1", () => {
  const diagnostics = (text: string, regoVersion?: 0 | 1): string[] => {
    const r = compile({ modules: [{ file: "p.rego", text }], entrypoints: ["t/p"], ...(regoVersion === undefined ? {} : { regoVersion }) });
    return r.ok ? [] : r.diagnostics.map(formatDiagnostic);
  };

  it("are refused where called, with OPA's message", () => {
    expect(diagnostics('package t\n\np := all([true, false])\nq := [x | x := re_match("a", input.s)]\n')).toEqual([
      "p.rego:3:6: rego_type_error: deprecated built-in function calls in expression: all",
      "p.rego:4:16: rego_type_error: deprecated built-in function calls in expression: re_match",
    ]);
  });

  it("are refused in a module that imports rego.v1 even in a v0 run", () => {
    expect(diagnostics("package t\nimport rego.v1\n\np := cast_set(input.x)\n", 0)).toEqual([
      "p.rego:4:6: rego_type_error: deprecated built-in function calls in expression: cast_set",
    ]);
  });

  it("leave a user function of the same name alone", () => {
    expect(diagnostics("package t\n\nany(xs) := true if true in xs\n\np := any([false, true])\n")).toEqual([]);
  });

  it("are marked deprecated in the capabilities", () => {
    const builtins = countersignCapabilities()["builtins"] as { name: string; deprecated?: boolean }[];
    expect(
      builtins
        .filter((b) => b.deprecated)
        .map((b) => b.name)
        .sort(),
    ).toEqual([
      "all",
      "any",
      "cast_array",
      "cast_boolean",
      "cast_null",
      "cast_object",
      "cast_set",
      "cast_string",
      "net.cidr_overlap",
      "re_match",
      "set_diff",
    ]);
  });
});
