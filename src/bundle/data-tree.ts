/**
 * The base document built from several data files, each merged at its directory path as OPA does.
 */

import { BundleError } from "./bundle-error";
import type { JsonObject, JsonValue } from "./bundle";

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Merges `value` into `root` at `path` (keys below `data`), creating objects on the way. Objects merge key by
 * key; any other overlap is a COUNTERSIGN_BUNDLE_DATA_CONFLICT naming `source`. Mutates `root`.
 */
export function mergeDataAt(root: JsonObject, path: readonly string[], value: JsonValue, source: string): void {
  if (path.length === 0) {
    if (!isObject(value)) {
      throw new BundleError("COUNTERSIGN_BUNDLE_BAD_JSON", `${source}: data at the root of the document must be an object`, source);
    }
    mergeObjects(root, value, [], source);
    return;
  }
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const next = node[key];
    if (next === undefined) {
      const created: JsonObject = {};
      node[key] = created;
      node = created;
    } else if (isObject(next)) {
      node = next;
    } else {
      throw conflict(source, path.slice(0, i + 1));
    }
  }
  const last = path[path.length - 1]!;
  const existing = node[last];
  if (existing === undefined) {
    node[last] = cloneJson(value);
  } else if (isObject(existing) && isObject(value)) {
    mergeObjects(existing, value, path, source);
  } else {
    throw conflict(source, path);
  }
}

function mergeObjects(into: JsonObject, from: JsonObject, at: readonly string[], source: string): void {
  for (const [key, value] of Object.entries(from)) {
    const existing = into[key];
    if (existing === undefined) {
      into[key] = cloneJson(value);
    } else if (isObject(existing) && isObject(value)) {
      mergeObjects(existing, value, [...at, key], source);
    } else {
      throw conflict(source, [...at, key]);
    }
  }
}

function conflict(source: string, path: readonly string[]): BundleError {
  return new BundleError(
    "COUNTERSIGN_BUNDLE_DATA_CONFLICT",
    `${source}: merge conflict at data.${path.join(".")}: another data file already sets a value there`,
    source,
  );
}

/** A deep copy of a JSON value. */
export function cloneJson<T extends JsonValue>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
