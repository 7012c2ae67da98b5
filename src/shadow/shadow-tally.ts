/**
 * The running summary of shadow mode that `GET /v1/shadow` shows: agreements, each kind of disagreement
 * with a few example decision ids, and what was not compared (dropped when the queue was full, skipped
 * because no candidate was loaded or the decision was never recorded).
 *
 * The summary speaks for one pair of revisions: when the live or the candidate revision changes it starts
 * again (`since`), so an auditor never reads figures that mix two candidates. The Prometheus counters
 * (`shadow-metrics.ts`) keep counting across revisions, as counters must.
 */

import type { PolicyRef } from "../engine/decision-contract";
import { agrees, transitionOf, type ShadowComparison, type Transition } from "./shadow-comparison";

/** How many example decision ids are kept per kind of disagreement (the most recent ones). */
export const EXAMPLES_PER_TRANSITION = 5;

/** Why a decision was not compared. */
export type SkipReason = "candidate_missing" | "not_recorded" | "error";

/** One kind of disagreement in the summary. */
export interface DisagreementSummary {
  readonly count: number;
  /** The most recent decision ids of this kind, newest last. */
  readonly examples: readonly string[];
}

/** What `GET /v1/shadow` answers (besides the configuration and the queue). */
export interface TallySummary {
  /** RFC 3339: when these figures started (service start, or the last change of revisions). */
  readonly since: string;
  readonly live: PolicyRef | null;
  readonly candidate: PolicyRef | null;
  /** Decisions compared (agreements + disagreements). */
  readonly compared: number;
  readonly agreements: number;
  /** Disagreements in total, and by `live→candidate`. */
  readonly disagreements: number;
  readonly by_transition: Readonly<Partial<Record<Transition, DisagreementSummary>>>;
  /** Comparisons whose candidate answer was a fail-closed deny, by failure code. */
  readonly candidate_failures: Readonly<Record<string, number>>;
  /** Decisions not compared because the queue was full. */
  readonly dropped: number;
  readonly skipped: Readonly<Record<SkipReason, number>>;
  /** Disagreements recorded in the audit trail, and those that could not be (trail down, too many in flight). */
  readonly recorded: number;
  readonly unrecorded: number;
}

/** Counts comparisons for the current pair of revisions. */
export class ShadowTally {
  private since: Date;
  private live: PolicyRef | null = null;
  private candidate: PolicyRef | null = null;
  private agreements = 0;
  private readonly transitions = new Map<Transition, { count: number; examples: string[] }>();
  private readonly failures: Record<string, number> = {};
  private dropped = 0;
  private skipped: Record<SkipReason, number> = { candidate_missing: 0, not_recorded: 0, error: 0 };
  private recorded = 0;
  private unrecorded = 0;

  constructor(private readonly now: () => Date) {
    this.since = now();
  }

  /** Counts one comparison; starts over first when its revisions differ from the ones counted so far. */
  compared(c: ShadowComparison): void {
    this.follow(c.live.policy, c.candidate.policy);
    if (c.candidate.failure !== undefined) this.failures[c.candidate.failure.code] = (this.failures[c.candidate.failure.code] ?? 0) + 1;
    if (agrees(c)) {
      this.agreements += 1;
      return;
    }
    const key = transitionOf(c.live.outcome, c.candidate.outcome);
    let t = this.transitions.get(key);
    if (t === undefined) this.transitions.set(key, (t = { count: 0, examples: [] }));
    t.count += 1;
    t.examples.push(c.decisionId);
    if (t.examples.length > EXAMPLES_PER_TRANSITION) t.examples.shift();
  }

  /** A decision dropped because the queue was full. */
  droppedOne(): void {
    this.dropped += 1;
  }

  /** A decision not compared. */
  skippedOne(reason: SkipReason): void {
    this.skipped[reason] += 1;
  }

  /** A disagreement's record settled. */
  recordSettled(ok: boolean): void {
    if (ok) this.recorded += 1;
    else this.unrecorded += 1;
  }

  /** The figures now. */
  summary(): TallySummary {
    const byTransition: Partial<Record<Transition, DisagreementSummary>> = {};
    let disagreements = 0;
    for (const [k, t] of [...this.transitions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      byTransition[k] = { count: t.count, examples: [...t.examples] };
      disagreements += t.count;
    }
    return {
      since: this.since.toISOString(),
      live: this.live,
      candidate: this.candidate,
      compared: this.agreements + disagreements,
      agreements: this.agreements,
      disagreements,
      by_transition: byTransition,
      candidate_failures: { ...this.failures },
      dropped: this.dropped,
      skipped: { ...this.skipped },
      recorded: this.recorded,
      unrecorded: this.unrecorded,
    };
  }

  private follow(live: PolicyRef | null, candidate: PolicyRef | null): void {
    const same = (a: PolicyRef | null, b: PolicyRef | null): boolean => a?.bundle === b?.bundle && a?.revision === b?.revision;
    if (same(live, this.live) && same(candidate, this.candidate)) return;
    const first = this.live === null && this.candidate === null && this.agreements === 0 && this.transitions.size === 0;
    this.live = live;
    this.candidate = candidate;
    if (first) return;
    this.since = this.now();
    this.agreements = 0;
    this.transitions.clear();
    for (const k of Object.keys(this.failures)) delete this.failures[k];
    this.dropped = 0;
    this.skipped = { candidate_missing: 0, not_recorded: 0, error: 0 };
    this.recorded = 0;
    this.unrecorded = 0;
  }
}
