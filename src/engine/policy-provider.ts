/**
 * What the policy engine needs from wherever policies come from: the policy serving right now.
 *
 * Declared by the engine (the consumer); the bundle-directory and Rego-directory sources implement it.
 */

import type { ResultSet } from "../policy/compiled-policy";
import type { PolicyRef } from "./decision-contract";

/** A loaded, validated policy that can answer entrypoints. */
export interface ActivePolicy {
  /** Which bundle and revision this is. */
  readonly ref: PolicyRef;
  /** Entrypoints it serves, as `pkg/rule`. */
  readonly entrypoints: readonly string[];
  /** Whether it serves the entrypoint (`pkg/rule`). */
  hasEntrypoint(entrypoint: string): boolean;
  /**
   * Evaluates an entrypoint it serves. Throws PolicyEvalError when evaluation fails and PolicyError for
   * an unknown entrypoint or unusable input (see compiled-policy.ts).
   */
  evaluate(entrypoint: string, input: unknown): ResultSet;
}

/** The source of the policy that answers decisions. */
export interface PolicyProvider {
  /** The policy serving now, or null when none is loaded. Cheap: called on every decision. */
  active(): ActivePolicy | null;
}
