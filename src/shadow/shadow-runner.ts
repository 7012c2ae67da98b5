/**
 * Shadow mode: every decision is evaluated a second time, on a candidate bundle, after the answer has
 * been given, and the two answers are compared, counted and (when they differ) recorded.
 *
 * It watches decisions as a DecisionObserver, so it never sees a decision before its answer is settled and
 * has no way to change it. `decided()` only puts the policy input in a bounded queue (constant time, no
 * evaluation); the queue is worked off in `setImmediate` turns of at most `batch` evaluations each, which
 * run after the answers of the current turn were written, and which let requests in between. When the queue
 * is full the decision is dropped and counted, so a slow candidate costs at most `capacity` queued inputs
 * and a share of CPU, never latency on the answer path beyond one push. Nothing it does throws into the
 * decide path; a failure of its own is counted (`skipped.error`) and logged.
 *
 * Each disagreement is handed to a recorder (the audit trail, as a `shadow.disagreement` event naming the
 * decision id and both answers); at most `maxRecordsInFlight` records wait at once, any more are counted
 * as unrecorded rather than queued without bound.
 */

import type { EvaluatedDecision } from "../engine/decision-contract";
import type { EngineLogger } from "../engine/engine-logger";
import type { DecisionEvent, DecisionObserver } from "../service/decision-response";
import type { PolicyInput } from "../service/policy-input";
import { AUDIT_UNAVAILABLE } from "../service/decide";
import { agrees, type ShadowComparison, type ShadowSide } from "./shadow-comparison";
import { ShadowTally, type SkipReason, type TallySummary } from "./shadow-tally";

/** The candidate as the runner needs it: evaluates the decision entrypoint, never throws, fails closed. */
export interface CandidatePolicy {
  /** The bundle name configured as the candidate (`bundles.shadow`). */
  readonly name: string;
  /** Whether a good load of the candidate exists now. */
  loaded(): boolean;
  decide(input: PolicyInput, decisionId: string): EvaluatedDecision;
}

/** Where disagreements are recorded (owned here; the audit trail implements it in `src/audit/shadow-audit.ts`). */
export interface DisagreementRecorder {
  /** Resolves once recorded; rejects when it cannot be. */
  record(c: ShadowComparison): Promise<unknown>;
}

/** Told about every comparison and every decision not compared (the Prometheus counters). */
export interface ShadowListener {
  compared?(c: ShadowComparison): void;
  dropped?(): void;
  skipped?(reason: SkipReason): void;
}

/** Queue length at most, by default. */
export const DEFAULT_SHADOW_QUEUE = 1024;
/** Evaluations per turn of the event loop, by default. */
export const DEFAULT_SHADOW_BATCH = 32;
/** Disagreement records waiting at once, by default. */
export const DEFAULT_MAX_RECORDS_IN_FLIGHT = 256;

/** How the runner is set up. */
export interface ShadowRunnerOptions {
  readonly candidate: CandidatePolicy;
  readonly recorder?: DisagreementRecorder;
  readonly listener?: ShadowListener;
  readonly logger: EngineLogger;
  readonly now?: () => Date;
  /** Most decisions waiting to be compared; more are dropped and counted. */
  readonly capacity?: number;
  readonly batch?: number;
  readonly maxRecordsInFlight?: number;
}

interface Job {
  readonly decisionId: string;
  readonly input: PolicyInput;
  readonly live: ShadowSide;
}

/** What `GET /v1/shadow` answers. */
export interface ShadowSummary extends TallySummary {
  readonly enabled: true;
  /** The configured candidate bundle name, and whether a good load of it exists. */
  readonly candidate_bundle: string;
  readonly candidate_loaded: boolean;
  readonly queue: { readonly length: number; readonly capacity: number };
}

/** The shadow evaluator: a DecisionObserver with a bounded queue worked off after the answers. */
export class ShadowRunner implements DecisionObserver {
  private readonly queue: Job[] = [];
  private head = 0;
  private scheduled = false;
  private readonly tally: ShadowTally;
  private readonly capacity: number;
  private readonly batch: number;
  private readonly maxInFlight: number;
  private inFlight = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly opts: ShadowRunnerOptions) {
    this.tally = new ShadowTally(opts.now ?? (() => new Date()));
    this.capacity = opts.capacity ?? DEFAULT_SHADOW_QUEUE;
    this.batch = opts.batch ?? DEFAULT_SHADOW_BATCH;
    this.maxInFlight = opts.maxRecordsInFlight ?? DEFAULT_MAX_RECORDS_IN_FLIGHT;
  }

  /** Queues the decision for comparison (or counts why not); never throws, never evaluates here. */
  decided(event: DecisionEvent): void {
    try {
      if (this.closed) return;
      const e = event.evaluated;
      // A deny for an unrecorded decision says nothing about the policy, and no entry names its id.
      if (e.failure?.code === AUDIT_UNAVAILABLE) return this.skip("not_recorded");
      if (this.length() >= this.capacity) {
        this.tally.droppedOne();
        this.opts.listener?.dropped?.();
        return;
      }
      const live: ShadowSide = {
        policy: e.policy,
        outcome: e.outcome,
        reasons: e.reasons,
        ...(e.failure === undefined ? {} : { failure: e.failure }),
      };
      this.queue.push({ decisionId: event.decision.decision_id, input: event.input, live });
      this.schedule();
    } catch {
      // Observers must not throw; the decision is simply not compared.
    }
  }

  /** The summary for auditors. */
  summary(): ShadowSummary {
    return {
      enabled: true,
      candidate_bundle: this.opts.candidate.name,
      candidate_loaded: this.opts.candidate.loaded(),
      queue: { length: this.length(), capacity: this.capacity },
      ...this.tally.summary(),
    };
  }

  /** Resolves once the queue is empty and no record is in flight (tests, shutdown). */
  idle(): Promise<void> {
    if (this.length() === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking decisions; resolves once what was queued is compared and recorded. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  /** Decisions waiting to be compared. */
  queueLength(): number {
    return this.length();
  }

  private length(): number {
    return this.queue.length - this.head;
  }

  private skip(reason: SkipReason): void {
    this.tally.skippedOne(reason);
    this.opts.listener?.skipped?.(reason);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  /** Compares up to `batch` queued decisions, then yields to the event loop. */
  private drain(): void {
    this.scheduled = false;
    const end = Math.min(this.queue.length, this.head + this.batch);
    while (this.head < end) {
      const job = this.queue[this.head]!;
      this.queue[this.head] = undefined as unknown as Job;
      this.head += 1;
      this.compare(job);
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 4096) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.length() > 0) this.schedule();
    else this.wakeIfIdle();
  }

  private compare(job: Job): void {
    try {
      const candidate = this.opts.candidate;
      if (!candidate.loaded()) return this.skip("candidate_missing");
      const d = candidate.decide(job.input, job.decisionId);
      const c: ShadowComparison = {
        decisionId: job.decisionId,
        live: job.live,
        candidate: { policy: d.policy, outcome: d.outcome, reasons: d.reasons, ...(d.failure === undefined ? {} : { failure: d.failure }) },
      };
      this.tally.compared(c);
      this.opts.listener?.compared?.(c);
      if (!agrees(c)) this.record(c);
    } catch (err) {
      this.skip("error");
      this.opts.logger.error("shadow: a comparison failed (the answer was not affected)", {
        decision_id: job.decisionId,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  private record(c: ShadowComparison): void {
    const recorder = this.opts.recorder;
    if (recorder === undefined) return;
    if (this.inFlight >= this.maxInFlight) {
      this.tally.recordSettled(false);
      return;
    }
    this.inFlight += 1;
    let settled: Promise<unknown>;
    try {
      settled = recorder.record(c);
    } catch (err) {
      settled = Promise.reject(err);
    }
    settled.then(
      () => this.settle(true),
      (err: unknown) => {
        this.settle(false);
        this.opts.logger.warn("shadow: a disagreement was not recorded in the audit trail", {
          decision_id: c.decisionId,
          error: err instanceof Error ? err.message : String(err),
        });
      },
    );
  }

  private settle(ok: boolean): void {
    this.inFlight -= 1;
    this.tally.recordSettled(ok);
    this.wakeIfIdle();
  }

  private wakeIfIdle(): void {
    if (this.length() !== 0 || this.inFlight !== 0) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
