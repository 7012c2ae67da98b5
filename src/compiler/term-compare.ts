/**
 * Structural comparison of AST terms, ignoring where in the sources they were written.
 */

import type { Term } from "./ast";

/** True when two terms are the same, ignoring locations. */
export function sameTerm(a: Term, b: Term): boolean {
  return JSON.stringify(stripLoc(a)) === JSON.stringify(stripLoc(b));
}

/** A term without locations, for structural comparison. */
export function stripLoc(t: Term): unknown {
  return JSON.parse(JSON.stringify(t, (k, v) => (k === "loc" ? undefined : v)));
}
