/**
 * A recorder that stores nothing, so `make bench` can measure the allow path without the audit trail against
 * the same path with it, in the same run.
 *
 * It lives with the benchmark, not in src: a deployment that could switch its audit trail off would not
 * have one. The benchmark hands it to `assembleService` as the `auditRecorder` part.
 */

import type { AuditDraft } from "../../src/audit/audit-event";
import type { AuditReceipt, AuditRecorder } from "../../src/audit/audit-trail";
import { GENESIS_HASH } from "../../src/audit/chain";

/** A recorder that drops every event and resolves at once. */
export function createNoopAuditRecorder(): AuditRecorder {
  let seq = 0;
  return {
    record(_draft: AuditDraft): Promise<AuditReceipt> {
      seq++;
      return Promise.resolve({ seq, hash: GENESIS_HASH, id: `${seq}-0`, timestamp: "" });
    },
  };
}
