/**
 * The catalogue of the checks the compiler runs on a rule tree before and while lowering it: each check's
 * stable name, the OPA code its diagnostics carry, and what it rejects.
 *
 * Every diagnostic of this stage is reported through a CheckReporter, so it names the check that found it
 * (`Diagnostic.check`); a test or a tool can tell "unsafe" from "undefined function" without parsing
 * messages. Where each check lives is listed in src/compiler/README.md.
 */

import type { DiagnosticCode, Diagnostics, Location } from "../diagnostics";

/** Every check, by stable name. */
export const CHECKS = {
  /** check/safety.ts: a variable no literal can bind, or an expression that can never become ready. */
  safety: { code: "rego_unsafe_var_error", rejects: "a variable read before anything can bind it" },
  /** check/assigned-above.ts: `x := …` after an earlier literal (in source order) assigned or read x. */
  "assigned-above": { code: "rego_compile_error", rejects: "a `:=` to a variable assigned or referenced above" },
  /** check/recursion.ts: a rule or function that reaches itself. */
  recursion: { code: "rego_recursion_error", rejects: "a rule that depends on itself" },
  /** check/calls.ts: a call of a name that is neither a user function nor an available built-in. */
  "undefined-function": { code: "rego_type_error", rejects: "a call of an unknown function" },
  /** check/calls.ts: a call with the wrong number of arguments (also against a `with` replacement). */
  arity: { code: "rego_type_error", rejects: "a call with the wrong number of arguments" },
  /** check/calls.ts: a user function referred to as a value, without arguments. */
  "function-as-value": { code: "rego_type_error", rejects: "a function used without arguments" },
  /** check/calls.ts: `=` or `:=` nested inside another term, where it would need a value. */
  "unification-as-value": { code: "rego_compile_error", rejects: "`=` or `:=` used as a value" },
  /** check/calls.ts: a built-in the host would have to implement, with an arity the host ABI cannot carry. */
  "host-builtin": { code: "rego_compile_error", rejects: "a host built-in taking more than 4 operands" },
  /** check/with-target.ts: a `with` target that cannot be replaced (`=`, a relation, a path through a rule). */
  "with-target": { code: "rego_compile_error", rejects: "a `with` modifier on something it cannot replace" },
  /** check/unification.ts: unifying two objects whose keys are variables. */
  "object-unification": { code: "rego_compile_error", rejects: "object unification with variable keys" },
  /** check/default-value.ts: a default rule whose value is not a constant. */
  "default-value": { code: "rego_type_error", rejects: "a default rule with a non-constant value" },
} as const satisfies Record<string, { readonly code: DiagnosticCode; readonly rejects: string }>;

/** The name of a check. */
export type CheckName = keyof typeof CHECKS;

/** Reports diagnostics on behalf of named checks. */
export class CheckReporter {
  constructor(readonly diags: Diagnostics) {}

  /** Records a problem found by a check, with the check's code and name. */
  report(check: CheckName, loc: Location, message: string): void {
    this.diags.add(CHECKS[check].code, loc, message, check);
  }
}
