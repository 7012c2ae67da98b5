/**
 * The message's Approve and Deny buttons and the verdict modal behind them.
 *
 * A click is answered by the mapped reviewer's modal (comment, required when the policy says so; scope, when
 * the policy allows more than once), or, when the clicking user may not give a verdict, by an ephemeral
 * message saying why: not mapped to a reviewer, from another workspace, or refused by the approval core
 * (self-approval, wrong role, already voted, no longer pending). A submitted modal records the verdict through
 * the approval core (channel `slack`, with what the message showed the reviewer), then updates the message
 * for everyone; a refusal is told ephemerally and changes nothing.
 */

import { createHash } from "node:crypto";
import { MAX_SHOWN_VIEW_CHARS } from "../approvals/approval-request";
import { shownMessage } from "./approval-message";
import type { SlackMessageStore } from "./message-store";
import type { SlackApi, SlackApprovalPort, SlackReviewer, SlackReviewerDirectory, SlackShown } from "./ports";
import {
  COMMENT_ACTION_ID,
  COMMENT_BLOCK_ID,
  parseButtonValue,
  parseModalMetadata,
  SCOPE_ACTION_ID,
  SCOPE_BLOCK_ID,
  APPROVE_ACTION_ID,
  type ModalMetadata,
} from "./slack-actions";
import type { SlackConfig } from "./slack-config";
import { SlackError } from "./slack-errors";
import type { SlackNotifier } from "./slack-notifier";
import type { TeamsLogger } from "../teams/ports";
import { renderVerdictModal, SCOPE_ONCE } from "./verdict-modal";
import type { Masker } from "../teams/ports";

/** Refusals after which the message may be stale: it is brought up to date while the user reads the answer. */
const STALE_CODES = new Set(["COUNTERSIGN_ALREADY_DECIDED", "COUNTERSIGN_EXPIRED"]);

/** What the handlers work with. */
export interface VerdictInteractionDeps {
  readonly config: SlackConfig;
  readonly api: SlackApi;
  readonly approvals: SlackApprovalPort;
  readonly reviewers: SlackReviewerDirectory;
  readonly notifier: SlackNotifier;
  readonly store: SlackMessageStore;
  readonly masker: Masker;
  readonly logger: TeamsLogger;
}

/** The parts of a `block_actions` payload the handlers read. */
export interface ButtonPayload {
  readonly trigger_id?: string;
  readonly user?: { readonly id?: string; readonly team_id?: string };
  readonly team?: { readonly id?: string } | null;
  readonly channel?: { readonly id?: string };
  readonly container?: { readonly channel_id?: string; readonly message_ts?: string };
  readonly message?: { readonly ts?: string };
  readonly actions?: readonly { readonly action_id?: string; readonly value?: string }[];
}

/** The parts of a `view_submission` payload the handlers read. */
export interface SubmissionPayload {
  readonly user?: { readonly id?: string; readonly team_id?: string };
  readonly team?: { readonly id?: string } | null;
  readonly view?: {
    readonly private_metadata?: string;
    readonly state?: {
      readonly values?: Record<
        string,
        Record<string, { readonly value?: string | null; readonly selected_option?: { readonly value?: string } | null }>
      >;
    };
  };
}

/** What a submission is answered with: nothing (the modal closes) or field errors (the modal stays open). */
export type SubmissionAck = { readonly response_action: "errors"; readonly errors: Record<string, string> } | undefined;

/** Handles the buttons and the modal. */
export class VerdictInteractions {
  constructor(private readonly deps: VerdictInteractionDeps) {}

  /** An Approve or Deny click (already acknowledged). */
  async onButton(payload: ButtonPayload): Promise<void> {
    const action = payload.actions?.[0];
    const clicked = parseButtonValue(action?.value);
    const channel = payload.channel?.id ?? payload.container?.channel_id;
    const userId = payload.user?.id;
    if (channel === undefined || userId === undefined) return;
    try {
      if (clicked === null || payload.trigger_id === undefined)
        return await this.refuse(channel, userId, new SlackError("COUNTERSIGN_SLACK_BAD_ACTION"));
      const verdict = action?.action_id === APPROVE_ACTION_ID ? "approve" : "deny";
      const who = this.reviewer(payload);
      if (who instanceof SlackError) {
        this.deps.logger.warn("slack verdict refused", { approvalId: clicked.id, code: who.code, slackUser: userId });
        return await this.refuse(channel, userId, who);
      }
      const refusal = await this.deps.approvals.precheck(clicked.id, who);
      if (refusal !== null) {
        // The core refuses it again, and records the refused attempt in the trail like any other channel's.
        const result = await this.deps.approvals.castVerdict({ approvalId: clicked.id, reviewer: who, verdict });
        if (!result.ok) return await this.refused(channel, userId, clicked.id, who, result);
        return await this.recorded(clicked.id, who, result.state);
      }
      const state = await this.deps.approvals.get(clicked.id);
      if (state === null)
        return await this.refuse(channel, userId, new SlackError("COUNTERSIGN_SLACK_BAD_ACTION", "this approval request no longer exists"));
      const ts = payload.message?.ts ?? payload.container?.message_ts;
      const metadata: ModalMetadata = { id: clicked.id, verdict, v: clicked.v, channel, ...(ts === undefined ? {} : { ts }) };
      await this.deps.api.views.open({ trigger_id: payload.trigger_id, view: renderVerdictModal(state, metadata, this.deps.masker) });
    } catch (err) {
      this.deps.logger.error("slack verdict click failed", {
        approvalId: clicked?.id,
        cause: err instanceof Error ? err.message : String(err),
      });
      await this.say(channel, userId, "Countersign could not open the verdict form right now; nothing changed. Try again in a moment.");
    }
  }

  /** Checks a submitted modal before it is acknowledged: a required comment left blank keeps the modal open. */
  validate(payload: SubmissionPayload): SubmissionAck {
    const comment = this.comment(payload);
    const metadata = parseModalMetadata(payload.view?.private_metadata);
    if (metadata === null) return undefined;
    const blockValues = payload.view?.state?.values?.[COMMENT_BLOCK_ID];
    // The modal marks the comment required when the policy does; whitespace passes Slack's own check.
    if (blockValues !== undefined && comment === "" && this.commentRequiredByForm(payload)) {
      return { response_action: "errors", errors: { [COMMENT_BLOCK_ID]: "This request needs a comment with every verdict." } };
    }
    return undefined;
  }

  /** A submitted modal (already acknowledged): records the verdict. */
  async onSubmission(payload: SubmissionPayload): Promise<void> {
    const metadata = parseModalMetadata(payload.view?.private_metadata);
    const userId = payload.user?.id;
    if (metadata === null || userId === undefined) return;
    try {
      const who = this.reviewer(payload);
      if (who instanceof SlackError) {
        this.deps.logger.warn("slack verdict refused", { approvalId: metadata.id, code: who.code, slackUser: userId });
        return await this.refuse(metadata.channel, userId, who);
      }
      const comment = this.comment(payload);
      const scope =
        metadata.verdict === "approve"
          ? scopeOf(payload.view?.state?.values?.[SCOPE_BLOCK_ID]?.[SCOPE_ACTION_ID]?.selected_option?.value)
          : undefined;
      const shown = await this.shown(metadata);
      const result = await this.deps.approvals.castVerdict({
        approvalId: metadata.id,
        reviewer: who,
        verdict: metadata.verdict,
        ...(comment === "" ? {} : { comment }),
        ...(scope === undefined ? {} : { scope }),
        ...(shown === undefined ? {} : { shown }),
      });
      if (!result.ok) return await this.refused(metadata.channel, userId, metadata.id, who, result);
      await this.recorded(metadata.id, who, result.state);
    } catch (err) {
      this.deps.logger.error("slack verdict failed", { approvalId: metadata.id, cause: err instanceof Error ? err.message : String(err) });
      await this.say(
        metadata.channel,
        userId,
        "Countersign could not record your verdict right now; nothing changed. Try again in a moment.",
      );
    }
  }

  /** The clicking user as a configured reviewer, or why not. */
  private reviewer(payload: {
    readonly user?: { readonly id?: string; readonly team_id?: string };
    readonly team?: { readonly id?: string } | null;
  }): SlackReviewer | SlackError {
    const userId = payload.user?.id;
    const teamId = payload.user?.team_id ?? payload.team?.id;
    if (teamId === undefined || (this.deps.config.allowedTeamIds.length > 0 && !this.deps.config.allowedTeamIds.includes(teamId))) {
      return new SlackError("COUNTERSIGN_SLACK_TEAM_NOT_ALLOWED");
    }
    const reviewer = userId === undefined ? null : this.deps.reviewers.bySlackUser(userId, teamId);
    return reviewer ?? new SlackError("COUNTERSIGN_SLACK_UNKNOWN_REVIEWER");
  }

  /**
   * What the clicked message showed: its version, that version's digest as rendered onto the message, and the
   * message itself (its canonical JSON text) when kept and it hashes to the digest.
   */
  private async shown(metadata: ModalMetadata): Promise<SlackShown | undefined> {
    const stored = await this.deps.store.shown(metadata.id, metadata.v);
    if (stored !== null) return { version: metadata.v, digest: stored.digest, ...(keepable(stored) ? { view: stored.view } : {}) };
    // A copy in an escalation channel, or a message whose record lapsed: the version shown, rendered again.
    const state = await this.deps.approvals.get(metadata.id);
    if (state === null || state.version !== metadata.v) return undefined;
    const message = shownMessage(this.deps.notifier.render(state));
    return { version: metadata.v, digest: message.digest, ...(keepable(message) ? { view: message.view } : {}) };
  }

  private async recorded(
    approvalId: string,
    who: SlackReviewer,
    state: NonNullable<Awaited<ReturnType<SlackApprovalPort["get"]>>>,
  ): Promise<void> {
    this.deps.logger.info("slack verdict recorded", { approvalId, reviewer: who.id, status: state.status });
    // Everyone sees the new state at once; the outbox's later delivery of this change finds it current.
    await this.deps.notifier.updateMessage(state);
  }

  private async refused(
    channel: string,
    userId: string,
    approvalId: string,
    who: SlackReviewer,
    result: { code: string; message: string },
  ): Promise<void> {
    this.deps.logger.info("slack verdict refused", { approvalId, reviewer: who.id, code: result.code });
    await this.say(channel, userId, `Countersign did not record your verdict: ${result.message} (${result.code}).`);
    if (STALE_CODES.has(result.code)) {
      const current = await this.deps.approvals.get(approvalId);
      if (current !== null) await this.deps.notifier.updateMessage(current);
    }
  }

  private async refuse(channel: string, userId: string, error: SlackError): Promise<void> {
    await this.say(channel, userId, `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}; nothing changed (${error.code}).`);
  }

  /** An ephemeral message only `userId` sees, in `channel`. */
  private async say(channel: string, userId: string, text: string): Promise<void> {
    try {
      await this.deps.api.chat.postEphemeral({
        channel,
        user: userId,
        text: text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"),
      });
    } catch (err) {
      this.deps.logger.warn("slack ephemeral message failed", { channel, cause: err instanceof Error ? err.message : String(err) });
    }
  }

  private comment(payload: SubmissionPayload): string {
    const value = payload.view?.state?.values?.[COMMENT_BLOCK_ID]?.[COMMENT_ACTION_ID]?.value;
    return typeof value === "string" ? value.trim() : "";
  }

  private commentRequiredByForm(payload: SubmissionPayload): boolean {
    // The form says what it asked for: its comment block was not optional.
    const blocks = (payload.view as { blocks?: readonly { block_id?: string; optional?: boolean }[] } | undefined)?.blocks;
    return blocks?.some((b) => b.block_id === COMMENT_BLOCK_ID && b.optional === false) ?? false;
  }
}

/** A kept message that hashes to its digest and fits on a verdict (the trail keeps it); otherwise the digest alone is recorded. */
function keepable(shown: { readonly digest: string; readonly view?: string }): shown is { readonly digest: string; readonly view: string } {
  return (
    shown.view !== undefined &&
    shown.view.length <= MAX_SHOWN_VIEW_CHARS &&
    createHash("sha256").update(shown.view, "utf8").digest("hex") === shown.digest
  );
}

/** The scope picker's value: "once", or the JSON the modal put in the option; anything else goes to the core to refuse. */
function scopeOf(value: string | undefined): unknown {
  if (value === undefined || value === "" || value === SCOPE_ONCE) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
