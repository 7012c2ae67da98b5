/**
 * Rule heads that stand alone, without a body, as OPA 1.x reads them (its parser turns such a statement
 * into a rule only in these forms):
 *
 * - v1 and v0: a value (`p := 1`, `p[k] = v`), `contains` (`deny contains "x"`), or a function head
 *   (`f(x)`, value true) need no body;
 * - v0 only: `p[x]` / `p.q` is a partial set, `a.b.c` (three parts or more) has the value true;
 * - never: a bare name (`allow`) — OPA refuses it ("var cannot be used for rule name"), and so do we: a stray
 *   word must not quietly define a rule that is true, least of all `allow`.
 */

import { compile } from "../../src/compiler/compile";
import type { RegoVersion } from "../../src/compiler/compile-options";
import { formatDiagnostic } from "../../src/compiler/diagnostics";
import { loadCompiledPolicy, type CompiledPolicy } from "../../src/policy/compiled-policy";

async function load(text: string, entrypoints: string[], regoVersion: RegoVersion): Promise<CompiledPolicy> {
  const result = compile({ modules: [{ file: "m.rego", text }], entrypoints, regoVersion });
  if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join("\n"));
  return loadCompiledPolicy(result.wasm, {});
}

function errors(text: string, regoVersion: RegoVersion): string[] {
  const result = compile({ modules: [{ file: "m.rego", text }], entrypoints: ["p/x"], regoVersion });
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.diagnostics.map(formatDiagnostic);
}

const value = (policy: CompiledPolicy, entrypoint: string, input?: unknown): unknown => policy.evaluate(entrypoint, input)[0]?.["result"];

describe.each([1, 0] as const)("in Rego v%i", (version) => {
  it("gives a function head standing alone the value true, for any argument, beside its other definitions", async () => {
    const policy = await load(
      [
        "package p",
        "import future.keywords.if",
        'trusted("ci")',
        'trusted("cd")',
        "is_any(_)",
        'check = [trusted("ci"), trusted("cd"), is_any(7)]',
        "untrusted if { not trusted(input.who) }",
      ].join("\n"),
      ["p/check", "p/untrusted"],
      version,
    );
    expect(value(policy, "p/check")).toEqual([true, true, true]);
    for (const [who, want] of [
      ["ci", undefined],
      ["cd", undefined],
      ["dev", true],
      ["ci", undefined],
    ] as const) {
      expect(value(policy, "p/untrusted", { who })).toBe(want);
    }
  });

  it("accepts values and contains without a body", async () => {
    const policy = await load(
      [
        "package p",
        "import future.keywords.contains",
        "limit := 10",
        'codes["a"] = 1',
        'deny contains "always"',
        "deny contains input.extra",
      ].join("\n"),
      ["p/limit", "p/codes", "p/deny"],
      version,
    );
    expect(value(policy, "p/limit")).toBe(10);
    expect(value(policy, "p/codes")).toEqual({ a: 1 });
    expect(value(policy, "p/deny", { extra: "x" })).toEqual(["always", "x"]);
    expect(value(policy, "p/deny", {})).toEqual(["always"]);
  });

  it("refuses a bare name standing alone, as OPA does", () => {
    const follow = version === 1 ? "':=', '=', 'contains' or 'if'" : "'=', ':=' or a body in braces";
    expect(errors("package p\n\nallow\n", version)).toEqual([
      `m.rego:3:1: rego_parse_error: rule head 'allow' must be followed by ${follow}`,
    ]);
  });
});

describe("ref heads standing alone", () => {
  it("are rules in Rego v0: p[x] and p.q add to a partial set, a.b.c is true", async () => {
    const policy = await load(
      ["package p", 'roles["admin"]', "roles.viewer", "features.audit.enabled", "features.audit.level = 3"].join("\n"),
      ["p/roles", "p/features"],
      0,
    );
    expect(value(policy, "p/roles")).toEqual(["admin", "viewer"]);
    expect(value(policy, "p/features")).toEqual({ audit: { enabled: true, level: 3 } });
  });

  it("are refused in Rego v1 with OPA's reasons, at file:line:col", () => {
    expect(errors('package p\n\nroles["admin"]\n', 1)).toEqual([
      "m.rego:3:1: rego_parse_error: `contains` keyword is required for partial set rules: write 'roles contains <value>' (a head 'p[x]' or 'p.q' standing alone is Rego v0 syntax)",
    ]);
    expect(errors("package p\n\nfeatures.audit.enabled\n", 1)).toEqual([
      "m.rego:3:1: rego_parse_error: rule must have value assignment and/or body declaration: write '… := <value>' or '… if { … }' (a ref head standing alone is Rego v0 syntax)",
    ]);
  });

  it("still need the rest of the line to be empty", () => {
    expect(errors("package p\n\nf(x) y\n", 1)).toEqual(["m.rego:3:6: rego_parse_error: unexpected identifier 'y', expected a new line"]);
  });
});
