/**
 * The approval core (`ApprovalService`) and the identity directory adapted to the bot's ports, for the
 * composition root (`src/main.ts`) to wire.
 *
 * `ApprovalRequest` → `ApprovalCardState` is a plain mapping; verdicts go through `castVerdict` with channel
 * `teams` (the same use case, rules and audit as API verdicts), refusals become `{ok: false, code, message}`;
 * the notification outbox's entries drive the notifier through `teamsNotificationSink` (created: post the
 * card; every verdict, cancellation or expiry: update it in place). Reviewers are the configured identities mapped by Azure AD object id and tenant.
 */

import { ApprovalError } from "../approvals/approval-errors";
import type { ApprovalNotification, NotificationSink } from "../approvals/notification-dispatcher";
import type { ApprovalRequest } from "../approvals/approval-request";
import type { ApprovalService } from "../approvals/approval-service";
import { evaluateQuorum } from "../approvals/approval-state-machine";
import type { ApprovalNotifier } from "./approval-notifier";
import { escalationText, expiryText, reminderText } from "./workflow-messages";
import type {
  ApprovalCardState,
  ApprovalPort,
  CardWaitingFor,
  ReviewerDirectory,
  TeamsReviewer,
  VerdictCommand,
  VerdictResult,
} from "./ports";

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
      ...(approval.requirements.max_scope === undefined ? {} : { maxScope: approval.requirements.max_scope }),
      ...(reviewers.roles === undefined ? {} : { roles: reviewers.roles }),
      ...(reviewers.groups === undefined ? {} : { groups: reviewers.groups }),
      ...(approval.requirements.comment_required === true ? { commentRequired: true } : {}),
    },
    ...(approval.breakGlass === undefined ? {} : { breakGlass: approval.breakGlass }),
    ...(approval.summary === undefined ? {} : { summary: approval.summary }),
    ...(approval.risk === undefined ? {} : { risk: approval.risk }),
    ...(approval.status === "pending" ? { waitingFor: waitingFor(approval) } : {}),
    verdicts: approval.verdicts.map((v) => ({
      reviewerId: v.reviewerId,
      ...(names[v.reviewerId] === undefined ? {} : { reviewerName: names[v.reviewerId]! }),
      verdict: v.verdict,
      ...(v.roles.length === 0 ? {} : { roles: v.roles }),
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

/** Who must still approve: each unmet group's shortfall, or the overall shortfall with the eligible roles (escalation included). */
function waitingFor(approval: ApprovalRequest): CardWaitingFor[] {
  const progress = evaluateQuorum(approval.requirements, approval.verdicts);
  const unmet = progress.groups.filter((g) => !g.met).map((g) => ({ count: g.quorum - g.count, roles: g.roles }));
  const overall = Math.max(0, progress.quorum - progress.approvers.length);
  const groupShortfall = unmet.reduce((sum, g) => sum + g.count, 0);
  if (progress.groups.length > 0) {
    // Approvers beyond the groups' own quorums may come from any of the groups' roles.
    const extra = overall - groupShortfall;
    const anyRole = [...new Set(progress.groups.flatMap((g) => g.roles))];
    return extra > 0 ? [...unmet, { count: extra, roles: anyRole }] : unmet;
  }
  if (overall === 0) return [];
  const roles = [...new Set([...(approval.requirements.reviewers.roles ?? []), ...(approval.escalation?.roles ?? [])])];
  return [{ count: overall, roles }];
}

/** ApprovalPort over the approval service. */
export class ApprovalCorePort implements ApprovalPort {
  constructor(
    private readonly service: Pick<ApprovalService, "read" | "castVerdict">,
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
        ...(command.scope === undefined ? {} : { scope: command.scope }),
        ...(command.shown === undefined ? {} : { shown: command.shown }),
        channel: "teams",
      });
      return { ok: true, state: toCardState(approval, this.names) };
    } catch (err) {
      if (err instanceof ApprovalError) return { ok: false, code: err.code, message: err.message };
      throw err;
    }
  }
}

/**
 * The notification outbox → the notifier: a `created` notification posts the card to the policy's channel,
 * a `changed` one updates it; a Teams failure asks the dispatcher to try again later.
 */
export function teamsNotificationSink(
  notifier: () => ApprovalNotifier,
  names: Readonly<Record<string, string>> = {},
  now: () => number = Date.now,
): NotificationSink {
  return {
    async deliver(n: ApprovalNotification): Promise<"done" | "retry"> {
      const state = toCardState(n.approval, names);
      const bot = notifier();
      switch (n.kind) {
        case "created":
          return retryOn(await bot.onApprovalCreated(state, n.approval.requirements.channel));
        case "changed": {
          const update = await bot.updateCard(state);
          // The requester's side of an expiry: said once, under the card, by whoever moved the card to it.
          if (update === "updated" && n.approval.status === "expired")
            return retryOn(await bot.replyInThread(n.approval.id, expiryText(n.approval)));
          return retryOn(update);
        }
        case "remind":
          if (n.approval.status !== "pending") return "done";
          return retryOn(await bot.replyInThread(n.approval.id, reminderText(n.approval, n.number ?? 1, now())));
        case "escalate": {
          if (n.approval.status !== "pending") return "done";
          const level = n.number ?? 1;
          const channel = n.approval.requirements.escalate?.[level - 1]?.channel;
          if (channel !== undefined && (await bot.postCopy(state, channel)) === "failed") return "retry";
          return retryOn(await bot.replyInThread(n.approval.id, escalationText(n.approval, level, now())));
        }
      }
    },
  };
}

function retryOn(result: string): "done" | "retry" {
  return result === "failed" ? "retry" : "done";
}

/** What the reviewer directory needs of the configured identities (`IdentityDirectory` fits). */
export interface TeamsIdentities {
  /** The identity a Teams user is mapped to: note the order, object id first, and undefined when none. */
  byTeamsUser(
    aadObjectId: string,
    tenantId: string,
  ): { readonly id: string; readonly kind: string; readonly roles: readonly string[] } | undefined;
}

/** ReviewerDirectory over the configured identities (`identities[].teams`); only people review. */
export function identityReviewerDirectory(identities: TeamsIdentities): ReviewerDirectory {
  return {
    byTeamsUser(tenantId: string, aadObjectId: string): TeamsReviewer | null {
      const found = identities.byTeamsUser(aadObjectId, tenantId);
      if (found === undefined || found.kind !== "human") return null;
      return { id: found.id, roles: found.roles };
    },
  };
}
