/**
 * Compiles a small Rego module and loads it once, as the service does, so tests of host builtin families can
 * evaluate many inputs on the same policy instance: `loadRego` for a whole module, `loadTestPolicy` for rules
 * of `package t`.
 */

import { compile } from "../../src/compiler/compile";
import { formatDiagnostic } from "../../src/compiler/diagnostics";
import { loadCompiledPolicy, type CompiledPolicy } from "../../src/policy/compiled-policy";

/** The module's rules as entrypoints `<package path>/<rule>`, loaded once. */
export async function loadRego(text: string, rules: string[], opts: { strictBuiltinErrors?: boolean } = {}): Promise<CompiledPolicy> {
  const pkg = /^package\s+([\w.]+)/m.exec(text)![1]!.replace(/\./g, "/");
  const compiled = compile({
    modules: [{ file: "policy.rego", text }],
    entrypoints: rules.map((r) => `${pkg}/${r}`),
    ...(opts.strictBuiltinErrors === undefined ? {} : { strictBuiltinErrors: opts.strictBuiltinErrors }),
  });
  if (!compiled.ok) throw new Error(compiled.diagnostics.map(formatDiagnostic).join("\n"));
  return loadCompiledPolicy(compiled.wasm, undefined, opts);
}

/** The rule's value for the input, or undefined when the rule is undefined. */
export function valueOf(policy: CompiledPolicy, entrypoint: string, input: unknown): unknown {
  const rs = policy.evaluate(entrypoint, input);
  return rs.length === 0 ? undefined : (rs[0] as { result: unknown }).result;
}

/** A `package t` policy loaded once; `value(rule, input)` evaluates `data.t.<rule>` on that one instance. */
export interface TestPolicy {
  readonly policy: CompiledPolicy;
  value(rule: string, input?: unknown): unknown;
}

/** Compiles `rules` as `package t` with the given rules as entrypoints. */
export async function loadTestPolicy(rules: string, entrypoints: readonly string[], strict = false): Promise<TestPolicy> {
  const policy = await loadRego(`package t\nimport rego.v1\n\n${rules}\n`, [...entrypoints], { strictBuiltinErrors: strict });
  return { policy, value: (rule, input) => valueOf(policy, `t/${rule}`, input) };
}
