/**
 * The Slack notifier: posts an approval's message to its routed Slack channel when the request is created,
 * and updates that message in place (`chat.update`) whenever the request changes (a verdict from Slack,
 * Teams or the API, a cancellation, expiry), so everyone in the channel sees the current state. Reminders,
 * escalations and the expiry notice are replies in the message's thread.
 *
 * It is driven by the notification outbox (never inline in a request), reports what happened in its logs,
 * and never throws: a Slack outage must not change, delay or fail an approval; `failed` asks the outbox to
 * try again later.
 */

import type { Masker, TeamsLogger } from "../teams/ports";
import type { ApprovalCardState } from "../teams/ports";
import { renderApprovalMessage, shownMessage, type SlackMessage } from "./approval-message";
import type { SlackMessageStore } from "./message-store";
import type { SlackApi, SlackApprovalPort, SlackClock } from "./ports";
import { slackChannelFor, type SlackConfig } from "./slack-config";
import { SlackError, type SlackErrorCode } from "./slack-errors";

/** How long a message record outlives its approval's expiry (so late changes still reach the message). */
export const DEFAULT_MESSAGE_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** How long a claim to post a message holds before another attempt may post. */
const POST_CLAIM_MS = 6000;

/** What an update attempt came to. */
export type MessageUpdateResult = "updated" | "stale" | "no-message" | "failed";

/** What a post attempt came to (`failed`: worth trying again). */
export type MessagePostResult = "posted" | MessageUpdateResult;

/** Everything the notifier works with. */
export interface SlackNotifierDeps {
  readonly api: SlackApi;
  readonly config: SlackConfig;
  readonly store: SlackMessageStore;
  /** Read after posting, to catch changes made while the message was on its way. */
  readonly approvals: Pick<SlackApprovalPort, "get">;
  readonly masker: Masker;
  readonly logger: TeamsLogger;
  readonly clock: SlackClock;
  readonly retentionMs?: number;
}

/** Posts and updates approval messages. */
export class SlackNotifier {
  private readonly retention: number;

  constructor(private readonly deps: SlackNotifierDeps) {
    this.retention = deps.retentionMs ?? DEFAULT_MESSAGE_RETENTION_MS;
  }

  /** The message for `state`, as this notifier renders it (posting and updating alike). */
  render(state: ApprovalCardState): SlackMessage {
    return renderApprovalMessage(state, this.deps.masker);
  }

  /** Posts the message for a new request to the Slack channel its policy channel maps to; at most once per request. */
  async onApprovalCreated(state: ApprovalCardState, channelName?: string): Promise<MessagePostResult> {
    const channel = slackChannelFor(this.deps.config, channelName);
    const log = { approvalId: state.id, channel };
    try {
      if (!(await this.deps.store.claimPost(state.id, POST_CLAIM_MS))) {
        // Posted already (a duplicate delivery), or being posted: make sure it shows this state.
        const update = await this.updateMessage(state);
        return update === "no-message" ? "failed" : update;
      }
      const keepAlive = setInterval(
        () => void this.deps.store.extendClaim(state.id, POST_CLAIM_MS).catch(() => undefined),
        POST_CLAIM_MS / 3,
      );
      const message = this.render(state);
      let posted: { channel: string; ts: string };
      try {
        const result = await this.deps.api.chat.postMessage({
          channel,
          text: message.text,
          blocks: message.blocks,
          unfurl_links: false,
          unfurl_media: false,
        });
        if (typeof result.ts !== "string") throw new Error(`chat.postMessage returned no ts (${result.error ?? "no error"})`);
        posted = { channel: typeof result.channel === "string" ? result.channel : channel, ts: result.ts };
      } catch (err) {
        await this.deps.store.releasePost(state.id).catch(() => undefined);
        this.fail("COUNTERSIGN_SLACK_POST_FAILED", err, log);
        return "failed";
      } finally {
        clearInterval(keepAlive);
      }
      const now = this.deps.clock.now();
      await this.deps.store.save(
        { approvalId: state.id, channel: posted.channel, ts: posted.ts, postedAt: now, renderedVersion: state.version },
        shownMessage(message),
        this.recordTtl(state),
      );
      this.deps.logger.info("slack approval message posted", { ...log, ts: posted.ts });
      // A verdict may have landed while the message was being posted; its update found no message to change.
      const current = await this.deps.approvals.get(state.id);
      if (current !== null && current.version > state.version) await this.updateMessage(current);
      return "posted";
    } catch (err) {
      this.fail("COUNTERSIGN_SLACK_POST_FAILED", err, log);
      return "failed";
    }
  }

  /**
   * Replaces the posted message with one rendered from `state`, unless it already shows this version or a
   * newer one. Never throws.
   */
  async updateMessage(state: ApprovalCardState): Promise<MessageUpdateResult> {
    const log = { approvalId: state.id, version: state.version };
    try {
      const posted = await this.deps.store.message(state.id);
      if (posted === null) return "no-message";
      const previous = await this.deps.store.claimRender(state.id, state.version);
      if (previous === null) return "stale";
      const message = this.render(state);
      try {
        await this.deps.store.saveShown(state.id, state.version, shownMessage(message));
        await this.deps.api.chat.update({ channel: posted.channel, ts: posted.ts, text: message.text, blocks: message.blocks });
      } catch (err) {
        await this.deps.store.releaseRender(state.id, state.version, previous).catch(() => undefined);
        this.fail("COUNTERSIGN_SLACK_UPDATE_FAILED", err, log);
        return "failed";
      }
      this.deps.logger.info("slack approval message updated", { ...log, status: state.status });
      return "updated";
    } catch (err) {
      this.fail("COUNTERSIGN_SLACK_UPDATE_FAILED", err, log);
      return "failed";
    }
  }

  /** Replies in the posted message's thread; `no-message` when none was posted. */
  async replyInThread(approvalId: string, text: string): Promise<"posted" | "no-message" | "failed"> {
    try {
      const posted = await this.deps.store.message(approvalId);
      if (posted === null) return "no-message";
      await this.deps.api.chat.postMessage({
        channel: posted.channel,
        thread_ts: posted.ts,
        text: plainEscape(text),
        unfurl_links: false,
        unfurl_media: false,
      });
      this.deps.logger.info("slack thread reply posted", { approvalId });
      return "posted";
    } catch (err) {
      this.fail("COUNTERSIGN_SLACK_POST_FAILED", err, { approvalId });
      return "failed";
    }
  }

  /** Posts a copy of the message to another channel (an escalation rung's), not tracked: clicks there act on the request. */
  async postCopy(state: ApprovalCardState, channelName: string): Promise<"posted" | "failed"> {
    const channel = slackChannelFor(this.deps.config, channelName);
    try {
      const message = this.render(state);
      await this.deps.api.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        unfurl_media: false,
      });
      this.deps.logger.info("slack approval message posted to an escalation channel", { approvalId: state.id, channel });
      return "posted";
    } catch (err) {
      this.fail("COUNTERSIGN_SLACK_POST_FAILED", err, { approvalId: state.id, channel });
      return "failed";
    }
  }

  private recordTtl(state: ApprovalCardState): number {
    return Math.max(60 * 60 * 1000, state.expiresAt - this.deps.clock.now() + this.retention);
  }

  private fail(code: SlackErrorCode, err: unknown, meta: Record<string, unknown>): void {
    const error = new SlackError(code);
    this.deps.logger.error(error.message, { ...meta, code, cause: err instanceof Error ? err.message : String(err) });
  }
}

/** Text Slack parses as mrkdwn, with `&`, `<` and `>` escaped (no links, mentions or pings). */
function plainEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
