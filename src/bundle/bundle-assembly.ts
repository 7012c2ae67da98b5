/**
 * Assembling a Bundle from a compiled module, its data and its sources, with a content-hash revision.
 */

import { COUNTERSIGN_METADATA_KEY, type Bundle, type BundleRegoFile, type JsonObject } from "./bundle";
import { buildManifest, DEFAULT_WASM_PATH } from "./manifest";
import { contentRevision } from "./revision";

/** The parts of a single-module bundle. */
export interface BundleContents {
  readonly wasm: Uint8Array;
  /** Entrypoints the module serves, as `pkg/rule`. */
  readonly entrypoints: readonly string[];
  readonly data: JsonObject;
  readonly regoFiles: readonly BundleRegoFile[];
  /** The revision to record; a content hash when absent. */
  readonly revision?: string;
  /** Recorded under the manifest's `metadata.countersign`. */
  readonly countersign?: JsonObject;
  /** The Rego version of the sources (default 1) and per-file exceptions, for the manifest. */
  readonly regoVersion?: 0 | 1;
  readonly fileRegoVersions?: Readonly<Record<string, 0 | 1>>;
}

/** A bundle with one `/policy.wasm`, rego files sorted by path and a manifest naming its entrypoints. */
export function assembleBundle(contents: BundleContents): Bundle {
  const regoFiles = [...contents.regoFiles]
    .map((f) => ({ path: "/" + f.path.replace(/^\.?\/+/, ""), text: f.text }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const metadata = contents.countersign === undefined ? undefined : { [COUNTERSIGN_METADATA_KEY]: contents.countersign };
  const resolvers = contents.entrypoints.map((entrypoint) => ({ entrypoint, module: DEFAULT_WASM_PATH }));
  const regoVersion = contents.regoVersion ?? 1;
  const fileRegoVersions = contents.fileRegoVersions;
  const revision =
    contents.revision ??
    contentRevision({
      data: contents.data,
      regoFiles,
      wasmModules: [{ path: DEFAULT_WASM_PATH, wasm: contents.wasm }],
      resolvers,
      ...(metadata === undefined ? {} : { metadata }),
      regoVersions: { rego_version: regoVersion, ...(fileRegoVersions === undefined ? {} : { file_rego_versions: fileRegoVersions }) },
    });
  return {
    manifest: buildManifest({
      revision,
      entrypoints: contents.entrypoints,
      ...(metadata === undefined ? {} : { metadata }),
      regoVersion,
      ...(fileRegoVersions === undefined ? {} : { fileRegoVersions }),
    }),
    data: contents.data,
    wasmModules: [{ path: DEFAULT_WASM_PATH, wasm: contents.wasm, entrypoints: [...contents.entrypoints] }],
    regoFiles,
  };
}
