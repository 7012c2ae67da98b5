/**
 * The bundle manifest: building one for a Countersign bundle, and validating one read from an archive.
 */

import { compileGlob, GlobSyntaxError } from "../policy/glob-pattern";
import { BundleError } from "./bundle-error";
import type { BundleManifest, JsonObject, JsonValue, WasmResolver } from "./bundle";

/** The module path every Countersign bundle uses, as `opa build -t wasm` does. */
export const DEFAULT_WASM_PATH = "/policy.wasm";

/**
 * A manifest for one wasm module serving the given entrypoints, owning every data path (roots `[""]`), with
 * the Rego version of its sources (default 1) and any per-file exceptions.
 */
export function buildManifest(opts: {
  revision: string;
  entrypoints: readonly string[];
  modulePath?: string;
  metadata?: JsonObject;
  regoVersion?: 0 | 1;
  fileRegoVersions?: Readonly<Record<string, 0 | 1>>;
}): BundleManifest {
  const module = opts.modulePath ?? DEFAULT_WASM_PATH;
  const files = opts.fileRegoVersions;
  const manifest: BundleManifest = {
    revision: opts.revision,
    roots: [""],
    wasm: opts.entrypoints.map((entrypoint) => ({ entrypoint, module })),
    rego_version: opts.regoVersion ?? 1,
    ...(files === undefined || Object.keys(files).length === 0 ? {} : { file_rego_versions: files }),
    ...(opts.metadata === undefined ? {} : { metadata: opts.metadata }),
  };
  return manifest;
}

/** Serialises a manifest with OPA's field order and a trailing newline (Go's json.Encoder adds one). */
export function encodeManifest(m: BundleManifest): string {
  const ordered: Record<string, unknown> = { revision: m.revision, roots: m.roots };
  if (m.wasm.length > 0) ordered["wasm"] = m.wasm.map((w) => ({ entrypoint: w.entrypoint, module: w.module }));
  if (m.rego_version !== undefined) ordered["rego_version"] = m.rego_version;
  if (m.file_rego_versions !== undefined) {
    ordered["file_rego_versions"] = Object.fromEntries(
      Object.keys(m.file_rego_versions)
        .sort()
        .map((k) => [k, m.file_rego_versions![k]]),
    );
  }
  if (m.metadata !== undefined) ordered["metadata"] = m.metadata;
  return JSON.stringify(ordered) + "\n";
}

/**
 * Checks a parsed `.manifest` and fills OPA's defaults (revision `""`, roots `[""]`, no wasm). Module paths
 * are made bundle-absolute. Throws COUNTERSIGN_BUNDLE_BAD_MANIFEST on a wrong shape.
 */
export function parseManifest(raw: JsonValue, source: string): BundleManifest {
  const bad = (why: string): BundleError => new BundleError("COUNTERSIGN_BUNDLE_BAD_MANIFEST", `${source}: ${why}`, source);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw bad("the manifest must be a JSON object");

  const revision = raw["revision"] ?? "";
  if (typeof revision !== "string") throw bad('"revision" must be a string');

  const rootsRaw = raw["roots"] ?? [""];
  if (!Array.isArray(rootsRaw) || !rootsRaw.every((r) => typeof r === "string")) {
    throw bad('"roots" must be a list of strings');
  }
  const roots = (rootsRaw as string[]).map((r) => r.replace(/^\/+|\/+$/g, ""));

  const wasmRaw = raw["wasm"] ?? [];
  if (!Array.isArray(wasmRaw)) throw bad('"wasm" must be a list');
  const wasm: WasmResolver[] = wasmRaw.map((w, i) => {
    if (typeof w !== "object" || w === null || Array.isArray(w)) throw bad(`"wasm"[${i}] must be an object`);
    const entrypoint = w["entrypoint"];
    const module = w["module"];
    if (typeof entrypoint !== "string" || entrypoint === "") throw bad(`"wasm"[${i}].entrypoint must be a string`);
    if (typeof module !== "string" || module === "") throw bad(`"wasm"[${i}].module must be a string`);
    return { entrypoint, module: "/" + module.replace(/^\.?\/+/, "") };
  });

  const regoVersion = raw["rego_version"];
  if (regoVersion !== undefined && regoVersion !== 0 && regoVersion !== 1) {
    throw bad(`"rego_version" must be 0 or 1 (Rego v0 or v1), not ${JSON.stringify(regoVersion)}`);
  }

  const filesRaw = raw["file_rego_versions"];
  let fileRegoVersions: Record<string, 0 | 1> | undefined;
  if (filesRaw !== undefined) {
    if (typeof filesRaw !== "object" || filesRaw === null || Array.isArray(filesRaw)) {
      throw bad('"file_rego_versions" must be an object mapping file path globs to 0 or 1');
    }
    fileRegoVersions = {};
    for (const [pattern, v] of Object.entries(filesRaw)) {
      if (v !== 0 && v !== 1) throw bad(`"file_rego_versions"["${pattern}"] must be 0 or 1 (Rego v0 or v1), not ${JSON.stringify(v)}`);
      try {
        compileGlob(pattern, []);
      } catch (err) {
        if (!(err instanceof GlobSyntaxError)) throw err;
        throw bad(`"file_rego_versions" pattern "${pattern}" is not a valid glob: ${err.message}`);
      }
      fileRegoVersions[pattern] = v;
    }
  }

  const metadata = raw["metadata"];
  if (metadata !== undefined && (typeof metadata !== "object" || metadata === null || Array.isArray(metadata))) {
    throw bad('"metadata" must be an object');
  }

  return {
    revision,
    roots,
    wasm,
    ...(regoVersion === undefined ? {} : { rego_version: regoVersion }),
    ...(fileRegoVersions === undefined ? {} : { file_rego_versions: fileRegoVersions }),
    ...(metadata === undefined ? {} : { metadata }),
  };
}
