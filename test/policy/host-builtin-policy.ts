/**
 * Compiles a small Rego policy and loads it once, for tests of host builtin families: `value(rule, input)`
 * evaluates `data.t.<rule>` on the one instance (as the service reuses it) and gives its value, or
 * undefined when the rule is undefined.
 */

import { compile } from "../../src/compiler/compile";
import { loadCompiledPolicy, type CompiledPolicy } from "../../src/policy/compiled-policy";

export interface TestPolicy {
  readonly policy: CompiledPolicy;
  value(rule: string, input?: unknown): unknown;
}

export async function loadTestPolicy(rules: string, entrypoints: readonly string[], strict = false): Promise<TestPolicy> {
  const text = `package t\nimport rego.v1\n\n${rules}\n`;
  const result = compile({ modules: [{ file: "t.rego", text }], entrypoints: entrypoints.map((e) => `t/${e}`), strictBuiltinErrors: strict });
  if (!result.ok) throw new Error(`the test policy does not compile: ${JSON.stringify(result.diagnostics)}`);
  const policy = await loadCompiledPolicy(result.wasm, undefined, { strictBuiltinErrors: strict });
  return {
    policy,
    value(rule: string, input?: unknown): unknown {
      const rs = policy.evaluate(`t/${rule}`, input);
      return rs.length === 0 ? undefined : rs[0]!.result;
    },
  };
}
