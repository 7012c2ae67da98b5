/**
 * The approval workflow's events into the trail: a listener on the `ApprovalEventBus` that records each
 * request's creation, every verdict (with the channel it came from, `api` or `teams`), every refused verdict
 * (with the refusal's code and text), the final state, and each grant issued, redeemed or refused.
 *
 * Listeners are awaited by the bus, so a verdict is answered only after its event is stored (or its failure
 * reported to the bus, which logs it at error level; the verdict itself has already been committed). Once an
 * event is stored, the journal entries that stood for it are deleted (`approvals/approval-journal.ts`); an
 * event that could not be stored keeps them, and the recovery pass records it later.
 * The subject fields (actor, on_behalf_of, action) are left out when the request's policy masks them.
 */

import type { ApprovalEvent, ApprovalEventListener } from "../approvals/approval-events";
import type { ApprovalRequest } from "../approvals/approval-request";
import { pointerCovers } from "../json/json-pointer";
import {
  approvalCreatedEvent,
  approvalEscalatedEvent,
  approvalFinalEvent,
  approvalRemindedEvent,
  approvalVerdictEvent,
  approvalVerdictRefusedEvent,
  approvalWithdrawnEvent,
  grantIssuedEvent,
  grantRedeemedEvent,
  grantRefusedEvent,
  type AuditDraft,
  type GrantRefusal,
  type SubjectInput,
} from "./audit-event";
import type { AuditRecorder } from "./audit-trail";

/** What the listener needs of the approval journal: deleting the entries of recorded events. */
export interface JournalAck {
  ack(entryIds: readonly string[]): Promise<void>;
}

/** Records approval and grant events in the trail; rejects (to the bus) when one cannot be stored. */
export function approvalAuditListener(recorder: AuditRecorder, journal?: JournalAck): ApprovalEventListener {
  return {
    async onApprovalEvent(event: ApprovalEvent): Promise<void> {
      const draft = approvalAuditDraft(event);
      if (draft !== null) await recorder.record(draft);
      const entries = "journal" in event ? event.journal : undefined;
      if (journal !== undefined && entries !== undefined && entries.length > 0) await journal.ack(entries);
    },
  };
}

/** The audit event for an approval event, flagged when the recovery pass delivers it. */
export function approvalAuditDraft(event: ApprovalEvent): AuditDraft | null {
  const draft = baseDraft(event);
  if (draft === null || !("recovered" in event) || event.recovered !== true) return draft;
  return { ...draft, body: { ...draft.body, recovered: true } } as AuditDraft;
}

/** The audit event for an approval event; null for events the trail does not keep (callback deliveries). */
function baseDraft(event: ApprovalEvent): AuditDraft | null {
  switch (event.type) {
    case "approval.created": {
      const a = event.approval;
      return approvalCreatedEvent({
        approvalId: a.id,
        decisionId: a.decisionId,
        caller: a.requesters.callerId,
        ...subjectOf(a),
        actionDigest: a.actionDigest,
        quorum: a.requirements.quorum,
        reviewers: a.requirements.reviewers,
        expiresAt: new Date(a.expiresAt).toISOString(),
        ...(a.policy === null ? {} : { policy: a.policy }),
      });
    }
    case "approval.withdrawn":
      return approvalWithdrawnEvent({
        approvalId: event.approval.id,
        decisionId: event.approval.decisionId,
        caller: event.approval.requesters.callerId,
        reason: event.reason,
        ...subjectOf(event.approval),
      });
    case "approval.verdict":
      return approvalVerdictEvent({
        approvalId: event.approval.id,
        reviewer: event.verdict.reviewerId,
        channel: event.verdict.channel,
        verdict: event.verdict.verdict,
        ...(event.verdict.comment === undefined ? {} : { comment: event.verdict.comment }),
        ...(event.verdict.shown === undefined ? {} : { shown: event.verdict.shown }),
        ...subjectOf(event.approval),
      });
    case "approval.verdict_refused":
      return approvalVerdictRefusedEvent({
        approvalId: event.approvalId,
        reviewer: event.reviewerId,
        channel: event.channel,
        ...(event.verdict === "approve" || event.verdict === "deny" ? { verdict: event.verdict } : {}),
        reason: { code: event.code, message: event.reason },
        ...(event.approval === undefined ? {} : subjectOf(event.approval)),
      });
    case "approval.finalized": {
      const a = event.approval;
      const deniers = a.verdicts.filter((v) => v.verdict === "deny").map((v) => v.reviewerId);
      return approvalFinalEvent({
        approvalId: a.id,
        outcome: event.status,
        approvers: a.verdicts.filter((v) => v.verdict === "approve").map((v) => v.reviewerId),
        ...(deniers.length === 0 ? {} : { deniers }),
        ...(a.cancellation === undefined ? {} : { by: a.cancellation.by }),
        ...subjectOf(a),
      });
    }
    case "approval.reminded":
      return approvalRemindedEvent({ approvalId: event.approval.id, reminder: event.reminder, ...subjectOf(event.approval) });
    case "approval.escalated": {
      const rung = event.approval.requirements.escalate?.[event.level - 1];
      return approvalEscalatedEvent({
        approvalId: event.approval.id,
        level: event.level,
        ...(rung?.roles === undefined ? {} : { roles: rung.roles }),
        ...(rung?.channel === undefined ? {} : { channel: rung.channel }),
        ...subjectOf(event.approval),
      });
    }
    case "grant.issued":
      return grantIssuedEvent({
        grantId: event.jti,
        approvalId: event.approvalId,
        actionDigest: event.actionDigest,
        approvers: event.approvers,
        expiresAt: new Date(event.expiresAt).toISOString(),
        ...(event.maxUses === undefined ? {} : { uses: event.maxUses }),
        actor: event.actorId,
      });
    case "grant.redeemed":
      return grantRedeemedEvent({
        grantId: event.jti,
        approvalId: event.approvalId,
        caller: event.caller ?? "unknown",
        via: event.via ?? "redeem",
        ...(event.decisionId === undefined ? {} : { decisionId: event.decisionId }),
        ...(event.use === undefined ? {} : { use: event.use }),
        ...(event.maxUses === undefined ? {} : { uses: event.maxUses }),
        actor: event.actorId,
      });
    case "grant.redemption_refused":
      return grantRefusedEvent({
        reason: GRANT_REFUSALS[event.code] ?? "invalid",
        message: event.reason,
        caller: event.caller ?? "unknown",
        via: event.via ?? "redeem",
        ...(event.jti === undefined ? {} : { grantId: event.jti }),
        ...(event.approvalId === undefined ? {} : { approvalId: event.approvalId }),
        ...(event.decisionId === undefined ? {} : { decisionId: event.decisionId }),
      });
    default:
      return null;
  }
}

const GRANT_REFUSALS: Readonly<Record<string, GrantRefusal>> = {
  COUNTERSIGN_GRANT_REPLAYED: "replay",
  COUNTERSIGN_GRANT_MISMATCH: "mismatch",
  COUNTERSIGN_GRANT_EXPIRED: "expired",
  COUNTERSIGN_GRANT_INVALID: "invalid",
};

/** Who asked for what, leaving out what the request's policy masks. */
function subjectOf(a: ApprovalRequest): SubjectInput {
  const shown = (pointer: string, value: unknown): string | undefined =>
    typeof value === "string" && !a.mask.some((p) => pointerCovers(p, pointer)) ? value : undefined;
  const actor = shown("/actor/id", a.request.actor.id);
  const onBehalfOf = shown("/actor/on_behalf_of", a.request.actor.on_behalf_of);
  const action = shown("/action/name", a.request.action.name);
  return {
    ...(actor === undefined ? {} : { actor }),
    ...(onBehalfOf === undefined ? {} : { onBehalfOf }),
    ...(action === undefined ? {} : { action }),
  };
}
