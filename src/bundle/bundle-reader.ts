/**
 * The bundle reader: a `.tar.gz` written by Countersign or by `opa build -t wasm` back into a Bundle.
 *
 * Tolerant where OPA is: entry names with `/`, `./` or no prefix, no data file, signatures, extra files,
 * several wasm modules, data files at nested paths (merged at their directory). Strict where evaluation
 * needs it: a manifest and at least one wasm module must be present, and every module the manifest names.
 */

import { promises as fs } from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import * as tar from "tar-stream";
import * as YAML from "yaml";
import type { Bundle, BundleManifest, BundleRegoFile, BundleWasmModule, JsonObject, JsonValue } from "./bundle";
import { BundleError, describeIoError } from "./bundle-error";
import { mergeDataAt } from "./data-tree";
import { SIGNATURES_PATH, verifyBundleFiles, type VerificationConfig, type VerificationOutcome } from "./bundle-verification";
import { parseManifest } from "./manifest";

/** Limits for reading. */
export interface ReadOptions {
  /** Largest uncompressed size accepted, in bytes (default 512 MiB), a guard against gzip bombs. */
  readonly maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

interface RawEntry {
  readonly path: string;
  readonly body: Buffer;
}

/** Reads a bundle from its gzipped tar bytes. Throws BundleError with a stable code on any defect. */
export async function decodeBundle(bytes: Uint8Array, opts: ReadOptions = {}): Promise<Bundle> {
  return interpret(await untar(gunzip(bytes, opts.maxBytes ?? DEFAULT_MAX_BYTES)));
}

/**
 * Reads a bundle and verifies its signature before interpreting any file (see bundle-verification.ts);
 * `verification` undefined means no keys are configured. Throws BundleError, COUNTERSIGN_BUNDLE_UNSIGNED and
 * COUNTERSIGN_BUNDLE_BAD_SIGNATURE included.
 */
export async function decodeVerifiedBundle(
  bytes: Uint8Array,
  verification: VerificationConfig | undefined,
  opts: ReadOptions = {},
): Promise<{ bundle: Bundle; verification: VerificationOutcome }> {
  const entries = await untar(gunzip(bytes, opts.maxBytes ?? DEFAULT_MAX_BYTES));
  const signatures = entries.find((e) => e.path === SIGNATURES_PATH);
  const outcome = await verifyBundleFiles(
    entries.filter((e) => e !== signatures),
    signatures?.body,
    verification,
  );
  return { bundle: interpret(entries), verification: outcome };
}

function interpret(entries: readonly RawEntry[]): Bundle {
  let manifest: BundleManifest | undefined;
  let signatures: JsonValue | undefined;
  const data: JsonObject = {};
  const wasm: { path: string; wasm: Uint8Array }[] = [];
  const regoFiles: BundleRegoFile[] = [];
  const otherFiles: string[] = [];

  for (const e of entries) {
    const base = path.posix.basename(e.path);
    const dirKeys = path.posix
      .dirname(e.path)
      .split("/")
      .filter((s) => s !== "");
    if (e.path === "/.manifest") {
      manifest = parseManifest(parseJson(e), e.path);
    } else if (e.path === SIGNATURES_PATH) {
      signatures = parseJson(e);
    } else if (base === "data.json") {
      mergeDataAt(data, dirKeys, parseJson(e), e.path);
    } else if (base === "data.yaml" || base === "data.yml") {
      mergeDataAt(data, dirKeys, parseYaml(e), e.path);
    } else if (base === "policy.wasm") {
      wasm.push({ path: e.path, wasm: new Uint8Array(e.body) });
    } else if (e.path.endsWith(".rego")) {
      regoFiles.push({ path: e.path, text: e.body.toString("utf8") });
    } else {
      otherFiles.push(e.path);
    }
  }

  if (manifest === undefined) {
    throw new BundleError("COUNTERSIGN_BUNDLE_NO_MANIFEST", "the bundle has no /.manifest file");
  }
  if (wasm.length === 0) {
    throw new BundleError(
      "COUNTERSIGN_BUNDLE_NO_WASM",
      "the bundle has no policy.wasm module (was it built with `opa build -t wasm` or `countersign build`?)",
    );
  }
  for (const r of manifest.wasm) {
    if (!wasm.some((m) => m.path === r.module)) {
      throw new BundleError(
        "COUNTERSIGN_BUNDLE_BAD_MANIFEST",
        `the manifest maps entrypoint '${r.entrypoint}' to module '${r.module}', which is not in the bundle`,
        "/.manifest",
      );
    }
  }
  const wasmModules: BundleWasmModule[] = wasm.map((m) => ({
    ...m,
    entrypoints: manifest.wasm.filter((r) => r.module === m.path).map((r) => r.entrypoint),
  }));

  return {
    manifest,
    data,
    wasmModules,
    regoFiles,
    ...(signatures === undefined ? {} : { signatures }),
    ...(otherFiles.length === 0 ? {} : { otherFiles }),
  };
}

/** Reads a bundle file from disk. */
export async function readBundleFile(file: string, opts: ReadOptions = {}): Promise<Bundle> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    throw new BundleError("COUNTERSIGN_BUNDLE_IO", `cannot read ${file}: ${describeIoError(err)}`, file);
  }
  try {
    return await decodeBundle(bytes, opts);
  } catch (err) {
    if (err instanceof BundleError) {
      throw new BundleError(err.code, `${file}: ${err.message}`, err.path === undefined ? file : `${file}:${err.path}`);
    }
    throw err;
  }
}

function gunzip(bytes: Uint8Array, maxBytes: number): Buffer {
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) {
      throw new BundleError("COUNTERSIGN_BUNDLE_TOO_LARGE", `the bundle expands beyond ${maxBytes} bytes`);
    }
    throw new BundleError("COUNTERSIGN_BUNDLE_CORRUPT", `the bundle is not a valid gzip stream (${e.message})`);
  }
}

async function untar(bytes: Buffer): Promise<RawEntry[]> {
  const extract = tar.extract();
  const entries: RawEntry[] = [];
  const seen = new Set<string>();
  const consume = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      const type = entry.header.type ?? "file";
      if (type !== "file" && type !== "contiguous-file") continue;
      const name = normalizeEntryName(entry.header.name);
      if (name === null) continue;
      if (seen.has(name)) {
        throw new BundleError("COUNTERSIGN_BUNDLE_CORRUPT", `the bundle holds '${name}' twice`, name);
      }
      seen.add(name);
      entries.push({ path: name, body: Buffer.concat(chunks) });
    }
  })();
  extract.end(bytes);
  try {
    await consume;
  } catch (err) {
    if (err instanceof BundleError) throw err;
    throw new BundleError("COUNTERSIGN_BUNDLE_CORRUPT", `the bundle is not a valid tar archive (${(err as Error).message})`);
  }
  return entries;
}

/** `/a/b`, `./a/b` and `a/b` all become `/a/b`; an empty name is null; `..` segments are refused. */
export function normalizeEntryName(raw: string): string | null {
  const segments = raw.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.length === 0) return null;
  if (segments.includes("..")) {
    throw new BundleError("COUNTERSIGN_BUNDLE_CORRUPT", `unsafe entry path '${raw}' in the bundle`, raw);
  }
  return "/" + segments.join("/");
}

function parseJson(e: RawEntry): JsonValue {
  try {
    return JSON.parse(e.body.toString("utf8")) as JsonValue;
  } catch (err) {
    throw new BundleError("COUNTERSIGN_BUNDLE_BAD_JSON", `${e.path}: ${(err as Error).message}`, e.path);
  }
}

function parseYaml(e: RawEntry): JsonValue {
  try {
    return (YAML.parse(e.body.toString("utf8")) ?? {}) as JsonValue;
  } catch (err) {
    throw new BundleError("COUNTERSIGN_BUNDLE_BAD_JSON", `${e.path}: ${(err as Error).message}`, e.path);
  }
}
