/**
 * `countersign bench <bundle | paths…> -e <entrypoint> [--input f.json] [--benchtime 1s | 1000x] [--count N]
 * [--format pretty|json]`: how long one evaluation of an entrypoint takes, as `opa bench` reports it.
 *
 * The policy is loaded once (as `eval` loads it) and evaluated over and over on the same instance, as the
 * service evaluates it: a warm-up, then evaluations until `--benchtime` has passed (or exactly N with `Nx`),
 * each timed. Printed: samples, ns/op and µs/op (mean), the median, p90 and p99, and the wasm heap bytes per
 * evaluation (`lastHeapBytes`: the input, its parse, the evaluation and the result text). JavaScript-side
 * allocations are not counted: V8 has no per-operation allocation counter, so there is no allocs/op. With
 * `--count N` the benchmark runs N times and prints each. An evaluation that fails stops the benchmark with
 * its error. Figures only.
 */

import { performance } from "node:perf_hooks";
import { PolicyError, toPolicyEvalError } from "../policy/policy-error";
import { CliError } from "./cli-error";
import type { CliIo } from "./cli-io";
import { loadForEvaluation, type EvalCommandOptions } from "./eval-command";

/** Options of `countersign bench`. */
export interface BenchCommandOptions extends EvalCommandOptions {
  /** `1s`, `500ms`, or `1000x` (exactly that many evaluations); default 1s. */
  readonly benchtime?: string;
  /** Repeat the benchmark this many times (default 1). */
  readonly count?: number;
  readonly format?: "pretty" | "json";
}

/** One benchmark's figures. */
export interface BenchResult {
  readonly samples: number;
  readonly ns_per_op: number;
  readonly us_per_op: number;
  readonly p50_ns: number;
  readonly p90_ns: number;
  readonly p99_ns: number;
  /** Wasm heap bytes per evaluation (null where the module does not tell). */
  readonly heap_bytes_per_op: number | null;
  /** Whether the entrypoint had a value (false: undefined) on the input. */
  readonly defined: boolean;
}

const WARMUP = 200;

/** Runs the benchmark and prints it. */
export async function runBenchCommand(paths: readonly string[], opts: BenchCommandOptions, io: CliIo): Promise<void> {
  const budget = parseBenchtime(opts.benchtime ?? "1s");
  const { policy, input } = await loadForEvaluation(paths, opts, io);
  const evaluate = (): number => {
    try {
      return policy.evaluate(opts.entrypoint, input).length;
    } catch (err) {
      const why = err instanceof PolicyError ? err.message : toPolicyEvalError(err).text;
      throw new CliError("COUNTERSIGN_CLI_BAD_INPUT", `evaluating ${opts.entrypoint} failed: ${why}`);
    }
  };
  const results: BenchResult[] = [];
  for (let run = 0; run < (opts.count ?? 1); run++) {
    for (let i = 0; i < WARMUP; i++) evaluate();
    const times: number[] = [];
    let defined = false;
    const started = performance.now();
    while (budget.kind === "iterations" ? times.length < budget.n : performance.now() - started < budget.ms) {
      const t0 = performance.now();
      defined = evaluate() > 0;
      times.push((performance.now() - t0) * 1e6);
    }
    const heap = policy.lastHeapBytes();
    results.push(figures(times, heap, defined));
  }
  if (opts.format === "json") {
    io.out(JSON.stringify(results.length === 1 ? results[0] : results, null, 2));
    return;
  }
  for (const r of results) for (const line of table(r)) io.out(line);
}

/** `1s`, `250ms`, `2m` or `500x`. */
export function parseBenchtime(text: string): { kind: "time"; ms: number } | { kind: "iterations"; n: number } {
  const m = /^(\d+(?:\.\d+)?)(x|ms|s|m)$/.exec(text.trim());
  if (m === null || Number(m[1]) <= 0)
    throw new CliError("COUNTERSIGN_CLI_USAGE", `--benchtime must be a duration (1s, 500ms, 2m) or a count (1000x), got '${text}'`);
  const n = Number(m[1]);
  if (m[2] === "x") {
    if (!Number.isInteger(n)) throw new CliError("COUNTERSIGN_CLI_USAGE", `--benchtime ${text}: a count must be whole`);
    return { kind: "iterations", n };
  }
  return { kind: "time", ms: m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : n * 60_000 };
}

function figures(times: number[], heap: number | undefined, defined: boolean): BenchResult {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  const mean = times.reduce((a, b) => a + b, 0) / Math.max(1, times.length);
  return {
    samples: times.length,
    ns_per_op: Math.round(mean),
    us_per_op: Math.round(mean / 10) / 100,
    p50_ns: at(0.5),
    p90_ns: at(0.9),
    p99_ns: at(0.99),
    heap_bytes_per_op: heap ?? null,
    defined,
  };
}

function table(r: BenchResult): string[] {
  const rows: [string, string][] = [
    ["samples", String(r.samples)],
    ["ns/op", String(r.ns_per_op)],
    ["µs/op", r.us_per_op.toFixed(2)],
    ["p50 ns/op", String(r.p50_ns)],
    ["p90 ns/op", String(r.p90_ns)],
    ["p99 ns/op", String(r.p99_ns)],
    ["wasm heap B/op", r.heap_bytes_per_op === null ? "n/a" : String(r.heap_bytes_per_op)],
    ["result", r.defined ? "defined" : "undefined"],
  ];
  const w0 = Math.max(...rows.map(([a]) => a.length));
  const w1 = Math.max(...rows.map(([, b]) => b.length));
  const rule = `+${"-".repeat(w0 + 2)}+${"-".repeat(w1 + 2)}+`;
  return [rule, ...rows.map(([a, b]) => `| ${a.padEnd(w0)} | ${b.padStart(w1)} |`), rule];
}
