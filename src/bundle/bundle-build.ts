/**
 * Building a bundle from sources: choose entrypoints, compile the modules to one wasm module, assemble.
 *
 * The compiler is loaded on first use, so reading and evaluating bundles never pays for it.
 */

import type { Capabilities } from "../compiler/capabilities";
import type { Diagnostic } from "../compiler/diagnostics";
import { Diagnostics } from "../compiler/diagnostics";
import type { Bundle } from "./bundle";
import { normalizeEntrypoint } from "./bundle";
import { assembleBundle } from "./bundle-assembly";
import { BundleError } from "./bundle-error";
import { manifestRegoVersions } from "./rego-versions";
import type { SourceSet } from "./source-set";

/** The entrypoint used when none is given, if the sources define it. */
export const DECISION_ENTRYPOINT = "countersign/decision";

/** What to build. */
export interface BuildRequest {
  readonly sources: SourceSet;
  /** Entrypoints as `pkg/rule` or `data.pkg.rule`; when empty, DECISION_ENTRYPOINT if the sources define it. */
  readonly entrypoints: readonly string[];
  /** Manifest revision; a content hash when absent. */
  readonly revision?: string;
  readonly strictBuiltinErrors?: boolean;
  /** Restricts and extends the built-ins, as `opa build --capabilities` does. */
  readonly capabilities?: Capabilities;
}

/** A bundle, or the diagnostics that prevented one. */
export type BuildResult =
  | { readonly ok: true; readonly bundle: Bundle; readonly warnings: readonly Diagnostic[]; readonly hostBuiltins: readonly string[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/**
 * Compiles the sources and assembles a bundle. Compile problems come back as diagnostics; a missing
 * entrypoint is a BundleError (COUNTERSIGN_BUNDLE_NO_ENTRYPOINT).
 */
export async function buildBundle(req: BuildRequest): Promise<BuildResult> {
  const defaultVersion = req.sources.regoVersion ?? 1;
  const modules = req.sources.modules.map((m) => ({ file: m.file, text: m.text, regoVersion: m.regoVersion ?? defaultVersion }));
  let entrypoints = req.entrypoints.map(normalizeEntrypoint);
  if (entrypoints.length === 0) {
    const found = await findDefaultEntrypoint(modules);
    if (found.diagnostics.length > 0 && !found.defined) return { ok: false, diagnostics: found.diagnostics };
    if (!found.defined) {
      throw new BundleError(
        "COUNTERSIGN_BUNDLE_NO_ENTRYPOINT",
        `no entrypoint given and the sources do not define ${DECISION_ENTRYPOINT}; name one with -e <package/rule>`,
      );
    }
    entrypoints = [DECISION_ENTRYPOINT];
  }

  const { compile } = await import("../compiler/compile");
  const result = compile({
    modules,
    regoVersion: defaultVersion,
    entrypoints,
    ...(req.strictBuiltinErrors === undefined ? {} : { strictBuiltinErrors: req.strictBuiltinErrors }),
    ...(req.capabilities === undefined ? {} : { capabilities: req.capabilities }),
  });
  if (!result.ok) return { ok: false, diagnostics: result.diagnostics };

  const versions = manifestRegoVersions(
    req.sources.modules.map((m) => ({ bundlePath: m.bundlePath, regoVersion: m.regoVersion ?? defaultVersion })),
    defaultVersion,
  );
  const bundle = assembleBundle({
    wasm: result.wasm,
    entrypoints: result.entrypoints,
    data: req.sources.data,
    regoFiles: req.sources.modules.map((m) => ({ path: m.bundlePath, text: m.text })),
    ...(req.revision === undefined ? {} : { revision: req.revision }),
    countersign: {
      strict_builtin_errors: req.strictBuiltinErrors === true,
      host_builtins: [...result.hostBuiltins].sort(),
    },
    regoVersion: versions.rego_version,
    ...(versions.file_rego_versions === undefined ? {} : { fileRegoVersions: versions.file_rego_versions }),
  });
  return { ok: true, bundle, warnings: result.warnings, hostBuiltins: result.hostBuiltins };
}

/** Whether some module defines data.countersign.decision (a `decision` rule or a `countersign.decision` package). */
async function findDefaultEntrypoint(
  modules: readonly { file: string; text: string; regoVersion: 0 | 1 }[],
): Promise<{ defined: boolean; diagnostics: readonly Diagnostic[] }> {
  const { parseModule } = await import("../compiler/parser");
  const diags = new Diagnostics();
  const [pkg, rule] = DECISION_ENTRYPOINT.split("/") as [string, string];
  for (const m of modules) {
    const mod = parseModule(m.file, m.text, diags, { regoVersion: m.regoVersion });
    if (mod === null) continue;
    if (mod.package.length === 2 && mod.package[0] === pkg && mod.package[1] === rule) return { defined: true, diagnostics: [] };
    if (mod.package.length === 1 && mod.package[0] === pkg) {
      const defines = mod.rules.some((r) => {
        const head = r.head.ref[0];
        return head !== undefined && head.kind === "string" && head.value === rule;
      });
      if (defines) return { defined: true, diagnostics: [] };
    }
  }
  return { defined: false, diagnostics: diags.items };
}
