/**
 * Name resolution: what a name means at a point of a body — a local variable, `input`, `data`, an import, a
 * rule of the module's package, a user function, a built-in, or the target or replacement of `with`.
 *
 * A declared local (`some x`, `x :=`, an argument) shadows every global name; an import names its last path
 * segment (or its alias); a rule of the same package is reachable by its bare name.
 */

import type { CallTerm, Module, Term } from "../ast";
import type { BuiltinLookup } from "../builtin-catalog";
import type { Location } from "../diagnostics";
import type { RuleSet, RuleTree, TreeNode } from "../rule-tree";
import type { BindingView } from "./scope";

/** Where a reference starts. */
export type RefRoot =
  | { readonly root: "input" | "data"; readonly path: readonly Term[] }
  | { readonly root: "value"; readonly head: Term; readonly path: readonly Term[] };

/** A function or built-in that a `with` value names as the replacement of another. */
export type Replacement = { readonly kind: "builtin"; readonly name: string } | { readonly kind: "func"; readonly set: RuleSet };

/** Resolves names inside one module (null for queries and entrypoints) under the bindings of `view`. */
export class NameResolver {
  constructor(
    private readonly tree: RuleTree,
    private readonly module: Module | null,
    private readonly builtins: BuiltinLookup,
    private readonly view: BindingView,
  ) {}

  /** What a free variable name means outside local bindings: input, data, an import, or a rule. */
  globalRef(name: string, loc: Location): RefRoot | null {
    if (this.view.isDeclared(name)) return null;
    if (name === "input") return { root: "input", path: [] };
    if (name === "data") return { root: "data", path: [] };
    const mod = this.module;
    if (mod === null) return null;
    for (const imp of mod.imports) {
      const p = imp.path;
      const segs: Term[] = p.kind === "ref" ? [...p.path] : [];
      const head = p.kind === "ref" ? p.head : p;
      if (head.kind !== "var" || (head.name !== "data" && head.name !== "input")) continue;
      const last = segs.length > 0 ? segs[segs.length - 1] : null;
      const importName = imp.alias ?? (last && last.kind === "string" ? last.value : head.name);
      if (importName === name) return { root: head.name as "input" | "data", path: segs };
    }
    const pkg = lookupNode(this.tree.root, mod.package);
    if (pkg && pkg.children.has(name)) {
      return { root: "data", path: [...mod.package, name].map((s) => ({ kind: "string", value: s, loc }) as Term) };
    }
    return null;
  }

  /** True when a variable has no value here: not bound, not a global name. */
  isUnbound(t: Term): boolean {
    return t.kind === "var" && !this.view.isBound(t.name) && this.globalRef(t.name, t.loc) === null;
  }

  /** A term as a reference from its root: a global name expands to its path below input or data. */
  expandRef(t: Term): RefRoot {
    if (t.kind === "var") {
      const g = this.globalRef(t.name, t.loc);
      if (g && !this.view.isBound(t.name)) return g;
      return { root: "value", head: t, path: [] };
    }
    if (t.kind === "ref") {
      const inner = this.expandRef(t.head);
      if (inner.root === "value") return { root: "value", head: inner.head, path: [...inner.path, ...t.path] };
      return { root: inner.root, path: [...inner.path, ...t.path] };
    }
    return { root: "value", head: t, path: [] };
  }

  /** The rule set of a user function named as in a call (`f`, `data.a.f`, `imported.f`), if any. */
  resolveFunction(name: string, loc: Location): RuleSet | null {
    const segs = name.split(".");
    const g = this.globalRef(segs[0], loc);
    if (g === null || g.root !== "data") return null;
    const path: string[] = [];
    for (const t of g.path) {
      if (t.kind !== "string") return null;
      path.push(t.value);
    }
    path.push(...segs.slice(1));
    let node: TreeNode | RuleSet = this.tree.root;
    for (const p of path) {
      if (node.type !== "node") return null;
      const next: TreeNode | RuleSet | undefined = node.children.get(p);
      if (next === undefined) return null;
      node = next;
    }
    return node.type === "rules" && node.kind === "function" ? node : null;
  }

  /** The declared arity of what a call calls (a user function or a built-in); undefined when it names neither. */
  arityOf(t: CallTerm): number | undefined {
    const fn = this.resolveFunction(t.name, t.loc);
    return fn ? fn.arity : this.builtins.arity(t.name);
  }

  /** The name a `with` target mocks (`count`, `http.send`, `data.pkg.f`), or null for input/data targets. */
  mockTarget(t: Term): string | null {
    const r = this.expandRef(t);
    if (r.root === "data") {
      const path: string[] = [];
      for (const seg of r.path) {
        if (seg.kind !== "string") return null;
        path.push(seg.value);
      }
      const set = this.ruleSetAt(path);
      return set !== null && set.kind === "function" ? `data.${path.join(".")}` : null;
    }
    if (r.root !== "value") return null;
    const name = dottedName(t);
    if (name === null || this.view.isBound(name.split(".")[0])) return null;
    return this.builtins.arity(name) !== undefined ? name : null;
  }

  /** The function or built-in a `with` value names (`as f`, `as data.pkg.f`, `as object.union_n`), if any. */
  replacementOf(t: Term): Replacement | null {
    const name = dottedName(t);
    if (name === null) return null;
    const head = name.split(".")[0];
    if (this.view.isBound(head)) return null;
    const fn = this.resolveFunction(name, t.loc);
    if (fn !== null) return { kind: "func", set: fn };
    if (this.globalRef(head, t.loc) === null && this.builtins.arity(name) !== undefined) return { kind: "builtin", name };
    return null;
  }

  /** The rule set at a constant data path, if one is there. */
  ruleSetAt(path: readonly string[]): RuleSet | null {
    let node: TreeNode | RuleSet | undefined = this.tree.root;
    for (const p of path) {
      if (node === undefined || node.type !== "node") return null;
      node = node.children.get(p);
    }
    return node !== undefined && node.type === "rules" ? node : null;
  }

  /** Classifies a data path against the rule tree for `with`: a whole rule, base data, or neither. */
  ruleAlong(path: readonly string[]): "exact-rule" | "base" | "unsupported" {
    let node: TreeNode | RuleSet = this.tree.root;
    for (let i = 0; i < path.length; i++) {
      if (node.type === "rules" || node.dynamic.length > 0) return "unsupported";
      const next: TreeNode | RuleSet | undefined = node.children.get(path[i]);
      if (next === undefined) return "base";
      node = next;
    }
    if (node.type === "rules") return node.kind === "function" ? "unsupported" : "exact-rule";
    return "unsupported";
  }
}

/** `count` or `time.now_ns` or `data.pkg.f` as a dotted name; null for any other term. */
export function dottedName(t: Term): string | null {
  if (t.kind === "var") return t.name;
  if (t.kind !== "ref" || t.head.kind !== "var") return null;
  const parts = [t.head.name];
  for (const seg of t.path) {
    if (seg.kind !== "string") return null;
    parts.push(seg.value);
  }
  return parts.join(".");
}

/** The inner node of the rule tree at a package path, if there is one. */
function lookupNode(root: TreeNode, path: readonly string[]): TreeNode | null {
  let node: TreeNode = root;
  for (const p of path) {
    const next = node.children.get(p);
    if (next === undefined || next.type !== "node") return null;
    node = next;
  }
  return node;
}
