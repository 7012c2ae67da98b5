/**
 * The decide use case's audit sink (`DecisionAuditSink`, owned by `src/service/decide.ts`) over the trail:
 * every answer becomes a `decision` event, recorded before it is given.
 */

import type { DecisionAuditSink } from "../service/decide";
import type { DecisionEvent } from "../service/decision-response";
import { AuditError } from "./audit-error";
import { decisionEvent } from "./audit-event";
import type { AuditRecorder } from "./audit-trail";

/** Records each decision with `decisionEvent` (policy input and answer, masked by the trail). */
export function decisionAuditSink(recorder: AuditRecorder): DecisionAuditSink {
  return {
    record: (e: DecisionEvent) => {
      const d = e.decision;
      const approvalId = d.approval?.id ?? d.grant?.approval_id ?? d.break_glass?.review_id;
      const breakGlass = d.break_glass === undefined ? undefined : e.request.break_glass;
      return recorder.record(
        decisionEvent({
          decisionId: d.decision_id,
          caller: e.caller.id,
          input: e.input,
          outcome: d.outcome,
          reasons: d.reasons,
          result: d,
          policy: d.policy,
          mask: d.mask,
          ...(approvalId === undefined ? {} : { approvalId }),
          ...(breakGlass === undefined ? {} : { breakGlass: { justification: breakGlass.justification } }),
          ...(e.evaluated.failure === undefined
            ? {}
            : { failure: { code: e.evaluated.failure.code, message: e.evaluated.failure.message } }),
          evalNs: e.evaluated.evalNs,
        }),
      );
    },
  };
}

/** The sink of a service that has no trail (no Redis): every record fails, so every answer is a deny. */
export function unavailableAuditSink(why: string): DecisionAuditSink {
  return { record: () => Promise.reject(new AuditError("COUNTERSIGN_AUDIT_UNAVAILABLE", why)) };
}
