/**
 * The safety check: decides which literal of a body can run next, so that every variable is bound before
 * it is read, and reports the literals that can never run (`rego_unsafe_var_error`).
 *
 * A body's literals are taken in source order, each time the first one that is ready under the bindings
 * made so far (OPA's reordering for safety). A term is *producible* when its value can be computed now, and
 * *patternable* when it can be matched against a value, binding its variables; a reference whose path holds
 * unbound variables iterates and binds them.
 */

import type { Expr, Term, WithModifier } from "../ast";
import type { Location } from "../diagnostics";
import { sameTerm } from "../term-compare";
import { isGround, termVars } from "../vars";
import type { CheckReporter } from "./checks";
import type { NameResolver } from "./names";
import type { BindingView } from "./scope";

/** Judges readiness under the bindings of one function being lowered. */
export class SafetyCheck {
  constructor(
    private readonly names: NameResolver,
    private readonly view: BindingView,
    private readonly reporter: CheckReporter,
  ) {}

  /**
   * The index of the literal of `pending` to run next: the first that is ready. When none is, reports the
   * first as unsafe and returns -1.
   */
  next(pending: readonly Expr[]): number {
    const idx = pending.findIndex((e) => this.ready(e));
    if (idx < 0) this.reportUnsafe(pending[0]);
    return idx;
  }

  /** Reports a variable that is read where nothing binds it. */
  reportUnsafeVar(name: string, loc: Location): void {
    this.reporter.report("safety", loc, `var ${name} is unsafe`);
  }

  /** True when a term's value can be computed under the current bindings. */
  producible(t: Term): boolean {
    switch (t.kind) {
      case "null":
      case "boolean":
      case "number":
      case "string":
        return true;
      case "var":
        return !this.names.isUnbound(t);
      case "ref": {
        const r = this.names.expandRef(t);
        if (r.root === "value" && !this.producible(r.head)) return false;
        return r.path.every((seg) => seg.kind === "var" || this.producible(seg) || this.patternable(seg));
      }
      case "array":
      case "set":
        return t.items.every((i) => this.producible(i));
      case "object":
        return t.entries.every(([k, v]) => this.producible(k) && this.producible(v));
      case "call":
        return t.args.every((a) => this.producible(a));
      case "arraycompr":
      case "setcompr":
      case "objectcompr":
        return [...termVars(t, new Set())].every(
          (n) => !this.view.isOuter(n) || this.view.isBound(n) || this.names.globalRef(n, t.loc) !== null,
        );
    }
  }

  /** True when a term can be matched against a value, binding its unbound variables. */
  private patternable(t: Term): boolean {
    if (t.kind === "var") return true;
    if (t.kind === "array") return t.items.every((i) => this.producible(i) || this.patternable(i));
    if (t.kind === "object") return t.entries.every(([k, v]) => this.producible(k) && (this.producible(v) || this.patternable(v)));
    return false;
  }

  private readyUnify(a: Term, b: Term): boolean {
    if (this.producible(a) && (this.producible(b) || this.patternable(b))) return true;
    if (this.patternable(a) && this.producible(b)) return true;
    if (a.kind === "array" && b.kind === "array" && a.items.length === b.items.length) {
      return a.items.every((x, i) => this.readyUnify(x, b.items[i]));
    }
    if (a.kind === "object" && b.kind === "object" && a.entries.length === b.entries.length) {
      return a.entries.every(([ka, va]) => {
        const match = b.entries.find(([kb]) => isGround(ka) && isGround(kb) && sameTerm(ka, kb));
        return match !== undefined && this.readyUnify(va, match[1]);
      });
    }
    return false;
  }

  private ready(e: Expr): boolean {
    switch (e.kind) {
      case "some":
        return true;
      case "somein":
        return this.producible(e.collection) && e.with.every((w) => this.withReady(w));
      case "every":
        return this.producible(e.domain) && e.with.every((w) => this.withReady(w));
      case "expr": {
        if (!e.with.every((w) => this.withReady(w))) return false;
        const t = e.term;
        if (e.negated) {
          return [...termVars(t, new Set(), false)].every(
            (n) => n.startsWith("$") || this.view.isBound(n) || this.names.globalRef(n, t.loc) !== null,
          );
        }
        if (t.kind === "call") {
          if (t.name === "eq" || t.name === "assign") return this.readyUnify(t.args[0], t.args[1]);
          const arity = this.names.arityOf(t);
          // An undefined function is reported when the call is lowered (check/calls.ts), not as unsafe output variables.
          if (arity === undefined) return true;
          if (t.args.length === arity + 1) {
            const last = t.args[t.args.length - 1];
            return this.withRefOutputs(
              t.args.slice(0, -1),
              () => t.args.slice(0, -1).every((a) => this.producible(a)) && (this.producible(last) || this.patternable(last)),
            );
          }
          return this.withRefOutputs(t.args, () => this.producible(t));
        }
        return this.producible(t);
      }
    }
  }

  /**
   * Runs check as if the variables that references among terms bind were bound: in `x == input.xs[x]`, the
   * lookup iterates and binds x, so the comparison can be planned (its arguments in that order, see planTerms).
   */
  private withRefOutputs(terms: readonly Term[], check: () => boolean): boolean {
    const outputs = new Set<string>();
    for (const t of terms) this.refOutputs(t, outputs);
    if (outputs.size === 0) return check();
    return this.view.assuming(outputs, check);
  }

  /** The unbound variables that iterating the references in t (outside comprehensions) binds. */
  private refOutputs(t: Term, out: Set<string>): void {
    switch (t.kind) {
      case "ref": {
        if (!this.producible(t)) return;
        for (const seg of this.names.expandRef(t).path) {
          if (seg.kind === "var" && this.names.isUnbound(seg)) out.add(seg.name);
        }
        return;
      }
      case "array":
      case "set":
        for (const i of t.items) this.refOutputs(i, out);
        return;
      case "object":
        for (const [k, v] of t.entries) {
          this.refOutputs(k, out);
          this.refOutputs(v, out);
        }
        return;
      case "call":
        for (const a of t.args) this.refOutputs(a, out);
        return;
      default:
        return;
    }
  }

  /** A `with` value is ready when it can be computed, or when it names the function replacing another. */
  private withReady(w: WithModifier): boolean {
    return (this.names.mockTarget(w.target) !== null && this.names.replacementOf(w.value) !== null) || this.producible(w.value);
  }

  private reportUnsafe(e: Expr): void {
    const names = [...exprVarsShallow(e)].filter((n) => !n.startsWith("$") && this.names.isUnbound({ kind: "var", name: n, loc: e.loc }));
    if (names.length === 0) {
      this.reporter.report("safety", e.loc, "expression is unsafe");
      return;
    }
    for (const n of names.sort()) this.reporter.report("safety", e.loc, `var ${n} is unsafe`);
  }
}

/** The variables of a literal outside its nested bodies. */
function exprVarsShallow(e: Expr): Set<string> {
  const out = new Set<string>();
  if (e.kind === "expr") termVars(e.term, out, false);
  else if (e.kind === "somein") termVars(e.collection, out, false);
  else if (e.kind === "every") termVars(e.domain, out, false);
  return out;
}
