/**
 * The check on `with` targets: what a `with` modifier may replace — `input` or a path below it, base data, a
 * whole rule, a user function, or a built-in that is a function (not `=`, `:=`, a relation, or an internal
 * built-in) — and which paths it may take (constant, not through or above a rule).
 */

import type { Location } from "../diagnostics";
import { isRelation } from "../builtin-catalog";
import type { CheckReporter } from "./checks";
import type { RefRoot } from "./names";

/** Checks a function or built-in named as a `with` target (`with count as …`); reports and returns false when it cannot be replaced. */
export function checkReplaceable(name: string, loc: Location, reporter: CheckReporter): boolean {
  if (name === "eq" || name === "assign" || name.startsWith("internal.") || name.startsWith("rego.metadata.")) {
    reporter.report("with-target", loc, `with keyword replacing built-in function: replacement of "${name}" invalid`);
    return false;
  }
  if (!name.startsWith("data.") && isRelation(name)) {
    reporter.report("with-target", loc, `with keyword replacing built-in function: target must not be a relation`);
    return false;
  }
  return true;
}

/** The constant path of a document target (`input.a.b`, `data.x`); null (reported) when it has none. */
export function documentTargetPath(target: RefRoot, loc: Location, reporter: CheckReporter): string[] | null {
  if (target.root === "value") {
    reporter.report("with-target", loc, "not supported: with on a function or builtin");
    return null;
  }
  const path: string[] = [];
  for (const seg of target.path) {
    if (seg.kind !== "string") {
      reporter.report("with-target", loc, "with target path must be constant strings");
      return null;
    }
    path.push(seg.value);
  }
  return path;
}

/** Reports a data target that runs through a rule or above one (only whole rules and base data are replaceable). */
export function reportDataTargetAcrossRule(path: readonly string[], loc: Location, reporter: CheckReporter): void {
  reporter.report("with-target", loc, `not supported: with on data.${path.join(".")}, which is above or below a rule`);
}
