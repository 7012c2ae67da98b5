/**
 * The approval notifier: posts an approval's card to its routed Teams channel when the request is created,
 * and updates that card in place whenever the request changes (a verdict from Teams or the API, a
 * cancellation, expiry), so every viewer sees the current state.
 *
 * Posting is proactive messaging: the stored conversation reference is continued with the bot's app id.
 * Throttled (429) and failed (5xx) calls are retried by botbuilder's HTTP pipeline (Azure core's default
 * retry policy), so the notifier does not retry again. It reports what happened in its logs and never
 * throws: a Teams outage must not change, delay or fail an approval.
 */

import { CardFactory, MessageFactory, type Activity, type ConversationReference, type TurnContext } from "botbuilder";
import { renderApprovalCard, renderMinute, sentCard, type AdaptiveCard } from "./approval-card";
import { normalizeChannelName } from "./channel-name";
import { hiddenPointers } from "../observability/masked-values";
import type { ConversationStore, StoredReference } from "./conversation-store";
import type { ApprovalCardState, ApprovalPort, CardPerson, Masker, TeamsClock, TeamsLogger } from "./ports";
import { TeamsError, type TeamsErrorCode } from "./teams-errors";

/** What the notifier needs of the bot adapter: botbuilder's proactive entry point. */
export interface ProactiveAdapter {
  continueConversationAsync(
    botAppId: string,
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void>;
}

/** How long a card record outlives its approval's expiry, by default (so late changes still reach the card). */
export const DEFAULT_CARD_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** How long a claim to post a card holds before another attempt may post. */
const POST_CLAIM_MS = 6000;

/** Everything the notifier works with. */
export interface ApprovalNotifierDeps {
  readonly adapter: ProactiveAdapter;
  /** The bot's app id; empty in local development mode. */
  readonly appId: string;
  readonly store: ConversationStore;
  /** Read after posting, to catch changes made while the card was on its way. */
  readonly approvals: Pick<ApprovalPort, "get">;
  readonly masker: Masker;
  readonly logger: TeamsLogger;
  readonly clock: TeamsClock;
  /** Where requests without a routed (or subscribed) channel go. */
  readonly defaultChannel: string;
  readonly cardRetentionMs?: number;
  /** Passed to the card (see ApprovalCardOptions.refreshUserIds). */
  readonly refreshUserIds?: readonly string[];
  /** The web console's base URL, for the card's link to the request (absent: no link). */
  readonly consoleBaseUrl?: string;
  /** Display names of configured identities, by id. */
  readonly people?: (id: string) => CardPerson | undefined;
}

/** What an attempt to update a posted card came to. */
export type CardUpdateResult = "updated" | "stale" | "no-card" | "failed";

/** What an attempt to post a new request's card came to (`failed`: worth trying again). */
export type CardPostResult = "posted" | "no-channel" | "failed" | CardUpdateResult;

/** Posts and updates approval cards. */
export class ApprovalNotifier {
  private readonly retention: number;

  constructor(private readonly deps: ApprovalNotifierDeps) {
    this.retention = deps.cardRetentionMs ?? DEFAULT_CARD_RETENTION_MS;
  }

  /**
   * The card for `state` as of `now` (the clock's minute by default), as this notifier renders it (posting,
   * updating and answering clicks alike). The same state and minute always give the same card.
   */
  render(state: ApprovalCardState, now: number = this.deps.clock.now()): AdaptiveCard {
    return renderApprovalCard(state, {
      masker: this.deps.masker,
      now,
      ...(this.deps.refreshUserIds === undefined ? {} : { refreshUserIds: this.deps.refreshUserIds }),
      ...(this.deps.consoleBaseUrl === undefined ? {} : { consoleBaseUrl: this.deps.consoleBaseUrl }),
      ...(this.deps.people === undefined ? {} : { people: this.deps.people }),
    });
  }

  /** The RFC 6901 pointers at which the card hides a value of the request. */
  hiddenPointers(state: ApprovalCardState): string[] {
    return hiddenPointers(state.request, this.deps.masker.mask(state.request, state.mask));
  }

  /**
   * Renders the card for `state` to be sent, and remembers it (its canonical JSON and digest) under the
   * version and minute its buttons carry, so a later click can record exactly what that reviewer was shown.
   */
  async renderForSending(state: ApprovalCardState): Promise<AdaptiveCard> {
    const now = this.deps.clock.now();
    const card = this.render(state, now);
    await this.deps.store.saveShown(state.id, shownKey(state.version, renderMinute(now)), sentCard(card)).catch((err: unknown) =>
      this.deps.logger.warn("teams card digest not stored", {
        approvalId: state.id,
        cause: err instanceof Error ? err.message : String(err),
      }),
    );
    return card;
  }

  /**
   * Posts the card for a new request to `channel` (the policy's `approval.channel`), or to the default channel
   * when the policy names none or nobody subscribed the one it names. Posts at most once per request.
   */
  async onApprovalCreated(state: ApprovalCardState, channel?: string): Promise<CardPostResult> {
    const log = { approvalId: state.id };
    try {
      const subscription = await this.route(state.id, channel);
      if (subscription === null) return "no-channel";
      if (!(await this.deps.store.claimCard(state.id, POST_CLAIM_MS))) {
        // Posted already (a duplicate creation event), or being posted: make sure it shows this state.
        const update = await this.updateCard(state);
        return update === "no-card" ? "failed" : update;
      }
      let activityId: string | undefined;
      // The claim is short and kept alive while the post is in flight: if this process dies mid-post, another
      // instance may post within seconds instead of waiting out a long claim.
      const keepAlive = setInterval(
        () => void this.deps.store.extendClaim(state.id, POST_CLAIM_MS).catch(() => undefined),
        POST_CLAIM_MS / 3,
      );
      try {
        const activity = cardActivity(await this.renderForSending(state));
        await this.inConversation(subscription.reference, async (context) => {
          activityId = (await context.sendActivity(activity))?.id;
        });
        if (!activityId) throw new Error("the connector returned no activity id");
      } catch (err) {
        await this.deps.store.releaseCard(state.id).catch(() => undefined);
        this.fail("COUNTERSIGN_TEAMS_POST_FAILED", err, { ...log, channel: subscription.name });
        return "failed";
      } finally {
        clearInterval(keepAlive);
      }
      await this.deps.store.saveCard(
        {
          approvalId: state.id,
          activityId,
          reference: subscription.reference,
          channel: subscription.name,
          postedAt: this.deps.clock.now(),
          renderedVersion: state.version,
        },
        this.recordTtl(state),
      );
      this.deps.logger.info("teams approval card posted", { ...log, channel: subscription.name, activityId });
      // A verdict may have landed while the card was being posted; its update found no card to change.
      const current = await this.deps.approvals.get(state.id);
      if (current !== null && current.version > state.version) await this.updateCard(current);
      return "posted";
    } catch (err) {
      this.fail("COUNTERSIGN_TEAMS_POST_FAILED", err, log);
      return "failed";
    }
  }

  /**
   * Replies in the posted card's thread with `text` (a reminder, an escalation, an expiry notice). `no-card`
   * when no card was posted for the request (nothing to reply to); `failed` is worth trying again.
   */
  async replyInThread(approvalId: string, text: string): Promise<"posted" | "no-card" | "failed"> {
    const log = { approvalId };
    try {
      const posted = await this.deps.store.card(approvalId);
      if (posted === null) return "no-card";
      const conversation = posted.reference.conversation;
      if (conversation === undefined) return "no-card";
      const thread = {
        ...posted.reference,
        conversation: { ...conversation, id: `${conversation.id};messageid=${posted.activityId}` },
      } as StoredReference;
      await this.inConversation(thread, async (context) => {
        await context.sendActivity(MessageFactory.text(text));
      });
      this.deps.logger.info("teams thread reply posted", log);
      return "posted";
    } catch (err) {
      this.fail("COUNTERSIGN_TEAMS_POST_FAILED", err, log);
      return "failed";
    }
  }

  /**
   * Posts the card to another channel (an escalation rung's `channel`), without taking over the tracked
   * card: clicks there act on the request like clicks on the first card. `no-channel` when nobody subscribed it.
   */
  async postCopy(state: ApprovalCardState, channel: string): Promise<"posted" | "no-channel" | "failed"> {
    const log = { approvalId: state.id, channel };
    try {
      const name = normalizeChannelName(channel);
      const subscription = name === null ? null : await this.deps.store.channel(name);
      if (subscription === null) return "no-channel";
      const card = await this.renderForSending(state);
      await this.inConversation(subscription.reference, async (context) => {
        await context.sendActivity(cardActivity(card));
      });
      this.deps.logger.info("teams approval card posted to an escalation channel", log);
      return "posted";
    } catch (err) {
      this.fail("COUNTERSIGN_TEAMS_POST_FAILED", err, log);
      return "failed";
    }
  }

  /** Updates the posted card to show `state` (a verdict, cancellation, expiry or final outcome). */
  async onApprovalChanged(state: ApprovalCardState): Promise<void> {
    await this.updateCard(state);
  }

  /**
   * Replaces the posted card with one rendered from `state` (or `rendered`, when the caller has rendered it
   * already), unless the card already shows this version or a newer one. Never throws.
   */
  async updateCard(state: ApprovalCardState, rendered?: AdaptiveCard): Promise<CardUpdateResult> {
    const log = { approvalId: state.id, version: state.version };
    try {
      const posted = await this.deps.store.card(state.id);
      if (posted === null) return "no-card";
      const previous = await this.deps.store.claimRender(state.id, state.version);
      if (previous === null) return "stale";
      try {
        const activity: Partial<Activity> = { ...cardActivity(rendered ?? (await this.renderForSending(state))), id: posted.activityId };
        await this.inConversation(posted.reference, async (context) => {
          await context.updateActivity(activity);
        });
      } catch (err) {
        await this.deps.store.releaseRender(state.id, state.version, previous).catch(() => undefined);
        this.fail("COUNTERSIGN_TEAMS_UPDATE_FAILED", err, log);
        return "failed";
      }
      this.deps.logger.info("teams approval card updated", { ...log, status: state.status });
      return "updated";
    } catch (err) {
      this.fail("COUNTERSIGN_TEAMS_UPDATE_FAILED", err, log);
      return "failed";
    }
  }

  private async route(approvalId: string, channel: string | undefined): Promise<{ name: string; reference: StoredReference } | null> {
    const wanted = channel === undefined ? this.deps.defaultChannel : normalizeChannelName(channel);
    if (wanted !== null) {
      const subscription = await this.deps.store.channel(wanted);
      if (subscription !== null) return subscription;
    }
    if (wanted !== this.deps.defaultChannel) {
      const fallback = await this.deps.store.channel(this.deps.defaultChannel);
      if (fallback !== null) {
        this.deps.logger.warn("teams channel not subscribed; posting to the default channel", {
          approvalId,
          channel,
          defaultChannel: this.deps.defaultChannel,
        });
        return fallback;
      }
    }
    this.fail("COUNTERSIGN_TEAMS_NO_CHANNEL", undefined, { approvalId, channel: channel ?? this.deps.defaultChannel });
    return null;
  }

  private recordTtl(state: ApprovalCardState): number {
    return Math.max(60 * 60 * 1000, state.expiresAt - this.deps.clock.now() + this.retention);
  }

  /**
   * Runs `logic` in a proactive turn of the stored conversation. A failure inside the turn would go to the
   * adapter's turn error handler and be lost; it is carried out and thrown here instead.
   */
  private async inConversation(reference: StoredReference, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    let failure: { error: unknown } | undefined;
    await this.deps.adapter.continueConversationAsync(this.deps.appId, reference, async (context) => {
      asNewPost(context);
      try {
        await logic(context);
      } catch (error) {
        failure = { error };
      }
    });
    if (failure !== undefined) throw failure.error;
  }

  private fail(code: TeamsErrorCode, err: unknown, meta: Record<string, unknown>): void {
    const error = new TeamsError(code);
    this.deps.logger.error(error.message, {
      ...meta,
      code,
      ...(err === undefined ? {} : { cause: err instanceof Error ? err.message : String(err), status: statusOf(err) }),
    });
  }
}

/**
 * botbuilder gives the continuation activity of a proactive turn a random id, and addresses everything sent
 * in that turn as a reply to it (`POST …/activities/{random id}`). A card is a new post in its conversation.
 */
function asNewPost(context: TurnContext): void {
  delete (context.activity as { id?: string }).id;
}

/** The key a sent card's digest is stored under: the version and render minute its buttons carry. */
export function shownKey(version: number, renderedAt: number): string {
  return `${version}@${renderedAt}`;
}

/** The message activity that carries a card. */
export function cardActivity(card: AdaptiveCard): Partial<Activity> {
  return MessageFactory.attachment(CardFactory.adaptiveCard(card));
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}
