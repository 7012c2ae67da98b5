/**
 * One shadow comparison: what the live policy answered for a decision and what the candidate bundle would
 * have answered for the very same input, and how the pair is named (`allow→require_approval`).
 *
 * Outcomes are the policies' own answers (a fail-closed deny counts as `deny`), not what the approval step
 * made of them: a redeemed grant turns the live policy's `require_approval` into an allow for the caller,
 * but the policies are what is compared.
 */

import type { DecisionFailure, Outcome, PolicyRef } from "../engine/decision-contract";

/** One side of a comparison. */
export interface ShadowSide {
  readonly policy: PolicyRef | null;
  readonly outcome: Outcome;
  readonly reasons: readonly string[];
  /** Set when this side's answer is a fail-closed deny (an evaluation error, a timeout, an ill-formed value). */
  readonly failure?: DecisionFailure;
}

/** The live answer and the candidate's for one decision. */
export interface ShadowComparison {
  readonly decisionId: string;
  readonly live: ShadowSide;
  readonly candidate: ShadowSide;
}

/** `live→candidate`, e.g. `allow→require_approval`; the key disagreements are counted and reported under. */
export type Transition = `${Outcome}→${Outcome}`;

/** The three outcomes, in the order summaries list them. */
export const OUTCOMES: readonly Outcome[] = ["allow", "require_approval", "deny"];

/** The name of a pair of outcomes. */
export function transitionOf(live: Outcome, candidate: Outcome): Transition {
  return `${live}→${candidate}`;
}

/** Whether the two answers agree: the same outcome (reasons may differ). */
export function agrees(c: ShadowComparison): boolean {
  return c.live.outcome === c.candidate.outcome;
}
