/**
 * Runs every YAML case under a directory and tallies the outcomes: the engine behind
 * `countersign conformance`.
 *
 * Cases run on a pool of worker threads with a time limit each when the compiled worker script is at
 * hand (the built CLI); otherwise (under ts-jest) they run in this thread, one after another.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CasePool } from "./case-pool";
import { runCase, type CaseOutcome, type CaseStatus } from "./case-runner";
import { loadCases, type LoadedCase } from "./test-case";

/** One case's result in a report. */
export interface CaseResult {
  readonly file: string;
  readonly index: number;
  readonly note: string;
  readonly status: CaseStatus;
  readonly reason: string;
  readonly durationMs: number;
}

/** The whole run. */
export interface SuiteReport {
  readonly dir: string;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly total: number;
  readonly results: readonly CaseResult[];
}

/** How to run the suite. */
export interface SuiteOptions {
  /** Only cases whose note or file path contains this text. */
  readonly filter?: string;
  /** Time limit per case (default 20 s). */
  readonly timeoutMs?: number;
  /** Worker threads (default: available cores, at most 8). */
  readonly concurrency?: number;
  /** Evaluate every case twice on one policy instance (see RunCaseOptions.reuse). */
  readonly reuse?: boolean;
  /** Called for each result, in case order. */
  readonly onResult?: (r: CaseResult) => void;
}

const DEFAULT_TIMEOUT_MS = 20_000;

/** Selects the cases the filter admits. */
export function selectCases(cases: readonly LoadedCase[], filter: string | undefined): LoadedCase[] {
  if (filter === undefined || filter === "") return [...cases];
  return cases.filter((c) => c.note.includes(filter) || c.file.includes(filter));
}

function workerScript(): string | null {
  if (!__filename.endsWith(".js")) return null;
  const file = path.join(__dirname, "case-worker.js");
  return fs.existsSync(file) ? file : null;
}

/** Runs the suite under dir and returns the tally; individual case failures never abort the run. */
export async function runSuite(dir: string, opts: SuiteOptions = {}): Promise<SuiteReport> {
  const cases = selectCases(loadCases(dir), opts.filter);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const script = workerScript();
  const size = Math.max(1, Math.min(opts.concurrency ?? Math.min(os.availableParallelism(), 8), cases.length));
  const pool =
    script === null || cases.length === 0
      ? null
      : new CasePool({ workerFile: script, size, timeoutMs, caseOptions: { reuse: opts.reuse === true } });

  const results: (CaseResult | undefined)[] = new Array(cases.length);
  let emitted = 0;
  const record = (i: number, r: CaseResult): void => {
    results[i] = r;
    while (emitted < results.length && results[emitted] !== undefined) opts.onResult?.(results[emitted++]!);
  };

  const runOne = async (c: LoadedCase): Promise<CaseOutcome> => {
    if (c.testCase === null) return { status: "fail", reason: c.problem ?? "malformed case" };
    return pool === null ? runCase(c.testCase, { reuse: opts.reuse === true }) : pool.run(c.testCase);
  };

  try {
    await Promise.all(
      cases.map(async (c, i) => {
        const started = Date.now();
        const outcome = await runOne(c);
        record(i, { file: c.file, index: c.index, note: c.note, ...outcome, durationMs: Date.now() - started });
      }),
    );
  } finally {
    await pool?.close();
  }

  const done = results as CaseResult[];
  const count = (s: CaseStatus): number => done.filter((r) => r.status === s).length;
  return { dir, passed: count("pass"), failed: count("fail"), skipped: count("skip"), total: done.length, results: done };
}
