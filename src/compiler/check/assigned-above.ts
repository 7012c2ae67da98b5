/**
 * The assigned-above check: `x := …` is an error, as in OPA, when x was assigned by an earlier literal of
 * the same body (or by `some x in …`), is bound around the body, or was read by an earlier literal.
 *
 * "Earlier" is the order of the source, not the order the literals run in: reordering for safety may bind
 * x first, and that is fine. So the check runs on each body as written, before its literals are reordered.
 */

import type { Body } from "../ast";
import { exprVars, termVars } from "../vars";
import type { CheckReporter } from "./checks";

/** Checks one body; `isBound` tells the variables bound around it. */
export function checkAssignedAbove(body: Body, isBound: (name: string) => boolean, reporter: CheckReporter): void {
  const seen = new Set<string>();
  const assigned = new Set<string>();
  for (const e of body) {
    if (e.kind === "expr" && !e.negated && e.term.kind === "call" && e.term.name === "assign") {
      for (const n of termVars(e.term.args[0], new Set(), false)) {
        if (n.startsWith("$")) continue;
        if (assigned.has(n) || isBound(n)) {
          reporter.report("assigned-above", e.loc, `var ${n} assigned above`);
        } else if (seen.has(n)) {
          reporter.report("assigned-above", e.loc, `var ${n} referenced above`);
        }
        assigned.add(n);
      }
    } else if (e.kind === "somein") {
      for (const t of e.key === null ? [e.value] : [e.key, e.value]) termVars(t, assigned, false);
    }
    exprVars(e, seen, false);
  }
}
