/**
 * Timing helpers for benchmarks: run a function in timed batches and report the median per-call time.
 *
 * Benchmarks report ratios against a baseline measured in the same run, never absolute thresholds.
 */

import * as fs from "node:fs";

/** Median nanoseconds per call over `rounds` batches of `batch` calls, after a warm-up. */
export function nsPerCall(fn: () => unknown, batch: number, rounds = 7): number {
  for (let i = 0; i < batch; i++) fn();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    samples.push(Number(process.hrtime.bigint() - start) / batch);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** Median milliseconds of `rounds` runs of fn. */
export function msPerRun(fn: () => unknown, rounds = 5): number {
  fn();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** Formats a number with a fixed count of decimals. */
export function fmt(n: number, digits = 2): string {
  return n.toFixed(digits);
}

/** `used_memory` of a Redis, in bytes (NaN when the INFO reply has none). */
export async function usedMemory(redis: { info(section: string): Promise<string> }): Promise<number> {
  const m = /used_memory:(\d+)/.exec(await redis.info("memory"));
  return m === null ? Number.NaN : Number(m[1]);
}

/** CPU time (user + system) a process has used, in microseconds, from /proc; NaN elsewhere. */
export function processCpuMicros(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (USER_HZ, 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
}
