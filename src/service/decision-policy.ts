/**
 * What the decide use case needs from the policy engine (the consumer owns this interface; `main.ts`
 * adapts the engine in `src/engine/` to it).
 */

import type { EvaluatedDecision, PolicyRef } from "../engine/decision-contract";
import type { PolicyInput } from "./policy-input";

/** The engine's state, for readiness and metrics. */
export interface PolicyStatus {
  /** A decision bundle is loaded and serving. */
  readonly ready: boolean;
  /** The bundles serving now. */
  readonly active: readonly PolicyRef[];
  /** Bundle loads or reloads refused since start (corrupt, incompatible, failing to compile). */
  readonly reloadFailures: number;
  /** The same refusals counted by their stable code. */
  readonly refusalsByCode?: Readonly<Record<string, number>>;
  /** Why the engine is not ready, or why the last reload was refused. */
  readonly problem?: string;
}

/** Evaluates `countersign/decision`; never throws, fails closed (see EvaluatedDecision). */
export interface DecisionPolicy {
  /**
   * Decides on one input. The policy logs its own failures at error level, tagged with `decisionId`, so
   * the id ties that line to the decision.
   */
  decide(input: PolicyInput, decisionId: string): EvaluatedDecision | Promise<EvaluatedDecision>;
  status(): PolicyStatus;
}
