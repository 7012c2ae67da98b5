/**
 * Content-addressed bundle revisions: the same sources, data and modules always give the same revision.
 */

import { createHash } from "node:crypto";
import type { BundleRegoFile, JsonObject, JsonValue, WasmResolver } from "./bundle";
import { goOrderedJson } from "../json/go-ordered-json";

/** What the revision is a hash of: everything in the bundle except the revision itself. */
export interface RevisionInput {
  readonly data: JsonObject;
  readonly regoFiles: readonly BundleRegoFile[];
  readonly wasmModules: readonly { readonly path: string; readonly wasm: Uint8Array }[];
  readonly resolvers: readonly WasmResolver[];
  readonly metadata?: JsonObject;
  /** The manifest's Rego versions; hashed only when they differ from plain v1, so v1 revisions stay as they were. */
  readonly regoVersions?: { readonly rego_version: number; readonly file_rego_versions?: Readonly<Record<string, number>> };
}

/** The hex SHA-256 of a length-prefixed canonical encoding of the bundle's contents. */
export function contentRevision(input: RevisionInput): string {
  const hash = createHash("sha256");
  const part = (label: string, bytes: Uint8Array | string): void => {
    const buf = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : Buffer.from(bytes);
    hash.update(`${label}:${buf.length}:`);
    hash.update(buf);
  };
  part("data", goOrderedJson(input.data));
  for (const f of [...input.regoFiles].sort((a, b) => cmp(a.path, b.path))) {
    part("rego-path", f.path);
    part("rego", f.text);
  }
  for (const m of [...input.wasmModules].sort((a, b) => cmp(a.path, b.path))) {
    part("wasm-path", m.path);
    part("wasm", m.wasm);
  }
  part("wasm-resolvers", goOrderedJson(input.resolvers as unknown as JsonValue));
  part("metadata", goOrderedJson(input.metadata ?? {}));
  const versions = input.regoVersions;
  if (versions !== undefined && (versions.rego_version !== 1 || Object.keys(versions.file_rego_versions ?? {}).length > 0)) {
    part("rego-versions", goOrderedJson(versions as unknown as JsonValue));
  }
  return hash.digest("hex");
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
