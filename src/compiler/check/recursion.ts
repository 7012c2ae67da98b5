/**
 * The recursion check: a rule or function that, through the rules it refers to, reaches itself.
 *
 * Rules are lowered on first reference, depth first, so the rules being lowered at any moment form a chain
 * of references; meeting one of them again is a cycle. Only references that are really followed count:
 * `data[name].allow` follows the children of the node one by one (see lower/function-lowerer.ts), so a
 * rule that merely sits next to the referring one is no cycle.
 */

import type { Location } from "../diagnostics";
import type { RuleSet } from "../rule-tree";
import type { CheckReporter } from "./checks";

/** The chain of rule functions being lowered; keys are `data.a.b` (with ` with …` under mocks). */
export class RecursionCheck {
  private readonly inProgress: string[] = [];

  constructor(private readonly reporter: CheckReporter) {}

  /** True (and reported) when the rule set's function is already being lowered: a cycle. */
  isCycle(key: string, set: RuleSet, loc: Location): boolean {
    if (!this.inProgress.includes(key)) return false;
    const cycle = [...this.inProgress.slice(this.inProgress.indexOf(key)), key].map((n) => n.split(" with ")[0]).join(" -> ");
    const rule = set.rules[0] ?? set.defaultRule;
    this.reporter.report("recursion", rule?.loc ?? loc, `rule data.${set.path.join(".")} is recursive: ${cycle}`);
    return true;
  }

  /** Runs lower with key on the chain. */
  within(key: string, lower: () => void): void {
    this.inProgress.push(key);
    try {
      lower();
    } finally {
      this.inProgress.pop();
    }
  }
}
