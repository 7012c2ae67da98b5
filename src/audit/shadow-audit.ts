/**
 * Shadow mode's disagreement recorder (`DisagreementRecorder`, owned by `src/shadow/shadow-runner.ts`) over
 * the trail: each disagreement becomes a `shadow.disagreement` event naming the decision id and both
 * answers, so an auditor finds it with `GET /v1/audit?type=shadow.disagreement` and the decision beside it.
 */

import type { ShadowComparison } from "../shadow/shadow-comparison";
import type { DisagreementRecorder } from "../shadow/shadow-runner";
import { shadowDisagreementEvent } from "./audit-event";
import type { AuditRecorder } from "./audit-trail";

/** Records each disagreement in the trail. */
export function shadowAuditRecorder(recorder: AuditRecorder): DisagreementRecorder {
  return {
    record: (c: ShadowComparison) =>
      recorder.record(shadowDisagreementEvent({ decisionId: c.decisionId, live: c.live, candidate: c.candidate })),
  };
}
