/**
 * `countersign build`: compile Rego sources and data into an OPA bundle (`.tar.gz` with `/policy.wasm`).
 */

import { writeBundleFile } from "../bundle/bundle-writer";
import { readCapabilitiesFile } from "./capabilities-file";
import type { CliIo } from "./cli-io";
import { compileSources } from "./compile-step";

/** Options of `countersign build`. */
export interface BuildCommandOptions {
  readonly entrypoint: readonly string[];
  readonly output: string;
  readonly revision?: string;
  readonly strictBuiltinErrors?: boolean;
  /** Read the sources as Rego v0 (the manifest then says `rego_version: 0`). */
  readonly v0Compatible?: boolean;
  /** A capabilities file (OPA's JSON format) restricting and extending the built-ins. */
  readonly capabilities?: string;
}

/** Builds and writes the bundle; nothing is written when compilation fails. */
export async function runBuildCommand(paths: readonly string[], opts: BuildCommandOptions, io: CliIo): Promise<void> {
  const capabilities = opts.capabilities === undefined ? undefined : await readCapabilitiesFile(opts.capabilities);
  const bundle = await compileSources(
    {
      paths,
      entrypoints: opts.entrypoint,
      ...(opts.revision === undefined ? {} : { revision: opts.revision }),
      ...(opts.strictBuiltinErrors === undefined ? {} : { strictBuiltinErrors: opts.strictBuiltinErrors }),
      ...(opts.v0Compatible === undefined ? {} : { v0Compatible: opts.v0Compatible }),
      ...(capabilities === undefined ? {} : { capabilities }),
    },
    io,
  );
  await writeBundleFile(opts.output, bundle);
  const entrypoints = bundle.manifest.wasm.map((w) => w.entrypoint).join(", ");
  io.err(`wrote ${opts.output} (revision ${bundle.manifest.revision}; entrypoints: ${entrypoints})`);
}
