/**
 * The check that Rego v1 modules call none of OPA's deprecated built-ins (`any`, `all`, `re_match`,
 * `set_diff`, `net.cidr_overlap`, `cast_*`): OPA 1.x runs them for modules read as Rego v0 and refuses them
 * in v1 with `rego_type_error: deprecated built-in function calls in expression: X`, as Countersign does.
 *
 * A call is to the built-in unless the module's package defines, or the module imports, the name's first
 * part (a user function `any(x)` in the package shadows the built-in, in v1 as in v0).
 */

import type { Body, Expr, Module, Rule, Term, WithModifier } from "./ast";
import { isDeprecatedBuiltin } from "./builtin-catalog";
import type { Diagnostics } from "./diagnostics";

/** Reports every call of a deprecated built-in in a v1 module, and in the queries when they are v1. */
export function checkDeprecatedBuiltins(
  modules: readonly Module[],
  queries: readonly { readonly body: Body }[],
  queriesAreV1: boolean,
  diags: Diagnostics,
): void {
  const packageRules = new Map<string, Set<string>>();
  for (const m of modules) {
    const key = m.package.join(".");
    const names = packageRules.get(key) ?? new Set<string>();
    for (const r of m.rules) {
      const first = r.head.ref[0];
      if (first?.kind === "string") names.add(first.value);
    }
    packageRules.set(key, names);
  }
  for (const m of modules) {
    if (m.regoVersion !== 1) continue;
    const local = importedNames(m, packageRules.get(m.package.join("."))!);
    const visit = callVisitor((name) => !local.has(name.split(".")[0]!), diags);
    for (const r of m.rules) visitRule(r, visit);
  }
  if (!queriesAreV1) return;
  const visit = callVisitor(() => true, diags);
  for (const q of queries) visitBody(q.body, visit);
}

/** The names its package's rules and its imports give to the first part of a call's name in a module. */
function importedNames(m: Module, packageRules: ReadonlySet<string>): Set<string> {
  const names = new Set(packageRules);
  for (const imp of m.imports) {
    if (imp.alias !== null) {
      names.add(imp.alias);
      continue;
    }
    const p = imp.path;
    if (p.kind === "var") names.add(p.name);
    else {
      const last = p.path[p.path.length - 1];
      if (last?.kind === "string") names.add(last.value);
    }
  }
  return names;
}

type Visit = (t: Term) => void;

function callVisitor(isBuiltin: (name: string) => boolean, diags: Diagnostics): Visit {
  return (t) => {
    if (t.kind === "call" && isDeprecatedBuiltin(t.name) && isBuiltin(t.name)) {
      diags.add("rego_type_error", t.loc, `deprecated built-in function calls in expression: ${t.name}`);
    }
  };
}

function visitRule(r: Rule, visit: Visit): void {
  const h = r.head;
  for (const t of h.ref) visitTerm(t, visit);
  for (const t of h.args ?? []) visitTerm(t, visit);
  if (h.key !== null) visitTerm(h.key, visit);
  if (h.value !== null) visitTerm(h.value, visit);
  visitBody(r.body, visit);
  for (let e = r.else; e !== null; e = e.else) {
    if (e.value !== null) visitTerm(e.value, visit);
    visitBody(e.body, visit);
  }
}

function visitBody(body: Body, visit: Visit): void {
  for (const e of body) visitExpr(e, visit);
}

function visitWith(ws: readonly WithModifier[], visit: Visit): void {
  for (const w of ws) visitTerm(w.value, visit);
}

function visitExpr(e: Expr, visit: Visit): void {
  switch (e.kind) {
    case "expr":
      visitTerm(e.term, visit);
      visitWith(e.with, visit);
      return;
    case "some":
      return;
    case "somein":
      if (e.key !== null) visitTerm(e.key, visit);
      visitTerm(e.value, visit);
      visitTerm(e.collection, visit);
      visitWith(e.with, visit);
      return;
    case "every":
      visitTerm(e.domain, visit);
      visitBody(e.body, visit);
      visitWith(e.with, visit);
      return;
  }
}

function visitTerm(t: Term, visit: Visit): void {
  visit(t);
  switch (t.kind) {
    case "ref":
      visitTerm(t.head, visit);
      for (const p of t.path) visitTerm(p, visit);
      return;
    case "array":
    case "set":
      for (const x of t.items) visitTerm(x, visit);
      return;
    case "object":
      for (const [k, v] of t.entries) {
        visitTerm(k, visit);
        visitTerm(v, visit);
      }
      return;
    case "call":
      for (const a of t.args) visitTerm(a, visit);
      return;
    case "arraycompr":
    case "setcompr":
      visitTerm(t.term, visit);
      visitBody(t.body, visit);
      return;
    case "objectcompr":
      visitTerm(t.key, visit);
      visitTerm(t.value, visit);
      visitBody(t.body, visit);
      return;
    default:
      return;
  }
}
