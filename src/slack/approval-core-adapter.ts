/**
 * The approval core (`ApprovalService`) and the identity directory adapted to the Slack app's ports, for the
 * composition root (`src/main.ts`) to wire: verdicts through `castVerdict` with channel `slack` (the same use
 * case, rules and audit as API and Teams verdicts), refusals as `{ok: false, code, message}`; and the
 * notification outbox's entries driving the notifier (`slackNotificationSink`: created posts the message;
 * every verdict, cancellation or expiry updates it; reminders and escalations reply in its thread).
 */

import { ApprovalError } from "../approvals/approval-errors";
import type { ApprovalService } from "../approvals/approval-service";
import type { NotificationSink, ApprovalNotification } from "../approvals/notification-dispatcher";
import { verdictEligibility } from "../approvals/reviewer-eligibility";
import { toCardState } from "../teams/approval-core-adapter";
import type { ApprovalCardState, VerdictResult } from "../teams/ports";
import { escalationText, expiryText, reminderText } from "../teams/workflow-messages";
import type { SlackApprovalPort, SlackReviewer, SlackReviewerDirectory, SlackVerdictCommand } from "./ports";
import type { SlackNotifier } from "./slack-notifier";

/** SlackApprovalPort over the approval service. */
export class SlackApprovalCorePort implements SlackApprovalPort {
  constructor(
    private readonly service: Pick<ApprovalService, "read" | "castVerdict">,
    private readonly now: () => number,
  ) {}

  async get(approvalId: string): Promise<ApprovalCardState | null> {
    const approval = await this.service.read(approvalId);
    return approval === null ? null : toCardState(approval);
  }

  async precheck(approvalId: string, reviewer: SlackReviewer): Promise<{ code: string; message: string } | null> {
    const approval = await this.service.read(approvalId);
    if (approval === null) return { code: "COUNTERSIGN_APPROVAL_NOT_FOUND", message: "no such approval request" };
    const eligibility = verdictEligibility(approval, { id: reviewer.id, roles: reviewer.roles, kind: "human" }, this.now());
    return eligibility.eligible ? null : { code: eligibility.code, message: eligibility.reason };
  }

  async castVerdict(command: SlackVerdictCommand): Promise<VerdictResult> {
    try {
      const approval = await this.service.castVerdict({
        approvalId: command.approvalId,
        reviewer: { id: command.reviewer.id, roles: command.reviewer.roles, kind: "human" },
        verdict: command.verdict,
        ...(command.comment === undefined ? {} : { comment: command.comment }),
        ...(command.scope === undefined ? {} : { scope: command.scope }),
        ...(command.shown === undefined ? {} : { shown: command.shown }),
        channel: "slack",
      });
      return { ok: true, state: toCardState(approval) };
    } catch (err) {
      if (err instanceof ApprovalError) return { ok: false, code: err.code, message: err.message };
      throw err;
    }
  }
}

/** The notification outbox → the Slack notifier; a Slack failure asks the dispatcher to try again later. */
export function slackNotificationSink(notifier: () => SlackNotifier, now: () => number = Date.now): NotificationSink {
  return {
    async deliver(n: ApprovalNotification): Promise<"done" | "retry"> {
      const state = toCardState(n.approval);
      const slack = notifier();
      switch (n.kind) {
        case "created":
          return retryOn(await slack.onApprovalCreated(state, n.approval.requirements.channel));
        case "changed": {
          const update = await slack.updateMessage(state);
          if (update === "updated" && n.approval.status === "expired")
            return retryOn(await slack.replyInThread(n.approval.id, expiryText(n.approval)));
          return retryOn(update);
        }
        case "remind":
          if (n.approval.status !== "pending") return "done";
          return retryOn(await slack.replyInThread(n.approval.id, reminderText(n.approval, n.number ?? 1, now())));
        case "escalate": {
          if (n.approval.status !== "pending") return "done";
          const level = n.number ?? 1;
          const channel = n.approval.requirements.escalate?.[level - 1]?.channel;
          if (channel !== undefined && (await slack.postCopy(state, channel)) === "failed") return "retry";
          return retryOn(await slack.replyInThread(n.approval.id, escalationText(n.approval, level, now())));
        }
      }
    },
  };
}

function retryOn(result: string): "done" | "retry" {
  return result === "failed" ? "retry" : "done";
}

/** What the reviewer directory needs of the configured identities (`IdentityDirectory` fits). */
export interface SlackIdentities {
  bySlackUser(
    userId: string,
    teamId: string,
  ): { readonly id: string; readonly kind: string; readonly roles: readonly string[] } | undefined;
}

/** SlackReviewerDirectory over the configured identities (`identities[].slack`); only people review. */
export function slackReviewerDirectory(identities: SlackIdentities): SlackReviewerDirectory {
  return {
    bySlackUser(userId: string, teamId: string): SlackReviewer | null {
      const found = identities.bySlackUser(userId, teamId);
      if (found === undefined || found.kind !== "human") return null;
      return { id: found.id, roles: found.roles };
    },
  };
}
