/**
 * Replay: the recorded decisions of the audit trail evaluated again on a candidate bundle, and what would
 * change, counted by `recorded→candidate` with example decision ids.
 *
 * Each decision is evaluated on the input the trail holds, its `now` included, so time-dependent rules see
 * the decision's own time. Values the trail holds only as digests (the policy's `mask` pointers and
 * secret-named members) cannot be replayed: a decision with such a value that a candidate rule may read
 * (`input-reads.ts`) is reported as not replayable, naming the value and the rules, and left out of the
 * change counts. A decision whose masked values no rule reads is replayed as any other.
 */

import type { EvaluatedDecision, Outcome } from "../engine/decision-contract";
import { mayRead, pointerSegments, type InputReads } from "./input-reads";
import type { RecordedDecision } from "./recorded-decision";

/** How many example decision ids are kept per row. */
export const REPLAY_EXAMPLES = 3;

/** The candidate as replay needs it (a PolicyEngine over the loaded bundle: never throws, fails closed). */
export type CandidateDecide = (input: unknown, decisionId: string) => EvaluatedDecision;

/** One row of the report. */
export interface ReplayRow {
  readonly count: number;
  readonly examples: readonly string[];
}

/** A decision left out because the candidate may read a value held only as a digest. */
export interface NotReplayableRow extends ReplayRow {
  /** The masked pointer and the candidate rules that may read it. */
  readonly pointer: string;
  readonly rules: readonly string[];
}

/** What replay found. */
export interface ReplayReport {
  /** Decisions read from the trail in range. */
  readonly decisions: number;
  readonly replayed: number;
  readonly unchanged: number;
  readonly changed: number;
  /** By `recorded→candidate`, sorted. */
  readonly changes: Readonly<Record<string, ReplayRow>>;
  /** By masked pointer. */
  readonly notReplayable: readonly NotReplayableRow[];
  readonly notReplayableTotal: number;
  /** Candidate answers that were fail-closed denies, by code. */
  readonly candidateFailures: Readonly<Record<string, number>>;
  /** Recorded decisions by the bundle revision that answered them (`name@revision`). */
  readonly recordedUnder: Readonly<Record<string, number>>;
  /** Seq and time of the first and last decision replayed. */
  readonly first: { readonly seq: number | null; readonly timestamp: string } | null;
  readonly last: { readonly seq: number | null; readonly timestamp: string } | null;
  /** Why masked reads could not be analysed (every decision with a masked value is then not replayable). */
  readonly analysisProblem?: string;
}

/** Accumulates a replay, one recorded decision at a time. */
export class Replay {
  private decisions = 0;
  private unchanged = 0;
  private readonly changes = new Map<string, { count: number; examples: string[] }>();
  private readonly notReplayable = new Map<string, { count: number; examples: string[]; rules: Set<string> }>();
  private notReplayableTotal = 0;
  private readonly failures: Record<string, number> = {};
  private readonly recordedUnder: Record<string, number> = {};
  private first: ReplayReport["first"] = null;
  private last: ReplayReport["last"] = null;

  constructor(
    private readonly candidate: CandidateDecide,
    private readonly reads: InputReads,
  ) {}

  /** Replays one recorded decision. */
  add(d: RecordedDecision): void {
    this.decisions += 1;
    const at = { seq: d.seq, timestamp: d.timestamp };
    this.first ??= at;
    this.last = at;
    for (const [name, revision] of Object.entries(d.bundles))
      this.recordedUnder[`${name}@${revision}`] = (this.recordedUnder[`${name}@${revision}`] ?? 0) + 1;
    if (Object.keys(d.bundles).length === 0) this.recordedUnder["(no bundle)"] = (this.recordedUnder["(no bundle)"] ?? 0) + 1;

    const blocking = this.maskedReads(d.masked);
    if (blocking.length > 0) {
      this.notReplayableTotal += 1;
      for (const { pointer, rules } of blocking) {
        let row = this.notReplayable.get(pointer);
        if (row === undefined) this.notReplayable.set(pointer, (row = { count: 0, examples: [], rules: new Set() }));
        row.count += 1;
        if (row.examples.length < REPLAY_EXAMPLES) row.examples.push(d.decisionId);
        for (const r of rules) row.rules.add(r);
      }
      return;
    }
    const answer = this.candidate(d.input, d.decisionId);
    if (answer.failure !== undefined) this.failures[answer.failure.code] = (this.failures[answer.failure.code] ?? 0) + 1;
    if (answer.outcome === d.outcome) {
      this.unchanged += 1;
      return;
    }
    const key = transition(d.outcome, answer.outcome);
    let row = this.changes.get(key);
    if (row === undefined) this.changes.set(key, (row = { count: 0, examples: [] }));
    row.count += 1;
    if (row.examples.length < REPLAY_EXAMPLES) row.examples.push(d.decisionId);
  }

  /** The report so far. */
  report(): ReplayReport {
    const changes: Record<string, ReplayRow> = {};
    let changed = 0;
    for (const k of [...this.changes.keys()].sort()) {
      const r = this.changes.get(k)!;
      changes[k] = { count: r.count, examples: [...r.examples] };
      changed += r.count;
    }
    return {
      decisions: this.decisions,
      replayed: this.unchanged + changed,
      unchanged: this.unchanged,
      changed,
      changes,
      notReplayable: [...this.notReplayable.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([pointer, r]) => ({ pointer, count: r.count, examples: [...r.examples], rules: [...r.rules].sort() })),
      notReplayableTotal: this.notReplayableTotal,
      candidateFailures: { ...this.failures },
      recordedUnder: { ...this.recordedUnder },
      first: this.first,
      last: this.last,
      ...(this.reads.ok ? {} : { analysisProblem: this.reads.why }),
    };
  }

  /** The masked pointers of a decision that the candidate may read, with the rules that may. */
  private maskedReads(masked: readonly string[]): { pointer: string; rules: string[] }[] {
    const out: { pointer: string; rules: string[] }[] = [];
    for (const pointer of masked) {
      if (!this.reads.ok) {
        out.push({ pointer, rules: ["(unknown: " + this.reads.why + ")"] });
        continue;
      }
      const segments = pointerSegments(pointer);
      const rules = [...new Set(this.reads.reads.filter((r) => mayRead(r, segments)).map((r) => `${r.rule} (${r.file}:${r.line})`))];
      if (rules.length > 0) out.push({ pointer, rules });
    }
    return out;
  }
}

/** `allow→require_approval`. */
export function transition(from: Outcome, to: Outcome): string {
  return `${from}→${to}`;
}
