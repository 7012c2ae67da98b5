/**
 * The JSON editing builtins: `json.remove` and `json.filter` (keep or drop the parts of a document a list
 * of paths names) and `json.patch` (RFC 6902 JSON Patch), with OPA's path syntax and operand errors.
 */

import { HostBuiltinError } from "../policy-error";
import { typeError, typeName, type HostBuiltinFamily } from "./operands";
import { builtinError, isObject, valuesEqual } from "./values";

type Json = unknown;
type Segment = string | number | boolean | null | object;

/** A path tree: each key a path segment; null marks the end of a path (the whole subtree is named). */
type PathTree = Map<string, PathTree | null>;

/**
 * The key a segment has in a path tree. Documents come as JSON, so only string segments can match an
 * object key or (as decimal text) an array index; other segments get keys no string equals.
 */
function treeKey(s: Segment): string {
  return typeof s === "string" ? s : `\u0000${JSON.stringify(s)}`;
}

/** A segment as text, for patch paths and messages. */
function segmentKey(s: Segment): string {
  return typeof s === "string" ? s : JSON.stringify(s);
}

/** The segments of a JSON pointer (`/a/b~1c`) or of `a/b`; the empty string is the document itself. */
function pointerSegments(text: string): string[] {
  if (text === "") return [];
  return text
    .replace(/^\/+/, "")
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** The paths of operand 2 of json.remove / json.filter: a set or array of string paths or segment arrays. */
function pathsOperand(builtin: string, v: unknown): Segment[][] {
  if (!Array.isArray(v)) throw typeError(builtin, 2, v, "set", "array");
  return v.map((p) => {
    if (typeof p === "string") return pointerSegments(p);
    if (Array.isArray(p)) return p as Segment[];
    throw new HostBuiltinError(
      "eval_type_error",
      builtin,
      `operand 2 must be one of {set, array} containing string paths or array of path segments but got ${typeName(p)}`,
    );
  });
}

/** The tree of a list of paths; a path that is a prefix of another names the whole subtree. */
function pathTree(paths: readonly Segment[][]): PathTree {
  const root: PathTree = new Map();
  for (const path of paths) {
    // OPA skips empty paths.
    if (path.length === 0) continue;
    let node: PathTree = root;
    let covered = false;
    for (let i = 0; i < path.length - 1; i++) {
      const key = treeKey(path[i]!);
      const child = node.get(key);
      if (child === null) {
        covered = true;
        break;
      }
      if (child === undefined) {
        const next: PathTree = new Map();
        node.set(key, next);
        node = next;
      } else {
        node = child;
      }
    }
    if (!covered) node.set(treeKey(path[path.length - 1]!), null);
  }
  return root;
}

/** The document without the parts the tree names; arrays close up over removed elements. */
function removeTree(doc: Json, tree: PathTree): Json {
  if (Array.isArray(doc)) {
    const out: Json[] = [];
    doc.forEach((v, i) => {
      const sub = tree.get(String(i));
      if (sub === null) return;
      out.push(sub === undefined ? v : removeTree(v, sub));
    });
    return out;
  }
  if (isObject(doc)) {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(doc)) {
      const sub = tree.get(k);
      if (sub === null) continue;
      out[k] = sub === undefined ? v : removeTree(v, sub);
    }
    return out;
  }
  return doc;
}

/** Only the parts of the document the tree names; arrays keep the named elements, in order. */
function filterTree(doc: Json, tree: PathTree): Json {
  if (Array.isArray(doc)) {
    const out: Json[] = [];
    doc.forEach((v, i) => {
      const sub = tree.get(String(i));
      if (sub === undefined) return;
      out.push(sub === null ? v : filterTree(v, sub));
    });
    return out;
  }
  if (isObject(doc)) {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(doc)) {
      const sub = tree.get(k);
      if (sub === undefined) continue;
      out[k] = sub === null ? v : filterTree(v, sub);
    }
    return out;
  }
  return doc;
}

function jsonRemove(doc: unknown, paths: unknown): Json {
  if (!isObject(doc)) throw typeError("json.remove", 1, doc, "object");
  return removeTree(doc, pathTree(pathsOperand("json.remove", paths)));
}

function jsonFilter(doc: unknown, paths: unknown): Json {
  if (!isObject(doc)) throw typeError("json.filter", 1, doc, "object");
  return filterTree(doc, pathTree(pathsOperand("json.filter", paths)));
}

// ---- json.patch ----

const PATCH = "json.patch";

function patchError(detail: string): HostBuiltinError {
  return builtinError(PATCH, detail);
}

/** The segments of a patch's `path` / `from`: a JSON pointer string or an array of segments. */
function patchPath(v: unknown, attr: string): Segment[] {
  if (typeof v === "string") return pointerSegments(v);
  if (Array.isArray(v)) return v as Segment[];
  throw new HostBuiltinError("eval_type_error", PATCH, `operand 2 patch attribute '${attr}' must be a string or an array`);
}

/** The index a segment names in an array of `length`; `-` (the end) only when `append` is allowed. */
function arrayIndex(seg: Segment, length: number, append: boolean): number {
  if (seg === "-" && append) return length;
  let n: number;
  if (typeof seg === "number" && Number.isInteger(seg)) n = seg;
  else if (typeof seg === "string" && /^(0|[1-9][0-9]*)$/.test(seg)) n = Number(seg);
  else throw patchError(`invalid array index: ${segmentKey(seg)}`);
  if (n < 0 || n > (append ? length : length - 1)) throw patchError(`array index out of range: ${n}`);
  return n;
}

/** Deep copy of a JSON value, so that a patch never shares structure with its operands. */
function clone(v: Json): Json {
  if (Array.isArray(v)) return v.map(clone);
  if (isObject(v)) {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) out[k] = clone(x);
    return out;
  }
  return v;
}

/** The value at a path, or undefined. */
function lookup(doc: Json, path: readonly Segment[]): Json | undefined {
  let node: Json = doc;
  for (const seg of path) {
    if (Array.isArray(node)) {
      let i: number;
      try {
        i = arrayIndex(seg, node.length, false);
      } catch {
        return undefined;
      }
      node = node[i];
    } else if (isObject(node)) {
      const key = segmentKey(seg);
      if (!Object.prototype.hasOwnProperty.call(node, key)) return undefined;
      node = node[key];
    } else {
      return undefined;
    }
  }
  return node;
}

/** The container a path's last segment is in, or an error naming the missing parent. */
function parentOf(doc: Json, path: readonly Segment[]): Json {
  const parent = lookup(doc, path.slice(0, -1));
  if (parent === undefined) throw patchError(`path ${describePath(path.slice(0, -1))} does not exist`);
  return parent;
}

function describePath(path: readonly Segment[]): string {
  return "/" + path.map(segmentKey).join("/");
}

function patchAdd(doc: Json, path: readonly Segment[], value: Json): Json {
  if (path.length === 0) return value;
  const parent = parentOf(doc, path);
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true), 0, value);
  else if (isObject(parent)) parent[segmentKey(last)] = value;
  else throw patchError(`cannot add to ${typeName(parent)} at ${describePath(path)}`);
  return doc;
}

function patchRemove(doc: Json, path: readonly Segment[]): { doc: Json; removed: Json } {
  if (path.length === 0) return { doc: null, removed: doc };
  const parent = parentOf(doc, path);
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length, false);
    return { doc, removed: parent.splice(i, 1)[0] };
  }
  if (isObject(parent)) {
    const key = segmentKey(last);
    if (!Object.prototype.hasOwnProperty.call(parent, key)) throw patchError(`path ${describePath(path)} does not exist`);
    const removed = parent[key];
    delete parent[key];
    return { doc, removed };
  }
  throw patchError(`path ${describePath(path)} does not exist`);
}

function attribute(op: Record<string, unknown>, name: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(op, name)) {
    throw new HostBuiltinError("eval_type_error", PATCH, `operand 2 patch is missing '${name}' attribute`);
  }
  return op[name];
}

function jsonPatch(target: unknown, operations: unknown): Json {
  if (!Array.isArray(operations)) throw typeError(PATCH, 2, operations, "array");
  let doc: Json = clone(target);
  for (const op of operations) {
    if (!isObject(op)) throw new HostBuiltinError("eval_type_error", PATCH, "operand 2 must be an array of JSON-Patch objects");
    const name = attribute(op, "op");
    if (typeof name !== "string") throw new HostBuiltinError("eval_type_error", PATCH, "operand 2 patch attribute 'op' must be a string");
    const path = patchPath(attribute(op, "path"), "path");
    switch (name) {
      case "add":
        doc = patchAdd(doc, path, clone(attribute(op, "value")));
        break;
      case "remove":
        doc = patchRemove(doc, path).doc;
        break;
      case "replace": {
        const value = clone(attribute(op, "value"));
        doc = patchAdd(patchRemove(doc, path).doc, path, value);
        break;
      }
      case "move": {
        const from = patchPath(attribute(op, "from"), "from");
        const fromKeys = from.map(segmentKey);
        const toKeys = path.map(segmentKey);
        if (fromKeys.length === toKeys.length && fromKeys.every((k, i) => k === toKeys[i])) break;
        if (fromKeys.length < toKeys.length && fromKeys.every((k, i) => k === toKeys[i])) {
          throw patchError(`cannot move ${describePath(from)} into its own child ${describePath(path)}`);
        }
        const taken = patchRemove(doc, from);
        doc = patchAdd(taken.doc, path, taken.removed);
        break;
      }
      case "copy": {
        const from = patchPath(attribute(op, "from"), "from");
        const value = lookup(doc, from);
        if (value === undefined) throw patchError(`path ${describePath(from)} does not exist`);
        doc = patchAdd(doc, path, clone(value));
        break;
      }
      case "test": {
        const expected = attribute(op, "value");
        const actual = lookup(doc, path);
        if (actual === undefined) throw patchError(`path ${describePath(path)} does not exist`);
        if (!valuesEqual(actual, expected)) throw patchError(`value at ${describePath(path)} is not the one tested for`);
        break;
      }
      default:
        throw new HostBuiltinError("eval_type_error", PATCH, "operand 2 must be an array of JSON-Patch objects");
    }
  }
  return doc;
}

export const JSON_EDIT_BUILTINS: HostBuiltinFamily = {
  "json.remove": jsonRemove,
  "json.filter": jsonFilter,
  "json.patch": jsonPatch,
};
