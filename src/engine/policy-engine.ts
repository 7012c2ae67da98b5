/**
 * The policy engine: evaluates `countersign/decision` on the serving policy and answers with a validated
 * decision, or a fail-closed `deny` that says why. Synchronous, and it never throws.
 *
 * Time budget: a WebAssembly evaluation runs to completion on the calling thread and cannot be
 * interrupted in-process. The engine therefore measures every evaluation and treats one that took longer
 * than the budget as a failure (COUNTERSIGN_POLICY_TIMEOUT, deny, logged) even though it did finish: the
 * caller gets no slower than the evaluation itself, but never an answer from a policy running outside its
 * budget. A policy that loops forever would still hang the process; the compiled Rego subset has no
 * unbounded loops, and the evaluation latency metric shows slow policies before they reach the budget.
 */

import { performance } from "node:perf_hooks";
import { normalizeEntrypoint } from "../bundle/bundle";
import type { ResultSet } from "../policy/compiled-policy";
import { PolicyError, toPolicyEvalError } from "../policy/policy-error";
import { DECISION_ENTRYPOINT } from "../bundle/bundle-build";
import type { EvaluatedDecision, PolicyRef } from "./decision-contract";
import { failClosed, type DecisionFailureCode, type TypedDecisionFailure } from "./decision-failure";
import { validateDecision } from "./decision-validator";
import { silentLogger, type EngineLogger, type LogFields } from "./engine-logger";
import type { InputTexts } from "./input-texts";
import type { ActivePolicy, PolicyProvider } from "./policy-provider";

/** A monotonic clock in milliseconds with sub-millisecond precision (`performance` is one). */
export interface MonotonicTimer {
  now(): number;
}

/** The budget when none is configured. */
export const DEFAULT_TIMEOUT_MS = 100;

/** How the engine behaves. */
export interface PolicyEngineOptions {
  /** Longest an evaluation may take before its answer is replaced by a deny (default 100 ms). */
  readonly timeoutMs?: number;
  /** Where fail-closed decisions are logged (at error level). */
  readonly logger?: EngineLogger;
  /** Measures evaluations (default `performance`). */
  readonly timer?: MonotonicTimer;
  /**
   * Decision inputs' JSON texts shared with other engines that decide on the same input objects (the live
   * policy and the shadow candidate): each input is serialised once, so it must not change after `decide`.
   */
  readonly inputTexts?: InputTexts;
}

/** What evaluating an optional entrypoint gave. */
export type EntrypointEvaluation =
  /** The serving policy does not define the entrypoint: callers treat this as "no restriction". */
  | { readonly kind: "absent"; readonly policy: PolicyRef }
  /** The entrypoint exists but is undefined for this input. */
  | { readonly kind: "undefined"; readonly policy: PolicyRef; readonly evalNs: number }
  /** The entrypoint's value (plain JSON). */
  | { readonly kind: "value"; readonly value: unknown; readonly policy: PolicyRef; readonly evalNs: number }
  /** No policy, an evaluation error, or the budget exceeded: callers must fail closed. */
  | { readonly kind: "failure"; readonly failure: TypedDecisionFailure; readonly policy: PolicyRef | null; readonly evalNs: number };

/** Outcome of one timed evaluation. */
type Timed =
  | { readonly ok: true; readonly rs: ResultSet; readonly evalNs: number }
  | { readonly ok: false; readonly failure: TypedDecisionFailure; readonly evalNs: number };

/** Evaluates decisions on whatever the provider serves at the moment of the call. */
export class PolicyEngine {
  private readonly timeoutNs: number;
  private readonly timeoutMs: number;
  private readonly logger: EngineLogger;
  private readonly timer: MonotonicTimer;
  private readonly inputTexts: InputTexts | undefined;

  constructor(
    private readonly provider: PolicyProvider,
    opts: PolicyEngineOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.timeoutNs = this.timeoutMs * 1e6;
    this.logger = opts.logger ?? silentLogger;
    this.timer = opts.timer ?? performance;
    this.inputTexts = opts.inputTexts;
  }

  /**
   * Decides on a request. `input` is any JSON-serialisable value, or a RawJson holding JSON text, which is
   * handed to the policy without re-serialising. `logFields` (the decision id, say) are added to the error
   * logged for a fail-closed answer.
   */
  decide(input: unknown, logFields?: LogFields): EvaluatedDecision {
    const policy = this.provider.active();
    if (policy === null) {
      return this.failed("COUNTERSIGN_POLICY_MISSING", "no policy bundle is loaded", null, 0, logFields);
    }
    const run = this.timed(policy, DECISION_ENTRYPOINT, input, this.inputTexts);
    if (!run.ok) return this.failed(run.failure.code, run.failure.message, policy.ref, run.evalNs, logFields);
    const { rs, evalNs } = run;
    if (rs.length === 0) {
      return this.failed(
        "COUNTERSIGN_POLICY_UNDEFINED",
        `the policy's ${DECISION_ENTRYPOINT} is undefined for this request`,
        policy.ref,
        evalNs,
        logFields,
      );
    }
    if (rs.length > 1) {
      return this.failed(
        "COUNTERSIGN_POLICY_ILL_FORMED",
        `policy returned an ill-formed decision: ${rs.length} results instead of one`,
        policy.ref,
        evalNs,
        logFields,
      );
    }
    const checked = validateDecision(rs[0]!["result"]);
    if (!checked.ok) {
      return this.failed(
        "COUNTERSIGN_POLICY_ILL_FORMED",
        `policy returned an ill-formed decision: ${checked.problem}`,
        policy.ref,
        evalNs,
        logFields,
      );
    }
    const d = checked.decision;
    return {
      outcome: d.outcome,
      reasons: d.reasons,
      ...(d.approval === undefined ? {} : { approval: d.approval }),
      mask: d.mask,
      ...(d.rule === undefined ? {} : { rule: d.rule }),
      policy: policy.ref,
      evalNs,
    };
  }

  /**
   * Evaluates an optional entrypoint (`pkg/rule` or `data.pkg.rule`, e.g. `countersign/reviewer`) on the
   * serving policy, under the same budget. Never throws.
   */
  evaluateEntrypoint(entrypoint: string, input: unknown, logFields?: LogFields): EntrypointEvaluation {
    const name = normalizeEntrypoint(entrypoint);
    const policy = this.provider.active();
    if (policy === null) {
      const failure = this.logFailure("COUNTERSIGN_POLICY_MISSING", "no policy bundle is loaded", null, 0, {
        entrypoint: name,
        ...logFields,
      });
      return { kind: "failure", failure, policy: null, evalNs: 0 };
    }
    if (!policy.hasEntrypoint(name)) return { kind: "absent", policy: policy.ref };
    const run = this.timed(policy, name, input, undefined);
    if (!run.ok) {
      const failure = this.logFailure(run.failure.code, run.failure.message, policy.ref, run.evalNs, { entrypoint: name, ...logFields });
      return { kind: "failure", failure, policy: policy.ref, evalNs: run.evalNs };
    }
    if (run.rs.length === 0) return { kind: "undefined", policy: policy.ref, evalNs: run.evalNs };
    return { kind: "value", value: run.rs[0]!["result"], policy: policy.ref, evalNs: run.evalNs };
  }

  /**
   * Evaluates and measures; an error or an overrun becomes a failure. `texts`, when given, supplies (or keeps)
   * the input's JSON text: only decisions' inputs are shared, as only they are evaluated twice.
   */
  private timed(policy: ActivePolicy, entrypoint: string, input: unknown, texts: InputTexts | undefined): Timed {
    const start = this.timer.now();
    let rs: ResultSet;
    try {
      rs = policy.evaluate(entrypoint, texts === undefined ? input : texts.of(input));
    } catch (err) {
      const evalNs = this.elapsedNs(start);
      const why = err instanceof PolicyError ? err.message : toPolicyEvalError(err).text;
      return { ok: false, failure: { code: "COUNTERSIGN_POLICY_ERROR", message: `policy evaluation failed: ${why}` }, evalNs };
    }
    const evalNs = this.elapsedNs(start);
    if (evalNs > this.timeoutNs) {
      const ms = (evalNs / 1e6).toFixed(1);
      return {
        ok: false,
        failure: { code: "COUNTERSIGN_POLICY_TIMEOUT", message: `policy evaluation took ${ms} ms, over its ${this.timeoutMs} ms budget` },
        evalNs,
      };
    }
    return { ok: true, rs, evalNs };
  }

  private elapsedNs(start: number): number {
    return Math.round((this.timer.now() - start) * 1e6);
  }

  private failed(
    code: DecisionFailureCode,
    message: string,
    policy: PolicyRef | null,
    evalNs: number,
    logFields: LogFields | undefined,
  ): EvaluatedDecision {
    this.logFailure(code, message, policy, evalNs, logFields);
    return failClosed(code, message, policy, evalNs);
  }

  private logFailure(
    code: DecisionFailureCode,
    message: string,
    policy: PolicyRef | null,
    evalNs: number,
    logFields: LogFields | undefined,
  ): TypedDecisionFailure {
    try {
      this.logger.error(`policy failed closed: ${message}`, {
        code,
        bundle: policy?.bundle ?? null,
        revision: policy?.revision ?? null,
        evalNs,
        ...logFields,
      });
    } catch {
      // A broken logger must not turn a deny into an exception.
    }
    return { code, message };
  }
}
