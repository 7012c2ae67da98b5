/**
 * The rule tree: every rule of every module placed at its path below `data`, grouped into rule sets.
 *
 * A rule set is all definitions of one document (a complete rule, a partial set, a partial object) or one
 * function. The planner walks this tree to resolve `data` references: a path that reaches a rule set calls
 * its function, a path that stops at an inner node builds that node's document, and a path that leaves the
 * tree is base data.
 */

import type { Module, Rule, Term } from "./ast";
import type { Diagnostics, Location } from "./diagnostics";

/**
 * How a rule set produces its document. A partial object holds every rule whose ref has a non-constant term
 * after its constant prefix (`p[k] := v`, `a.b[x].c := v`, `a.b[x] contains v`): each places its value, or
 * adds to a set, at the rest of its ref below the prefix.
 */
export type RuleKind = "complete" | "partialSet" | "partialObject" | "function";

/** All definitions of one document or function. */
export interface RuleSet {
  readonly type: "rules";
  readonly path: readonly string[];
  readonly kind: RuleKind;
  /** Non-default definitions in source order. */
  readonly rules: Rule[];
  /** The `default` definition, if any. */
  defaultRule: Rule | null;
  /** For functions: the number of arguments. */
  readonly arity: number;
  /** Module of each definition, for import resolution. */
  readonly modules: Map<Rule, Module>;
  /** A small integer used as the memo id. */
  readonly id: number;
}

/** An inner node: a package or a ref-head prefix. */
export interface TreeNode {
  readonly type: "node";
  readonly path: readonly string[];
  readonly children: Map<string, TreeNode | RuleSet>;
  /**
   * Partial object rules whose keys are computed (`p[k].r := v` beside `p.q := 1`): their objects merge
   * into this node's document, so a lookup below the node must build the whole document.
   */
  readonly dynamic: RuleSet[];
  /** A small integer used as the memo id of this node's document. */
  readonly id: number;
}

/** The tree and fast lookups into it. */
export interface RuleTree {
  readonly root: TreeNode;
  readonly ruleSets: readonly RuleSet[];
  /** Package paths (dotted, below data) → the modules declaring them. */
  readonly packages: ReadonlyMap<string, readonly Module[]>;
}

/** The constant prefix of a rule head ref (strings only), and the terms after it. */
export function splitHeadRef(ref: readonly Term[]): { prefix: string[]; rest: Term[] } {
  const prefix: string[] = [];
  let i = 0;
  for (; i < ref.length; i++) {
    const t = ref[i];
    if (t.kind !== "string") break;
    prefix.push(t.value);
  }
  return { prefix, rest: ref.slice(i) };
}

/** The kind of one rule definition, from its head. */
export function ruleKind(rule: Rule): RuleKind {
  const h = rule.head;
  if (h.args !== null) return "function";
  const { rest } = splitHeadRef(h.ref);
  if (rest.length > 0) return "partialObject";
  return h.contains ? "partialSet" : "complete";
}

/** Builds the rule tree, reporting conflicting definitions. */
export function buildRuleTree(modules: readonly Module[], diags: Diagnostics): RuleTree {
  let nextId = 0;
  const root: TreeNode = { type: "node", path: [], children: new Map(), dynamic: [], id: nextId++ };
  const ruleSets: RuleSet[] = [];
  const packages = new Map<string, Module[]>();

  const nodeAt = (path: readonly string[], loc: Location): TreeNode | null => {
    let node = root;
    for (let i = 0; i < path.length; i++) {
      const child = node.children.get(path[i]);
      if (child === undefined) {
        const created: TreeNode = { type: "node", path: path.slice(0, i + 1), children: new Map(), dynamic: [], id: nextId++ };
        node.children.set(path[i], created);
        node = created;
      } else if (child.type === "rules" && child.kind === "partialObject") {
        // A computed-key object rule gains constant siblings below it: it becomes a dynamic part of a node.
        const created: TreeNode = { type: "node", path: path.slice(0, i + 1), children: new Map(), dynamic: [child], id: nextId++ };
        node.children.set(path[i], created);
        node = created;
      } else if (child.type === "rules") {
        diags.add("rego_type_error", loc, `rule data.${child.path.join(".")} conflicts with rules below it`);
        return null;
      } else {
        node = child;
      }
    }
    return node;
  };

  for (const mod of modules) {
    const key = mod.package.join(".");
    packages.set(key, [...(packages.get(key) ?? []), mod]);
    nodeAt(mod.package, mod.packageLoc);
  }

  for (const mod of modules) {
    for (const rule of mod.rules) {
      const { prefix } = splitHeadRef(rule.head.ref);
      const kind = ruleKind(rule);
      // A partial set keyed by `contains` lives at its full constant ref; ref-head objects at the prefix.
      const path = [...mod.package, ...prefix];
      if (prefix.length === 0) {
        diags.add("rego_compile_error", rule.loc, "rule head must start with a name");
        continue;
      }
      const parent = nodeAt(path.slice(0, -1), rule.loc);
      if (parent === null) continue;
      const name = path[path.length - 1];
      const existing = parent.children.get(name);
      const arity = rule.head.args?.length ?? 0;
      if (existing === undefined) {
        const set: RuleSet = {
          type: "rules",
          path,
          kind,
          rules: [],
          defaultRule: null,
          arity,
          modules: new Map(),
          id: nextId++,
        };
        parent.children.set(name, set);
        ruleSets.push(set);
        addRule(set, rule, mod, diags);
      } else if (existing.type === "node" && kind === "partialObject") {
        let set = existing.dynamic[0];
        if (set === undefined) {
          set = { type: "rules", path, kind, rules: [], defaultRule: null, arity: 0, modules: new Map(), id: nextId++ };
          existing.dynamic.push(set);
          ruleSets.push(set);
        }
        addRule(set, rule, mod, diags);
      } else if (existing.type === "node") {
        diags.add("rego_type_error", rule.loc, `rule data.${path.join(".")} conflicts with rules or packages below it`);
      } else if (existing.kind !== kind && !(rule.default && kind === "complete")) {
        diags.add(
          "rego_type_error",
          rule.loc,
          `conflicting rules data.${path.join(".")} found: ${describeKind(existing.kind)} and ${describeKind(kind)}`,
        );
      } else if (existing.kind === "function" && existing.arity !== arity && !rule.default) {
        diags.add(
          "rego_type_error",
          rule.loc,
          `conflicting rules data.${path.join(".")} found: functions with ${existing.arity} and ${arity} arguments`,
        );
      } else {
        addRule(existing, rule, mod, diags);
      }
    }
  }
  return { root, ruleSets, packages };
}

function addRule(set: RuleSet, rule: Rule, mod: Module, diags: Diagnostics): void {
  set.modules.set(rule, mod);
  if (rule.default) {
    if (set.defaultRule !== null) {
      diags.add("rego_type_error", rule.loc, `multiple default rules data.${set.path.join(".")} found`);
      return;
    }
    set.defaultRule = rule;
    return;
  }
  set.rules.push(rule);
}

function describeKind(kind: RuleKind): string {
  switch (kind) {
    case "complete":
      return "complete rule";
    case "partialSet":
      return "partial set rule";
    case "partialObject":
      return "partial object rule";
    case "function":
      return "function";
  }
}
