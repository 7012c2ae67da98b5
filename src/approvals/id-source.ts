/**
 * Where new approval ids come from, injected so tests can pick them.
 */

import { randomBytes } from "node:crypto";

/** Makes unique, unguessable ids. */
export interface IdSource {
  newId(): string;
}

/** `apr_` followed by 128 random bits in hex. */
export const randomApprovalIds: IdSource = {
  newId: () => `apr_${randomBytes(16).toString("hex")}`,
};

/** Milliseconds since the epoch from a nanosecond clock (`src/policy/clock.ts`). */
export function millis(clock: { nowNs(): bigint }): number {
  return Number(clock.nowNs() / 1_000_000n);
}
