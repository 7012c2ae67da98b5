/**
 * Timing helpers for benchmarks: run a function in timed batches and report the median per-call time.
 *
 * Benchmarks report ratios against a baseline measured in the same run, never absolute thresholds.
 */

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
