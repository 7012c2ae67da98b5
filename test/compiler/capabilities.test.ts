/**
 * Compiling under a capabilities document, as `opa build --capabilities` does: the built-ins it lists and
 * no others, plus custom built-ins it declares, which the host implements; a custom built-in with no
 * implementation fails the load, never a decision.
 */

import { builtinsUnder, CapabilitiesError, parseCapabilities, type Capabilities } from "../../src/compiler/capabilities";
import { compile } from "../../src/compiler/compile";
import { formatDiagnostic } from "../../src/compiler/diagnostics";
import { loadCompiledPolicy, type CompiledPolicy } from "../../src/policy/compiled-policy";
import { PolicyError, PolicyEvalError } from "../../src/policy/policy-error";

const fn = (args: object[], result: object): object => ({ type: "function", args, result });
const S = { type: "string" };
const N = { type: "number" };
const OBJ = { type: "object", dynamic: { key: { type: "string" }, value: { type: "any" } } };

/** A file listing a few of Countersign's built-ins and two custom ones. */
const CAPS: Capabilities = parseCapabilities({
  builtins: [
    { name: "eq", decl: fn([{ type: "any" }, { type: "any" }], { type: "boolean" }), infix: "=" },
    { name: "assign", decl: fn([{ type: "any" }, { type: "any" }], { type: "boolean" }), infix: ":=" },
    { name: "plus", decl: fn([N, N], N), infix: "+" },
    { name: "count", decl: fn([{ type: "any" }], N) },
    { name: "acme.lookup", decl: fn([S], OBJ) },
    { name: "acme.score", decl: fn([S, N], N) },
  ],
  features: ["rego_v1"],
});

const POLICY = `package t

user := acme.lookup(input.name)
score := acme.score(input.name, count(input.name) + 1)
`;

function compileUnder(caps: Capabilities, text: string, entrypoints: string[], strict = false) {
  return compile({ modules: [{ file: "p.rego", text }], entrypoints, capabilities: caps, strictBuiltinErrors: strict });
}

describe("a capabilities document", () => {
  it("restricts the built-ins to those it lists: any other is an undefined function", () => {
    const result = compileUnder(CAPS, "package t\n\np := upper(input.x)\nq := count(input.x)\n", ["t/p", "t/q"]);
    expect(result.ok ? [] : result.diagnostics.map(formatDiagnostic)).toEqual(["p.rego:3:6: rego_type_error: undefined function upper"]);
  });

  it("compiles the custom built-ins it declares as host calls", () => {
    const result = compileUnder(CAPS, POLICY, ["t/user", "t/score"]);
    if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join("\n"));
    expect([...result.hostBuiltins].sort()).toEqual(["acme.lookup", "acme.score"]);
  });

  it("checks a custom built-in's arity at the call", () => {
    const result = compileUnder(CAPS, "package t\n\np := acme.score(input.x)\n", ["t/p"]);
    expect(result.ok ? [] : result.diagnostics.map(formatDiagnostic)).toEqual([
      "p.rego:3:6: rego_type_error: acme.score: arity mismatch: expected 2 arguments, got 1",
    ]);
  });

  it("is refused when it declares what a host built-in cannot be", () => {
    const bad =
      (b: object): (() => unknown) =>
      () =>
        builtinsUnder(parseCapabilities({ builtins: [b] }));
    expect(bad({ name: "acme.set", decl: fn([S], { type: "set", of: S }) })).toThrow("cannot return a set");
    expect(bad({ name: "acme.many", decl: fn([S, S, S, S, S], S) })).toThrow("0 to 4 operands, not 5");
    expect(bad({ name: "acme.var", decl: { type: "function", variadic: S, result: S } })).toThrow("not a variable number");
    expect(() => parseCapabilities({ builtins: [{ name: "acme.x" }] })).toThrow(CapabilitiesError);
    expect(() => parseCapabilities({ builtins: [{ name: "bad name", decl: fn([], S) }] })).toThrow("not a dotted Rego name");
    expect(() =>
      parseCapabilities({
        builtins: [
          { name: "a", decl: fn([], S) },
          { name: "a", decl: fn([], S) },
        ],
      }),
    ).toThrow("listed twice");
    expect(() => parseCapabilities({ nope: 1 })).toThrow('needs a "builtins" array');
  });

  it("may declare a built-in Countersign refuses, which the host then implements", async () => {
    const caps = parseCapabilities({
      builtins: [{ name: "rego.metadata.rule", decl: { type: "function", result: { type: "any" } } }, ...CAPS.builtins],
    });
    const result = compileUnder(caps, "package t\n\np := rego.metadata.rule()\n", ["t/p"]);
    if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join("\n"));
    const policy = await loadCompiledPolicy(result.wasm, undefined, { builtins: { "rego.metadata.rule": () => ({ title: "p" }) } });
    expect(policy.evaluate("t/p")).toEqual([{ result: { title: "p" } }]);
  });
});

describe("custom built-ins at evaluation", () => {
  let wasm: Uint8Array;
  let strictWasm: Uint8Array;
  beforeAll(() => {
    const r = compileUnder(CAPS, POLICY, ["t/user", "t/score"]);
    const s = compileUnder(CAPS, POLICY, ["t/user", "t/score"], true);
    if (!r.ok || !s.ok) throw new Error("does not compile");
    wasm = r.wasm;
    strictWasm = s.wasm;
  });

  const users: Record<string, unknown> = { alice: { role: "admin", teams: ["a", "b"] }, bob: { role: "dev", teams: [] } };
  const impl = {
    "acme.lookup": (name: unknown) => {
      if (typeof name !== "string") throw new Error("name must be a string");
      if (!(name in users)) throw new Error(`no user ${name}`);
      return users[name];
    },
    "acme.score": (name: unknown, n: unknown) => (typeof name === "string" ? name.length * (n as number) : 0),
  };

  it("fail the load, naming them, when the host implements none of them", async () => {
    const load = loadCompiledPolicy(wasm, undefined, {});
    await expect(load).rejects.toThrow(PolicyError);
    await expect(loadCompiledPolicy(wasm)).rejects.toThrow(/acme\.lookup, acme\.score, which nothing implements/);
    await expect(loadCompiledPolicy(wasm, undefined, { builtins: { "acme.lookup": impl["acme.lookup"] } })).rejects.toMatchObject({
      code: "COUNTERSIGN_POLICY_BUILTIN_MISSING",
    });
  });

  it("answer with the host's implementation, many inputs on one instance", async () => {
    const policy: CompiledPolicy = await loadCompiledPolicy(wasm, undefined, { builtins: impl });
    for (let round = 0; round < 3; round++) {
      for (const name of ["alice", "bob", "carol", "x"]) {
        const user = policy.evaluate("t/user", { name });
        expect(user).toEqual(name in users ? [{ result: users[name] }] : []);
        expect(policy.evaluate("t/score", { name })).toEqual([{ result: name.length * (name.length + 1) }]);
      }
      // An error the host raises makes the call undefined, as any built-in's error does.
      expect(policy.evaluate("t/user", { name: 7 })).toEqual([]);
    }
  });

  it("raise the host's error under strict builtin errors", async () => {
    const policy = await loadCompiledPolicy(strictWasm, undefined, { builtins: impl, strictBuiltinErrors: true });
    expect(policy.evaluate("t/user", { name: "alice" })).toEqual([{ result: users.alice }]);
    let thrown: unknown;
    try {
      policy.evaluate("t/user", { name: "carol" });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PolicyEvalError);
    expect((thrown as PolicyEvalError).code).toBe("eval_builtin_error");
    expect((thrown as PolicyEvalError).message).toBe("acme.lookup: no user carol");
    expect(policy.evaluate("t/user", { name: "bob" })).toEqual([{ result: users.bob }]);
  });
});
