/**
 * The approval core (`ApprovalService`) adapted to the bot's ports: what the composition root will do in the
 * wiring round, written here so the bot is tested against the real rules, store and events today.
 *
 * `ApprovalRequest` → `ApprovalCardState` is a plain mapping; verdicts go through `castVerdict` with channel
 * `teams`, refusals become `{ok: false, code, message}`; approval events drive the notifier.
 */

import { ApprovalError } from "../../../src/approvals/approval-errors";
import type { ApprovalEvent, ApprovalEventListener } from "../../../src/approvals/approval-events";
import type { ApprovalRequest } from "../../../src/approvals/approval-request";
import type { ApprovalService } from "../../../src/approvals/approval-service";
import type { ApprovalNotifier } from "../../../src/teams/approval-notifier";
import type { ApprovalCardState, ApprovalPort, VerdictCommand, VerdictResult } from "../../../src/teams/ports";

/** An approval request as the card shows it. */
export function toCardState(approval: ApprovalRequest, names: Readonly<Record<string, string>> = {}): ApprovalCardState {
  const reviewers = approval.requirements.reviewers;
  const decidedAt = approval.decidedAt ?? approval.updatedAt;
  const approvers = approval.verdicts.filter((v) => v.verdict === "approve").map((v) => v.reviewerId);
  const deniers = approval.verdicts.filter((v) => v.verdict === "deny").map((v) => v.reviewerId);
  const state: ApprovalCardState = {
    id: approval.id,
    status: approval.status,
    version: approval.version,
    request: approval.request,
    policyReasons: (approval as { reasons?: readonly string[] }).reasons ?? [],
    mask: approval.mask,
    requestedAt: approval.createdAt,
    expiresAt: approval.expiresAt,
    requirements: {
      quorum: approval.requirements.quorum,
      ...(reviewers.roles === undefined ? {} : { roles: reviewers.roles }),
      ...(reviewers.groups === undefined ? {} : { groups: reviewers.groups }),
    },
    verdicts: approval.verdicts.map((v) => ({
      reviewerId: v.reviewerId,
      ...(names[v.reviewerId] === undefined ? {} : { reviewerName: names[v.reviewerId]! }),
      verdict: v.verdict,
      ...(v.comment === undefined ? {} : { comment: v.comment }),
      at: v.at,
    })),
  };
  switch (approval.status) {
    case "pending":
      return state;
    case "approved":
      return { ...state, outcome: { status: "approved", decidedAt, decidedBy: approvers } };
    case "denied":
      return { ...state, outcome: { status: "denied", decidedAt, decidedBy: deniers } };
    case "expired":
      return { ...state, outcome: { status: "expired", decidedAt, decidedBy: [] } };
    case "cancelled":
      return {
        ...state,
        outcome: {
          status: "cancelled",
          decidedAt,
          decidedBy: approval.cancellation ? [approval.cancellation.by] : [],
          ...(approval.cancellation?.reason === undefined ? {} : { reason: approval.cancellation.reason }),
        },
      };
  }
}

/** ApprovalPort over the approval service. */
export class ApprovalCorePort implements ApprovalPort {
  constructor(
    private readonly service: ApprovalService,
    private readonly names: Readonly<Record<string, string>> = {},
  ) {}

  async get(approvalId: string): Promise<ApprovalCardState | null> {
    const approval = await this.service.read(approvalId);
    return approval === null ? null : toCardState(approval, this.names);
  }

  async castVerdict(command: VerdictCommand): Promise<VerdictResult> {
    try {
      const approval = await this.service.castVerdict({
        approvalId: command.approvalId,
        reviewer: { id: command.reviewer.id, roles: command.reviewer.roles },
        verdict: command.verdict,
        ...(command.comment === undefined ? {} : { comment: command.comment }),
        channel: "teams",
      });
      return { ok: true, state: toCardState(approval, this.names) };
    } catch (err) {
      if (err instanceof ApprovalError) return { ok: false, code: err.code, message: err.message };
      throw err;
    }
  }
}

/** Approval events → the notifier (created: post to the policy's channel; every change: update the card). */
export function notifierListener(notifier: () => ApprovalNotifier, names: Readonly<Record<string, string>> = {}): ApprovalEventListener {
  return {
    async onApprovalEvent(event: ApprovalEvent): Promise<void> {
      switch (event.type) {
        case "approval.created":
          await notifier().onApprovalCreated(toCardState(event.approval, names), event.approval.requirements.channel);
          return;
        case "approval.verdict_recorded":
        case "approval.finalized":
          await notifier().onApprovalChanged(toCardState(event.approval, names));
          return;
        default:
          return;
      }
    },
  };
}
