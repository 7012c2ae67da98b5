/**
 * The sources of a build: Rego modules and data files gathered from the files and directories named on
 * the command line.
 *
 * Directories are walked recursively in sorted order, skipping hidden entries (`.git`, `.manifest`, …).
 * A module's bundle path is its path below the directory argument (or its base name when the file itself
 * was named). Data files (`.json`, `.yaml`, `.yml`) are merged at their directory's path below the
 * directory argument, as OPA's loader does; a data file named directly is merged at the root. Rego test
 * files (`*_test.rego`) are left out.
 *
 * Each module carries the Rego syntax it is read with (see rego-versions.ts): the build's default, unless a
 * `.manifest` at the top of a directory argument says otherwise with `rego_version` / `file_rego_versions`.
 */

import { promises as fs } from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import type { RegoVersion } from "../compiler/compile-options";
import type { JsonObject, JsonValue } from "./bundle";
import { BundleError, describeIoError } from "./bundle-error";
import { mergeDataAt } from "./data-tree";
import { readDirectoryRules, regoVersionForFile, type RegoVersionRules } from "./rego-versions";

/** A Rego module of the build. */
export interface SourceModule {
  /** The path to show in diagnostics, as reached from the argument (`rego/a/b.rego`). */
  readonly file: string;
  /** Where the module goes in the bundle (`/a/b.rego`). */
  readonly bundlePath: string;
  readonly text: string;
  /** The Rego syntax to read it with, default 1 (a module importing `rego.v1` is v1 regardless). */
  readonly regoVersion?: RegoVersion;
}

/** How to load sources. */
export interface SourceSetOptions {
  /** The Rego version of modules no `.manifest` speaks for (default 1; `--v0-compatible` makes it 0). */
  readonly regoVersion?: RegoVersion;
}

/** Everything a build compiles and ships. */
export interface SourceSet {
  readonly modules: readonly SourceModule[];
  readonly data: JsonObject;
  /** Data files merged into `data`, in the order they were merged. */
  readonly dataFiles: readonly string[];
  /** The default Rego version the set was loaded with (absent: 1). */
  readonly regoVersion?: RegoVersion;
}

const DATA_EXTENSIONS = new Set([".json", ".yaml", ".yml"]);

/** True for Rego files that hold tests rather than policy. */
export function isRegoTestFile(file: string): boolean {
  return file.endsWith("_test.rego");
}

/**
 * The Rego version of each `.rego` file under a path argument: a directory's `.manifest` rules, else the
 * default. `rel` is the file's path below the directory (or its base name when it was named itself).
 */
export async function regoVersionResolver(arg: string, isDirectory: boolean, fallback: RegoVersion): Promise<(rel: string) => RegoVersion> {
  const rules: RegoVersionRules = isDirectory ? await readDirectoryRules(arg) : {};
  return (rel) => regoVersionForFile("/" + rel.split(path.sep).join("/"), rules, fallback);
}

/** Loads every module and data file under the given paths. Throws BundleError on unreadable or bad files. */
export async function loadSourceSet(paths: readonly string[], opts: SourceSetOptions = {}): Promise<SourceSet> {
  const fallback = opts.regoVersion ?? 1;
  const modules: SourceModule[] = [];
  const data: JsonObject = {};
  const dataFiles: string[] = [];
  const bundlePaths = new Map<string, string>();

  const addModule = (file: string, rel: string, text: string, regoVersion: RegoVersion): void => {
    const bundlePath = "/" + rel.split(path.sep).join("/");
    const other = bundlePaths.get(bundlePath);
    if (other !== undefined) {
      throw new BundleError(
        "COUNTERSIGN_BUNDLE_DUPLICATE_PATH",
        `${file} and ${other} would both be stored at ${bundlePath} in the bundle`,
        file,
      );
    }
    bundlePaths.set(bundlePath, file);
    modules.push({ file, bundlePath, text, regoVersion });
  };

  for (const arg of paths) {
    const stat = await statOrThrow(arg);
    const versionOf = await regoVersionResolver(arg, stat.isDirectory(), fallback);
    if (stat.isDirectory()) {
      for (const rel of await filesBelow(arg)) {
        const file = path.join(arg, rel);
        const ext = path.extname(rel);
        if (ext === ".rego") {
          if (!isRegoTestFile(rel)) addModule(file, rel, await readText(file), versionOf(rel));
        } else if (DATA_EXTENSIONS.has(ext)) {
          const dir = path.dirname(rel);
          const keys = dir === "." ? [] : dir.split(path.sep);
          mergeDataAt(data, keys, await readData(file), file);
          dataFiles.push(file);
        }
      }
    } else {
      const ext = path.extname(arg);
      if (ext === ".rego") {
        if (!isRegoTestFile(arg)) addModule(arg, path.basename(arg), await readText(arg), versionOf(path.basename(arg)));
      } else if (DATA_EXTENSIONS.has(ext)) {
        mergeDataAt(data, [], await readData(arg), arg);
        dataFiles.push(arg);
      } else {
        throw new BundleError("COUNTERSIGN_BUNDLE_IO", `${arg}: not a .rego, .json, .yaml or .yml file, nor a directory`, arg);
      }
    }
  }
  return { modules, data, dataFiles, regoVersion: fallback };
}

async function statOrThrow(p: string): Promise<import("node:fs").Stats> {
  try {
    return await fs.stat(p);
  } catch (err) {
    throw new BundleError("COUNTERSIGN_BUNDLE_IO", `cannot read ${p}: ${describeIoError(err)}`, p);
  }
}

/** Relative paths of the files below dir, sorted, hidden entries skipped. */
export async function filesBelow(dir: string, prefix = ""): Promise<string[]> {
  let names: import("node:fs").Dirent[];
  try {
    names = await fs.readdir(path.join(dir, prefix), { withFileTypes: true });
  } catch (err) {
    throw new BundleError("COUNTERSIGN_BUNDLE_IO", `cannot read ${path.join(dir, prefix)}: ${describeIoError(err)}`);
  }
  const out: string[] = [];
  for (const d of names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (d.name.startsWith(".")) continue;
    const rel = prefix === "" ? d.name : path.join(prefix, d.name);
    if (d.isDirectory()) out.push(...(await filesBelow(dir, rel)));
    else if (d.isFile()) out.push(rel);
  }
  return out;
}

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (err) {
    throw new BundleError("COUNTERSIGN_BUNDLE_IO", `cannot read ${file}: ${describeIoError(err)}`, file);
  }
}

/** Parses a JSON or YAML data file. */
export async function readData(file: string): Promise<JsonValue> {
  const text = await readText(file);
  try {
    if (path.extname(file) === ".json") return JSON.parse(text) as JsonValue;
    return (YAML.parse(text) ?? {}) as JsonValue;
  } catch (err) {
    throw new BundleError("COUNTERSIGN_BUNDLE_BAD_JSON", `${file}: ${(err as Error).message}`, file);
  }
}
