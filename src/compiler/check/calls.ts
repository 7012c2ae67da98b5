/**
 * The checks on calls: the function exists (`undefined-function`), gets as many arguments as it declares
 * (`arity`), is called rather than referred to (`function-as-value`), is not `=`/`:=` in a value's place
 * (`unification-as-value`), and, when the host implements it, fits the host ABI (`host-builtin`).
 *
 * Each returns whether lowering may go on with the call; a failed check has reported its diagnostic.
 */

import type { CallTerm } from "../ast";
import type { Location } from "../diagnostics";
import type { RuleSet } from "../rule-tree";
import type { CheckReporter } from "./checks";

/** Checks a call of a user function against its declared arity. */
export function checkFunctionCall(fn: RuleSet, t: CallTerm, reporter: CheckReporter): boolean {
  if (t.args.length === fn.arity) return true;
  reporter.report("arity", t.loc, `function data.${fn.path.join(".")} has arity ${fn.arity}, got ${t.args.length} arguments`);
  return false;
}

/** Checks a call of a built-in whose declared arity is `arity` (undefined when nothing declares it). */
export function checkBuiltinCall(t: CallTerm, arity: number | undefined, reporter: CheckReporter): arity is number {
  if (arity === undefined) {
    reporter.report("undefined-function", t.loc, `undefined function ${t.name}`);
    return false;
  }
  if (arity >= 0 && t.args.length !== arity) {
    reporter.report("arity", t.loc, `${t.name}: arity mismatch: expected ${arity} arguments, got ${t.args.length}`);
    return false;
  }
  if (t.name === "eq" || t.name === "assign") {
    reporter.report("unification-as-value", t.loc, `${t.name === "eq" ? "=" : ":="} cannot be used as a value`);
    return false;
  }
  return true;
}

/** Checks a call replaced by `with` against the replacing built-in's arity. */
export function checkBuiltinReplacement(t: CallTerm, replacement: string, arity: number, reporter: CheckReporter): boolean {
  if (arity < 0 || arity === t.args.length) return true;
  reporter.report("arity", t.loc, `${t.name}: arity mismatch: replacement ${replacement} takes ${arity} arguments, got ${t.args.length}`);
  return false;
}

/** Checks a call replaced by `with` against the replacing user function's arity. */
export function checkFunctionReplacement(t: CallTerm, replacement: RuleSet, reporter: CheckReporter): boolean {
  if (replacement.arity === t.args.length) return true;
  reporter.report(
    "arity",
    t.loc,
    `${t.name}: arity mismatch: replacement data.${replacement.path.join(".")} takes ${replacement.arity} arguments, got ${t.args.length}`,
  );
  return false;
}

/** Checks that a built-in the host implements has an arity the host call ABI carries (0 to 4 operands). */
export function checkHostBuiltin(name: string, arity: number, loc: Location, reporter: CheckReporter): boolean {
  if (arity >= 0 && arity <= 4) return true;
  reporter.report("host-builtin", loc, `not supported: builtin ${name}`);
  return false;
}

/** Reports a user function referred to without arguments (`data.pkg.f` as a value). */
export function reportFunctionAsValue(fn: RuleSet, loc: Location, reporter: CheckReporter): void {
  reporter.report("function-as-value", loc, `function data.${fn.path.join(".")} must be called with arguments`);
}
