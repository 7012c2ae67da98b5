/**
 * The compile step shared by `build` and `eval`: load sources, build a bundle, print diagnostics with
 * their source lines on failure.
 */

import type { Bundle } from "../bundle/bundle";
import type { Capabilities } from "../compiler/capabilities";
import { buildBundle } from "../bundle/bundle-build";
import { loadSourceSet } from "../bundle/source-set";
import { formatDiagnostic, formatDiagnosticWithSource } from "../compiler/diagnostics";
import { catalogueEntries } from "../compiler/builtin-catalog";
import { CliError } from "./cli-error";
import type { CliIo } from "./cli-io";

/** What to compile. */
export interface CompileStepOptions {
  readonly paths: readonly string[];
  readonly entrypoints: readonly string[];
  readonly revision?: string;
  readonly strictBuiltinErrors?: boolean;
  /** `--v0-compatible`: read modules as Rego v0 unless a directory's `.manifest` or `import rego.v1` says otherwise. */
  readonly v0Compatible?: boolean;
  /** From `--capabilities FILE`. */
  readonly capabilities?: Capabilities;
}

/** Builds an in-memory bundle from sources; throws CliError after printing diagnostics when compilation fails. */
export async function compileSources(opts: CompileStepOptions, io: CliIo): Promise<Bundle> {
  const sources = await loadSourceSet(opts.paths, { regoVersion: opts.v0Compatible === true ? 0 : 1 });
  if (sources.modules.length === 0) {
    throw new CliError("COUNTERSIGN_CLI_USAGE", `no .rego policy files found in ${opts.paths.join(", ")}`);
  }
  const result = await buildBundle({
    sources,
    entrypoints: opts.entrypoints,
    ...(opts.revision === undefined ? {} : { revision: opts.revision }),
    ...(opts.strictBuiltinErrors === undefined ? {} : { strictBuiltinErrors: opts.strictBuiltinErrors }),
    ...(opts.capabilities === undefined ? {} : { capabilities: opts.capabilities }),
  });
  const texts = new Map(sources.modules.map((m) => [m.file, m.text] as const));
  if (!result.ok) {
    for (const d of result.diagnostics) io.err(formatDiagnosticWithSource(d, texts));
    const n = result.diagnostics.length;
    throw new CliError("COUNTERSIGN_CLI_COMPILE_FAILED", `compilation failed with ${n} error${n === 1 ? "" : "s"}`);
  }
  for (const w of result.warnings) io.err(`warning: ${formatDiagnostic(w)}`);
  // the catalogue names every host call the SDK or Countersign answers; anything else is a custom built-in
  const catalogue = catalogueEntries();
  for (const b of result.hostBuiltins) {
    if (catalogue.get(b) === undefined) {
      io.err(`note: the policy calls custom built-in ${b}; the host that loads it must implement it (--builtins FILE)`);
    }
  }
  return result.bundle;
}
