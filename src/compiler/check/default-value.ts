/**
 * The check on default rules: a default rule's value is a constant (`default allow := false`), since it is
 * the value when no other rule of the set has one and is computed without any body.
 */

import type { Term } from "../ast";
import type { Location } from "../diagnostics";
import type { RuleSet } from "../rule-tree";
import { isGround } from "../vars";
import type { CheckReporter } from "./checks";

/** True when the default rule's value is a constant; reports one that is not. */
export function checkDefaultValue(set: RuleSet, value: Term, loc: Location, reporter: CheckReporter): boolean {
  if (isGround(value)) return true;
  reporter.report("default-value", loc, `default rule data.${set.path.join(".")} must have a constant value`);
  return false;
}
