/**
 * BENCHMARK ONLY: a recorder that stores nothing, so `make bench` can measure the allow path without the
 * audit trail against the same path with it, in the same run.
 *
 * It is deliberately not reachable from configuration: a deployment that could switch its audit trail off
 * would not have one. Only the benchmark's own composition code constructs it.
 */

import type { AuditDraft } from "./audit-event";
import type { AuditReceipt, AuditRecorder } from "./audit-trail";
import { GENESIS_HASH } from "./chain";

/** Creates the benchmark-only recorder that drops every event and resolves at once. */
export function createBenchmarkOnlyNoopAuditRecorder(): AuditRecorder {
  let seq = 0;
  return {
    record(_draft: AuditDraft): Promise<AuditReceipt> {
      seq++;
      return Promise.resolve({ seq, hash: GENESIS_HASH, id: `${seq}-0`, timestamp: "" });
    },
  };
}
