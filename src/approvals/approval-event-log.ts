/**
 * The approval workflow's log: one structured line per workflow event (created, verdict recorded or
 * refused, finalized, grant issued, redeemed or refused, callback delivered or failed), carrying ids,
 * identities, statuses and codes, never the request body, a comment or a grant token.
 */

import type { ApprovalEvent, ApprovalEventListener } from "./approval-events";

/** The few logger methods used (winston's logger is one). */
export interface EventLogger {
  info(message: string, fields?: Record<string, unknown>): unknown;
  warn(message: string, fields?: Record<string, unknown>): unknown;
}

/** A listener that logs every workflow event. */
export function approvalEventLog(logger: EventLogger): ApprovalEventListener {
  return {
    onApprovalEvent(event: ApprovalEvent): void {
      switch (event.type) {
        case "approval.created":
          logger.info("approval created", {
            approval_id: event.approval.id,
            decision_id: event.approval.decisionId,
            caller: event.approval.requesters.callerId,
            actor: event.approval.requesters.actorId,
            action: event.approval.request.action.name,
            expires_at: new Date(event.approval.expiresAt).toISOString(),
          });
          return;
        case "approval.verdict":
          logger.info("approval verdict recorded", {
            approval_id: event.approval.id,
            reviewer: event.verdict.reviewerId,
            verdict: event.verdict.verdict,
            channel: event.verdict.channel,
            status: event.approval.status,
          });
          return;
        case "approval.verdict_refused":
          logger.warn("approval verdict refused", {
            approval_id: event.approvalId,
            reviewer: event.reviewerId,
            channel: event.channel,
            code: event.code,
            reason: event.reason,
          });
          return;
        case "approval.finalized":
          logger.info(`approval ${event.status}`, { approval_id: event.approval.id, status: event.status, cause: event.cause });
          return;
        case "grant.issued":
          logger.info("grant issued", { approval_id: event.approvalId, jti: event.jti, actor: event.actorId, approvers: event.approvers });
          return;
        case "grant.redeemed":
          logger.info("grant redeemed", { approval_id: event.approvalId, jti: event.jti, actor: event.actorId });
          return;
        case "grant.redemption_refused":
          logger.warn("grant refused", { code: event.code, reason: event.reason, approval_id: event.approvalId, jti: event.jti });
          return;
        case "callback.delivered":
          logger.info("callback delivered", { approval_id: event.approvalId, attempts: event.attempts });
          return;
        case "callback.failed":
          logger.warn("callback failed", { approval_id: event.approvalId, attempts: event.attempts, detail: event.detail });
          return;
      }
    },
  };
}
