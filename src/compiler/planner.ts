/**
 * The planner: turns checked Rego (modules in a rule tree, plus entrypoints and queries) into the IR, by
 * running the checks of `check/` and the lowering of `lower/` over what the entrypoints and queries reach.
 *
 * The checks (name resolution, safety and reordering, assigned-above, recursion, calls, `with` targets,
 * defaults) are separate, named modules; lowering calls each at the point it judges, because what they
 * report, and in what order, depends on what is reachable and on the order literals are lowered in (see
 * src/compiler/README.md). Every diagnostic names the check that found it.
 */

import type { Body } from "./ast";
import type { BuiltinLookup } from "./builtin-catalog";
import { CheckReporter } from "./check/checks";
import type { Diagnostics } from "./diagnostics";
import type { Entrypoint, Plan } from "./ir";
import { ProgramLowerer } from "./lower/program-lowerer";
import type { RuleTree } from "./rule-tree";

/** What to plan besides the rule tree. */
export interface PlanRequest {
  readonly entrypoints: readonly { readonly name: string; readonly path: readonly string[] }[];
  readonly queries: readonly { readonly name: string; readonly body: Body; readonly file: string }[];
  readonly strictBuiltinErrors: boolean;
  /** Builtins the runtime implements; the rest are called through the host. */
  readonly runtimeBuiltins: ReadonlySet<string>;
  /** The builtins a policy may call (default: the whole catalogue). */
  readonly builtins?: BuiltinLookup;
  /**
   * Coverage (`countersign test --coverage`): before each body literal, and when a rule body succeeds, a host
   * call of COVERAGE_BUILTIN(file, line) records that the line was reached. Off by default; never in bundles.
   */
  readonly coverage?: boolean;
}

export { COVERAGE_BUILTIN } from "./lower/coverage-builtin";

/** Plans the whole program; returns null when diagnostics were reported. */
export function plan(tree: RuleTree, request: PlanRequest, diags: Diagnostics): Plan | null {
  const program = new ProgramLowerer(tree, request, new CheckReporter(diags));
  const entrypoints: Entrypoint[] = [];
  for (const ep of request.entrypoints) entrypoints.push({ name: ep.name, func: program.entrypoint(ep.path, ep.name) });
  for (const q of request.queries) entrypoints.push({ name: q.name, func: program.query(q.name, q.body, q.file) });
  if (diags.hasErrors) return null;
  return {
    functions: program.functions,
    entrypoints,
    constants: program.constants,
    hostBuiltins: program.hostBuiltins,
    strictBuiltinErrors: request.strictBuiltinErrors,
  };
}
