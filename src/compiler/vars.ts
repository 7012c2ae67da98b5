/**
 * Variable analysis over terms and bodies: which variables a term mentions, and which a body declares.
 *
 * The planner uses these to order body literals so that every variable is bound before it is read
 * (safety), and to tell a comprehension's own variables from those it captures.
 */

import type { Body, Expr, Term } from "./ast";

/** Adds every variable name in a term to `out`; with `deep` false, comprehension bodies are skipped. */
export function termVars(term: Term, out: Set<string>, deep = true): Set<string> {
  switch (term.kind) {
    case "var":
      out.add(term.name);
      break;
    case "ref":
      termVars(term.head, out, deep);
      for (const t of term.path) termVars(t, out, deep);
      break;
    case "array":
    case "set":
      for (const t of term.items) termVars(t, out, deep);
      break;
    case "object":
      for (const [k, v] of term.entries) {
        termVars(k, out, deep);
        termVars(v, out, deep);
      }
      break;
    case "call":
      for (const t of term.args) termVars(t, out, deep);
      break;
    case "arraycompr":
    case "setcompr":
      if (deep) {
        termVars(term.term, out, deep);
        bodyVars(term.body, out, deep);
      }
      break;
    case "objectcompr":
      if (deep) {
        termVars(term.key, out, deep);
        termVars(term.value, out, deep);
        bodyVars(term.body, out, deep);
      }
      break;
    default:
      break;
  }
  return out;
}

/** Adds every variable name mentioned in a literal to `out`. */
export function exprVars(expr: Expr, out: Set<string>, deep = true): Set<string> {
  switch (expr.kind) {
    case "expr":
      termVars(expr.term, out, deep);
      for (const w of expr.with) termVars(w.value, out, deep);
      break;
    case "some":
      for (const v of expr.vars) out.add(v.name);
      break;
    case "somein":
      if (expr.key) termVars(expr.key, out, deep);
      termVars(expr.value, out, deep);
      termVars(expr.collection, out, deep);
      for (const w of expr.with) termVars(w.value, out, deep);
      break;
    case "every":
      termVars(expr.domain, out, deep);
      if (deep) {
        const inner = bodyVars(expr.body, new Set(), deep);
        inner.delete(expr.value.name);
        if (expr.key) inner.delete(expr.key.name);
        for (const n of inner) out.add(n);
      }
      for (const w of expr.with) termVars(w.value, out, deep);
      break;
  }
  return out;
}

/** Adds every variable name mentioned in a body to `out`. */
export function bodyVars(body: Body, out: Set<string>, deep = true): Set<string> {
  for (const e of body) exprVars(e, out, deep);
  return out;
}

/**
 * Variables a body declares as local, shadowing rule names and imports: `:=` targets, `some` names,
 * and the patterns of `some … in`.
 */
export function declaredVars(body: Body): Set<string> {
  const out = new Set<string>();
  for (const e of body) {
    if (e.kind === "some") for (const v of e.vars) out.add(v.name);
    else if (e.kind === "somein") {
      if (e.key) termVars(e.key, out, false);
      termVars(e.value, out, false);
    } else if (e.kind === "expr" && !e.negated && e.term.kind === "call" && e.term.name === "assign") {
      termVars(e.term.args[0], out, false);
    }
  }
  return out;
}

/** True when the term contains no variables, refs, calls or comprehensions: a constant. */
export function isGround(term: Term): boolean {
  switch (term.kind) {
    case "null":
    case "boolean":
    case "number":
    case "string":
      return true;
    case "array":
    case "set":
      return term.items.every(isGround);
    case "object":
      return term.entries.every(([k, v]) => isGround(k) && isGround(v));
    default:
      return false;
  }
}
