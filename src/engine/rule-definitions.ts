/**
 * Which entrypoints a set of Rego sources defines, found by parsing them: the compiler accepts an
 * entrypoint no rule defines (it is simply undefined), but a policy source must tell "absent" apart.
 */

import type { SourceModule } from "../bundle/source-set";

/** The candidates (`pkg/rule`) that some rule of the modules defines, in the given order. */
export async function definedEntrypoints(modules: readonly SourceModule[], candidates: readonly string[]): Promise<string[]> {
  const { parseModule } = await import("../compiler/parser");
  const { Diagnostics } = await import("../compiler/diagnostics");
  const rulePaths: string[][] = [];
  for (const m of modules) {
    const mod = parseModule(m.file, m.text, new Diagnostics(), { regoVersion: m.regoVersion ?? 1 });
    if (mod === null) continue;
    for (const r of mod.rules) {
      const path = [...mod.package];
      for (const t of r.head.ref) {
        if (t.kind !== "string") break;
        path.push(t.value);
      }
      rulePaths.push(path);
    }
  }
  // A rule defines the entrypoint when either path extends the other: `countersign.decision` itself, a
  // rule inside it (`countersign.decision.outcome`), or a package named after it.
  const prefixOf = (a: readonly string[], b: readonly string[]): boolean => a.length <= b.length && a.every((s, i) => s === b[i]);
  return candidates.filter((c) => {
    const want = c.split("/").filter((s) => s !== "");
    return rulePaths.some((p) => prefixOf(p, want) || prefixOf(want, p));
  });
}
