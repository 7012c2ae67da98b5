/**
 * The clock policies read through `time.now_ns`, injected so tests and replays control time.
 */

/** A source of the current time in nanoseconds since the Unix epoch. */
export interface Clock {
  nowNs(): bigint;
}

/** The system clock (millisecond resolution, as Date gives). */
export const systemClock: Clock = {
  nowNs: () => BigInt(Date.now()) * 1_000_000n,
};

/** A clock that always reads the given instant. */
export function fixedClock(ns: bigint): Clock {
  return { nowNs: () => ns };
}
