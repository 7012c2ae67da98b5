/**
 * Compiles a small Rego module and loads it once, as the service does, so a test can evaluate many inputs
 * on the same policy instance.
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
