/**
 * A bundle made ready to serve: every wasm module loaded in the SDK with the bundle's data, entrypoints
 * mapped to their modules, and the checks that decide whether the bundle may be activated at all.
 *
 * A bundle is refused when it does not serve `countersign/decision`, when a module does not load, or when
 * evaluating `countersign/decision` on a minimal request raises an error. An undefined or ill-formed
 * smoke result is only a warning: it may depend on the input, and decide() fails closed on it anyway.
 */

import { COUNTERSIGN_METADATA_KEY, normalizeEntrypoint, type Bundle } from "../bundle/bundle";
import type { Clock } from "../policy/clock";
import { loadCompiledPolicy, type CompiledPolicy, type ResultSet } from "../policy/compiled-policy";
import type { HostBuiltinFn } from "../policy/host-builtins";
import { PolicyError, toPolicyEvalError } from "../policy/policy-error";
import { DECISION_ENTRYPOINT } from "../bundle/bundle-build";
import type { PolicyRef } from "./decision-contract";
import { validateDecision } from "./decision-validator";
import { EngineError } from "./engine-error";
import type { ActivePolicy } from "./policy-provider";

/**
 * The input of the smoke evaluation: shaped like the service's policy input (the request, the caller, the
 * server time), naming an action no policy knows.
 */
export const SMOKE_INPUT = Object.freeze({
  actor: { id: "countersign:smoke-test", type: "service" },
  action: { name: "countersign.smoke_test", params: {} },
  resource: { type: "countersign", id: "smoke-test" },
  context: {},
  caller: { id: "countersign:smoke-test", kind: "service", roles: [] },
  now: "2000-01-01T00:00:00.000Z",
});

/** How to load a bundle. */
export interface BundleLoadOptions {
  /** The clock behind `time.now_ns` in the policy. */
  readonly clock?: Clock;
  /** Implementations of custom built-ins (declared in a capabilities file at build time), by name. */
  readonly builtins?: Readonly<Record<string, HostBuiltinFn>>;
  /** Input for the smoke evaluation (default SMOKE_INPUT). */
  readonly smokeInput?: unknown;
  /** The revision to report when the manifest's is empty (`opa build` without `--revision`). */
  readonly revisionIfEmpty?: string;
}

/** A bundle that passed the checks and is ready to evaluate. */
export interface LoadedBundle extends ActivePolicy {
  /** The file it came from (or the directory, for compiled Rego). */
  readonly file: string;
  /** Doubts from the smoke evaluation that did not prevent loading. */
  readonly warnings: readonly string[];
}

/** Whether the bundle was compiled with strict builtin errors (recorded in the manifest by `countersign build`). */
function strictBuiltinErrors(bundle: Bundle): boolean {
  const meta = bundle.manifest.metadata?.[COUNTERSIGN_METADATA_KEY];
  return typeof meta === "object" && meta !== null && !Array.isArray(meta) && meta["strict_builtin_errors"] === true;
}

/**
 * Loads and checks a bundle under a name. Throws EngineError (COUNTERSIGN_BUNDLE_NO_DECISION,
 * COUNTERSIGN_BUNDLE_INCOMPATIBLE, COUNTERSIGN_BUNDLE_SMOKE_FAILED) when it must be refused.
 */
export async function loadDecisionBundle(bundle: Bundle, name: string, file: string, opts: BundleLoadOptions = {}): Promise<LoadedBundle> {
  const served = new Set<string>();
  for (const r of bundle.manifest.wasm) served.add(normalizeEntrypoint(r.entrypoint));
  for (const m of bundle.wasmModules) for (const e of m.entrypoints) served.add(normalizeEntrypoint(e));
  if (bundle.manifest.wasm.length > 0 && !served.has(DECISION_ENTRYPOINT)) {
    throw new EngineError(
      "COUNTERSIGN_BUNDLE_NO_DECISION",
      `the bundle does not serve ${DECISION_ENTRYPOINT} (its manifest lists: ${[...served].join(", ") || "nothing"}); ` +
        `build it with -e ${DECISION_ENTRYPOINT}`,
    );
  }

  const strict = strictBuiltinErrors(bundle);
  const byEntrypoint = new Map<string, CompiledPolicy>();
  for (const m of bundle.wasmModules) {
    let policy: CompiledPolicy;
    try {
      policy = await loadCompiledPolicy(m.wasm, bundle.data, {
        strictBuiltinErrors: strict,
        ...(opts.clock === undefined ? {} : { clock: opts.clock }),
        ...(opts.builtins === undefined ? {} : { builtins: opts.builtins }),
      });
    } catch (err) {
      const why = err instanceof PolicyError ? err.message : String(err);
      throw new EngineError("COUNTERSIGN_BUNDLE_INCOMPATIBLE", `${m.path} does not load: ${why}`);
    }
    // The manifest maps entrypoints to modules; a module's own exports fill in what the manifest omits.
    for (const e of m.entrypoints) byEntrypoint.set(normalizeEntrypoint(e), policy);
    for (const e of policy.entrypoints) if (!byEntrypoint.has(e)) byEntrypoint.set(e, policy);
  }
  if (!byEntrypoint.has(DECISION_ENTRYPOINT)) {
    throw new EngineError(
      "COUNTERSIGN_BUNDLE_NO_DECISION",
      `the bundle does not serve ${DECISION_ENTRYPOINT} (its modules export: ${[...byEntrypoint.keys()].join(", ") || "nothing"}); ` +
        `build it with -e ${DECISION_ENTRYPOINT}`,
    );
  }

  const revision = bundle.manifest.revision === "" && opts.revisionIfEmpty !== undefined ? opts.revisionIfEmpty : bundle.manifest.revision;
  const ref: PolicyRef = { bundle: name, revision };
  const entrypoints = [...byEntrypoint.keys()].sort();
  const hasEntrypoint = (entrypoint: string): boolean => byEntrypoint.has(entrypoint);
  const evaluate = (entrypoint: string, input: unknown): ResultSet => {
    const policy = byEntrypoint.get(entrypoint);
    if (policy === undefined) {
      throw new PolicyError("COUNTERSIGN_POLICY_UNKNOWN_ENTRYPOINT", `bundle ${name} does not serve ${entrypoint}`);
    }
    return policy.evaluate(entrypoint, input);
  };
  const warnings = smokeTest(evaluate, opts.smokeInput ?? SMOKE_INPUT);
  return { ref, file, entrypoints, warnings, hasEntrypoint, evaluate };
}

/** Evaluates the decision once; throws when that raises an error, returns doubts about the value otherwise. */
function smokeTest(evaluate: ActivePolicy["evaluate"], input: unknown): string[] {
  let rs: ResultSet;
  try {
    rs = evaluate(DECISION_ENTRYPOINT, input);
  } catch (err) {
    const why = err instanceof PolicyError ? err.message : toPolicyEvalError(err).text;
    throw new EngineError("COUNTERSIGN_BUNDLE_SMOKE_FAILED", `evaluating ${DECISION_ENTRYPOINT} on a minimal request failed: ${why}`);
  }
  if (rs.length === 0) {
    return [
      `${DECISION_ENTRYPOINT} is undefined for a minimal request; give it a default (default decision := {...}) so unknown actions are denied with a reason`,
    ];
  }
  const check = validateDecision(rs[0]!["result"]);
  return check.ok ? [] : [`${DECISION_ENTRYPOINT} returns an ill-formed decision for a minimal request: ${check.problem}`];
}
