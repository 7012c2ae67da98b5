/**
 * Finding Rego unit tests, as `opa test` does: every rule whose name starts with `test_` (not a function,
 * not a partial rule) in any package of the modules, policy and test files alike.
 */

import type { SourceModule } from "../bundle/source-set";
import { Diagnostics } from "../compiler/diagnostics";
import { parseModule } from "../compiler/parser";

/** The prefix that makes a rule a test. */
export const TEST_PREFIX = "test_";

/** One test rule. */
export interface RegoTest {
  /** `data.<package>.<rule>`, the name reported and matched by `--run`. */
  readonly name: string;
  /** The entrypoint to compile, `<package path>/<rule>`. */
  readonly entrypoint: string;
  readonly file: string;
  readonly line: number;
  /**
   * Set when the rule is defined more than once in its package: OPA would run the definitions as one rule,
   * where a passing body hides a failing one, so the runner reports it as an error instead.
   */
  readonly duplicateOf?: readonly { readonly file: string; readonly line: number }[];
}

/** The tests in the modules, in file and line order. Modules that do not parse are skipped (compilation reports them). */
export function discoverTests(modules: readonly SourceModule[]): RegoTest[] {
  const byName = new Map<
    string,
    { entrypoint: string; at: { file: string; line: number }[]; defaultAt: { file: string; line: number } | null }
  >();
  for (const m of modules) {
    const mod = parseModule(m.file, m.text, new Diagnostics(), { regoVersion: m.regoVersion ?? 1 });
    if (mod === null) continue;
    for (const r of mod.rules) {
      const head = r.head.ref;
      const first = head[0];
      if (head.length !== 1 || first === undefined || first.kind !== "string") continue;
      if (!first.value.startsWith(TEST_PREFIX) || r.head.args !== null) continue;
      const name = `data.${[...mod.package, first.value].join(".")}`;
      const entry = byName.get(name) ?? { entrypoint: [...mod.package, first.value].join("/"), at: [], defaultAt: null };
      // A default value is not a second test, so only bodies count as definitions.
      if (r.default) entry.defaultAt = { file: r.loc.file, line: r.loc.line };
      else entry.at.push({ file: r.loc.file, line: r.loc.line });
      byName.set(name, entry);
    }
  }
  const tests: RegoTest[] = [];
  for (const [name, { entrypoint, at, defaultAt }] of byName) {
    const where = at[0] ?? defaultAt;
    tests.push({ name, entrypoint, file: where!.file, line: where!.line, ...(at.length > 1 ? { duplicateOf: at } : {}) });
  }
  return tests.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}
