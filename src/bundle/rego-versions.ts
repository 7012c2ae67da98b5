/**
 * Which Rego syntax (v0 or v1) each module of a build is read with, and how a bundle's manifest records it.
 *
 * As OPA resolves it for a bundle: a module matched by a `file_rego_versions` glob of the `.manifest` takes
 * that version (patterns tried in sorted order, first match wins, `*` crossing `/` as in gobwas/glob);
 * otherwise the manifest's `rego_version`; otherwise the build's default (`--v0-compatible` makes it 0,
 * else 1). A module importing `rego.v1` is read as v1 whatever this says; that is the parser's business.
 */

import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { RegoVersion } from "../compiler/compile-options";
import { compileGlob } from "../policy/glob-pattern";
import type { JsonValue } from "./bundle";
import { BundleError, describeIoError } from "./bundle-error";
import { parseManifest } from "./manifest";

/** The version rules of a `.manifest`: its global version and per-file globs, either possibly absent. */
export interface RegoVersionRules {
  readonly regoVersion?: RegoVersion;
  /** Glob pattern over the bundle path (`/a/b.rego`) → version. */
  readonly fileRegoVersions?: Readonly<Record<string, RegoVersion>>;
}

/** The version of the module at `bundlePath` (`/a/b.rego`) under the rules, else `fallback`. */
export function regoVersionForFile(bundlePath: string, rules: RegoVersionRules, fallback: RegoVersion): RegoVersion {
  const files = rules.fileRegoVersions ?? {};
  for (const pattern of Object.keys(files).sort()) {
    // OPA matches the path as its loader gives it: bundle-absolute from archives, relative from directories.
    const candidate = pattern.startsWith("/") ? bundlePath : bundlePath.replace(/^\/+/, "");
    if (compileGlob(pattern, []).test(candidate)) return files[pattern]!;
  }
  return rules.regoVersion ?? fallback;
}

/**
 * Reads the version rules of `<dir>/.manifest`, if there is one (a bundle directory, such as one `opa build`
 * would read with `-b`). Throws COUNTERSIGN_BUNDLE_BAD_MANIFEST on a manifest that is not valid.
 */
export async function readDirectoryRules(dir: string): Promise<RegoVersionRules> {
  const file = path.join(dir, ".manifest");
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new BundleError("COUNTERSIGN_BUNDLE_IO", `cannot read ${file}: ${describeIoError(err)}`, file);
  }
  let raw: JsonValue;
  try {
    raw = JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new BundleError("COUNTERSIGN_BUNDLE_BAD_MANIFEST", `${file}: not valid JSON: ${(err as Error).message}`, file);
  }
  const manifest = parseManifest(raw, file);
  return {
    ...(manifest.rego_version === undefined ? {} : { regoVersion: manifest.rego_version }),
    ...(manifest.file_rego_versions === undefined ? {} : { fileRegoVersions: manifest.file_rego_versions }),
  };
}

/**
 * What a built bundle's manifest says about its modules' versions: one `rego_version` for all when they agree
 * (the default when there are none), else `defaultVersion` with a `file_rego_versions` entry, by exact bundle
 * path, for each module that differs.
 */
export function manifestRegoVersions(
  modules: readonly { readonly bundlePath: string; readonly regoVersion: RegoVersion }[],
  defaultVersion: RegoVersion,
): { readonly rego_version: RegoVersion; readonly file_rego_versions?: Readonly<Record<string, RegoVersion>> } {
  const versions = new Set(modules.map((m) => m.regoVersion));
  if (versions.size <= 1) return { rego_version: modules[0]?.regoVersion ?? defaultVersion };
  const files: Record<string, RegoVersion> = {};
  for (const m of [...modules].sort((a, b) => (a.bundlePath < b.bundlePath ? -1 : a.bundlePath > b.bundlePath ? 1 : 0))) {
    if (m.regoVersion !== defaultVersion) files[m.bundlePath] = m.regoVersion;
  }
  return { rego_version: defaultVersion, file_rego_versions: files };
}
