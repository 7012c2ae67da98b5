/**
 * The OPA bundle model: what a `.tar.gz` bundle holds once read, and what the writer serialises.
 *
 * The shape follows OPA's `bundle.Bundle` and `bundle.Manifest` so that bundles we write load in OPA and
 * bundles `opa build -t wasm` writes load here. Paths are bundle-absolute (`/policy.wasm`, `/a/b.rego`).
 */

/** A JSON value as found in `data.json` and the manifest. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** Maps one entrypoint (`pkg/rule`) to the wasm module that evaluates it, as in the manifest's `wasm` list. */
export interface WasmResolver {
  readonly entrypoint: string;
  readonly module: string;
}

/** The `/.manifest` file. Field order is OPA's, so written manifests read like the ones OPA writes. */
export interface BundleManifest {
  readonly revision: string;
  /** Data paths the bundle owns; `[""]` owns everything. */
  readonly roots: readonly string[];
  readonly wasm: readonly WasmResolver[];
  /**
   * The Rego syntax of the bundle's `.rego` files: 1 (v1) or 0 (v0, as OPA's `--v0-compatible` reads them);
   * absent in bundles that predate the field.
   */
  readonly rego_version?: 0 | 1;
  /** Per-file exceptions to `rego_version`: a glob over bundle paths (`/legacy/*.rego`) → 0 or 1. */
  readonly file_rego_versions?: Readonly<Record<string, 0 | 1>>;
  readonly metadata?: JsonObject;
}

/** One wasm module and the entrypoints the manifest maps to it. */
export interface BundleWasmModule {
  readonly path: string;
  readonly wasm: Uint8Array;
  readonly entrypoints: readonly string[];
}

/** A Rego source shipped in the bundle (for people and tools; evaluation uses the wasm). */
export interface BundleRegoFile {
  readonly path: string;
  readonly text: string;
}

/** A whole bundle. */
export interface Bundle {
  readonly manifest: BundleManifest;
  /** The base document: every data file merged at its directory path. */
  readonly data: JsonObject;
  readonly wasmModules: readonly BundleWasmModule[];
  readonly regoFiles: readonly BundleRegoFile[];
  /** The parsed `/.signatures.json`, kept but not verified. */
  readonly signatures?: JsonValue;
  /** Paths of entries the reader did not interpret (plan.json, README, …). */
  readonly otherFiles?: readonly string[];
}

/** Manifest `metadata` key under which Countersign records how a bundle was compiled. */
export const COUNTERSIGN_METADATA_KEY = "countersign";

/** Turns `data.a.b`, `/a/b` or `a/b` into the manifest's entrypoint form `a/b`. */
export function normalizeEntrypoint(entrypoint: string): string {
  const trimmed = entrypoint.trim();
  const path = trimmed.startsWith("data.") ? trimmed.slice(5).split(".").join("/") : trimmed;
  return path.replace(/^\/+|\/+$/g, "");
}

/** The wasm module that serves an entrypoint according to the manifest, or undefined. */
export function wasmModuleFor(bundle: Bundle, entrypoint: string): BundleWasmModule | undefined {
  const wanted = normalizeEntrypoint(entrypoint);
  return bundle.wasmModules.find((m) => m.entrypoints.some((e) => normalizeEntrypoint(e) === wanted));
}
