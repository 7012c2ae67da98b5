/**
 * Policy bundle changes into the trail: a listener on the policy source that records each bundle activated
 * (or replaced) and each bundle refused (the last good one keeps serving). A removed bundle is recorded as
 * refused with code COUNTERSIGN_BUNDLE_REMOVED, since nothing serves under its name any more.
 *
 * The source calls listeners synchronously, so recording runs in the background; a failure is reported to
 * `onError` (logged at error level by the composition root) and changes nothing about the policy served.
 */

import type { ActivatedEvent, PolicySourceListener, RefusedEvent, RemovedEvent } from "../engine/policy-source";
import { bundleActivatedEvent, bundleRefusedEvent, type AuditDraft } from "./audit-event";
import type { AuditRecorder } from "./audit-trail";

/** Records bundle events; `serving` names the revision serving under a bundle name, for refusals. */
export function bundleAuditListener(
  recorder: AuditRecorder,
  serving: (bundle: string) => string | undefined,
  onError: (err: unknown, draft: AuditDraft) => void,
): PolicySourceListener {
  const record = (draft: AuditDraft): void => {
    recorder.record(draft).catch((err: unknown) => onError(err, draft));
  };
  return {
    onActivated(e: ActivatedEvent): void {
      record(
        bundleActivatedEvent({
          bundle: e.bundle,
          revision: e.revision,
          ...(e.previousRevision === null ? {} : { previousRevision: e.previousRevision }),
        }),
      );
    },
    onRefused(e: RefusedEvent): void {
      const current = serving(e.bundle);
      record(
        bundleRefusedEvent({
          bundle: e.bundle,
          reason: { code: e.code, message: `${e.file}: ${e.reason}` },
          ...(current === undefined ? {} : { servingRevision: current }),
        }),
      );
    },
    onRemoved(e: RemovedEvent): void {
      record(
        bundleRefusedEvent({
          bundle: e.bundle,
          revision: e.revision,
          reason: { code: "COUNTERSIGN_BUNDLE_REMOVED", message: `${e.file} was removed; the bundle no longer serves` },
        }),
      );
    },
  };
}
