/**
 * The check on object unification: two objects with variables on both sides unify key by key, which needs
 * keys known at compile time (`{"a": x} = {"a": y}`); a variable key is refused.
 */

import type { Term } from "../ast";
import type { Location } from "../diagnostics";
import { isGround } from "../vars";
import type { CheckReporter } from "./checks";

/** True when an object key may take part in unification; reports one that cannot. */
export function checkUnifiableKey(key: Term, loc: Location, reporter: CheckReporter): boolean {
  if (isGround(key)) return true;
  reporter.report("object-unification", loc, "not supported: unification of objects with variable keys");
  return false;
}
