/**
 * The card's Universal Actions: Approve and Deny record a verdict through the approval core as the mapped
 * reviewer, then update the posted card for everyone and answer the clicking user with the new card; Refresh
 * answers with the current card. A refusal answers the clicking user with a message and changes nothing.
 */

import type { TurnContext } from "botbuilder";
import { actingReviewer } from "./acting-reviewer";
import { createHash } from "node:crypto";
import { sentCard } from "./approval-card";
import { MAX_SHOWN_VIEW_CHARS } from "../approvals/approval-request";
import { cardActivity, shownKey, type ApprovalNotifier } from "./approval-notifier";
import {
  APPROVAL_ID_FIELD,
  APPROVE_VERB,
  COMMENT_INPUT_ID,
  DENY_VERB,
  RENDERED_AT_FIELD,
  SCOPE_INPUT_ID,
  VERSION_FIELD,
} from "./card-verbs";
import { baseConversationId } from "./conversation-reference";
import type { ConversationStore } from "./conversation-store";
import { answerWithCard, answerWithMessage } from "./invoke-response";
import type { ApprovalPort, CardShown, CardVerdictValue, ReviewerDirectory, TeamsLogger } from "./ports";
import type { TeamsConfig } from "./teams-config";
import { TeamsError } from "./teams-errors";

/** What the action handlers work with. */
export interface CardActionDeps {
  readonly config: TeamsConfig;
  readonly approvals: ApprovalPort;
  readonly reviewers: ReviewerDirectory;
  readonly notifier: ApprovalNotifier;
  readonly store: ConversationStore;
  readonly logger: TeamsLogger;
}

/** The data an action carries: the approval id from the card, and the comment box's value. */
export type CardActionData = Record<string, unknown>;

/** Longest approval id accepted from a card action. */
const MAX_ID_LENGTH = 200;

/** Refusals after which the card may be stale: it is brought up to date while the user reads the message. */
const STALE_CARD_CODES = new Set(["COUNTERSIGN_ALREADY_DECIDED", "COUNTERSIGN_EXPIRED"]);

/** Handles Approve, Deny and Refresh. */
export class CardActions {
  constructor(private readonly deps: CardActionDeps) {}

  /** Approve or Deny, by verb. */
  async onVerdict(context: TurnContext, data: CardActionData): Promise<void> {
    const verb = (context.activity.value as { action?: { verb?: unknown } } | undefined)?.action?.verb;
    const verdict: CardVerdictValue | null = verb === APPROVE_VERB ? "approve" : verb === DENY_VERB ? "deny" : null;
    const approvalId = approvalIdOf(data);
    try {
      if (approvalId === null || verdict === null) return await this.refuse(context, new TeamsError("COUNTERSIGN_TEAMS_BAD_ACTION"));
      const who = await actingReviewer(context.activity, this.deps.config, this.deps.reviewers);
      if (!who.ok) {
        this.deps.logger.warn("teams verdict refused", { approvalId, code: who.error.code });
        return await this.refuse(context, who.error);
      }
      const comment = typeof data[COMMENT_INPUT_ID] === "string" ? (data[COMMENT_INPUT_ID] as string).trim() : "";
      const scope = verdict === "approve" ? scopeOfInput(data[SCOPE_INPUT_ID]) : undefined;
      const shown = await this.shown(approvalId, data);
      if (shown === undefined) this.deps.logger.warn("teams verdict: the card shown could not be identified", { approvalId });
      const result = await this.deps.approvals.castVerdict({
        approvalId,
        reviewer: { id: who.reviewer.id, roles: who.reviewer.roles },
        verdict,
        ...(comment === "" ? {} : { comment }),
        ...(scope === undefined ? {} : { scope }),
        ...(shown === undefined ? {} : { shown }),
      });
      if (!result.ok) {
        this.deps.logger.info("teams verdict refused", { approvalId, reviewer: who.reviewer.id, code: result.code });
        await answerWithMessage(context, `Countersign did not record your verdict: ${result.message} (${result.code}).`);
        if (STALE_CARD_CODES.has(result.code)) {
          const current = await this.deps.approvals.get(approvalId);
          if (current !== null) await this.deps.notifier.updateCard(current);
        }
        return;
      }
      this.deps.logger.info("teams verdict recorded", { approvalId, reviewer: who.reviewer.id, verdict, status: result.state.status });
      // One render serves the clicking user and everyone else; the outbox's later delivery of this change
      // finds the card current and sends nothing.
      const card = await this.deps.notifier.renderForSending(result.state);
      const update = await this.deps.notifier.updateCard(result.state, card);
      const clicked = context.activity.replyToId;
      if (update === "no-card" && clicked) {
        // A card the store does not know (posted before its record expired, say): update the one clicked.
        await context.updateActivity({ ...cardActivity(card), id: clicked });
      }
      await answerWithCard(context, card);
    } catch (err) {
      this.deps.logger.error("teams verdict failed", { approvalId, cause: err instanceof Error ? err.message : String(err) });
      await answerWithMessage(context, "Countersign could not record your verdict right now; nothing changed. Try again in a moment.");
    }
  }

  /** Refresh: the current card, for a viewer of the conversation the card was posted to. */
  async onRefresh(context: TurnContext, data: CardActionData): Promise<void> {
    const approvalId = approvalIdOf(data);
    try {
      if (approvalId === null) return await this.refuse(context, new TeamsError("COUNTERSIGN_TEAMS_BAD_ACTION"));
      const posted = await this.deps.store.card(approvalId);
      const here = baseConversationId(context.activity.conversation?.id ?? "");
      if (posted !== null && posted.reference.conversation?.id !== here)
        return await this.refuse(context, new TeamsError("COUNTERSIGN_TEAMS_CARD_ELSEWHERE"));
      const state = await this.deps.approvals.get(approvalId);
      if (state === null) return await answerWithMessage(context, "This approval request no longer exists.");
      await answerWithCard(context, await this.deps.notifier.renderForSending(state));
      // Someone is looking at an out-of-date card: bring the posted card up to date for everyone.
      if (posted !== null && state.version > posted.renderedVersion) await this.deps.notifier.updateCard(state);
    } catch (err) {
      this.deps.logger.error("teams card refresh failed", { approvalId, cause: err instanceof Error ? err.message : String(err) });
      await answerWithMessage(context, "Countersign could not load this request right now. Try again in a moment.");
    }
  }

  /**
   * What the clicked card showed: the version and render minute its buttons carry, the digest stored when
   * that card was sent (or, when the request has not changed since, the same card rendered again: rendering
   * is a pure function of the state and the minute), and the masked pointers it hid. Undefined for a card
   * that carries no version (posted before cards did) or whose digest is gone after the request moved on.
   */
  private async shown(approvalId: string, data: CardActionData): Promise<CardShown | undefined> {
    const version = data[VERSION_FIELD];
    const renderedAt = data[RENDERED_AT_FIELD];
    if (typeof version !== "number" || !Number.isSafeInteger(version) || version < 0) return undefined;
    if (typeof renderedAt !== "number" || !Number.isSafeInteger(renderedAt) || renderedAt < 0) return undefined;
    const state = await this.deps.approvals.get(approvalId);
    if (state === null) return undefined;
    const hidden = this.deps.notifier.hiddenPointers(state);
    const stored = await this.deps.store.shown(approvalId, shownKey(version, renderedAt));
    if (stored !== null) return { version, digest: stored.digest, hidden, ...(keepable(stored) ? { view: stored.view } : {}) };
    if (state.version !== version) return undefined;
    const card = sentCard(this.deps.notifier.render(state, renderedAt));
    return { version, digest: card.digest, hidden, ...(keepable(card) ? { view: card.view } : {}) };
  }

  private async refuse(context: TurnContext, error: TeamsError): Promise<void> {
    await answerWithMessage(context, `${capitalise(error.message)}; nothing changed (${error.code}).`);
  }
}

/** A kept card that hashes to its digest and fits on a verdict (the trail keeps it); otherwise the digest alone is recorded. */
function keepable(card: { readonly digest: string; readonly view?: string }): card is { readonly digest: string; readonly view: string } {
  return (
    card.view !== undefined &&
    card.view.length <= MAX_SHOWN_VIEW_CHARS &&
    createHash("sha256").update(card.view, "utf8").digest("hex") === card.digest
  );
}

function approvalIdOf(data: CardActionData): string | null {
  const id = data[APPROVAL_ID_FIELD];
  return typeof id === "string" && id.length > 0 && id.length <= MAX_ID_LENGTH ? id : null;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The scope picker's value: "once", or the JSON the card put in the choice; anything else is passed on for the core to refuse. */
function scopeOfInput(value: unknown): unknown {
  if (typeof value !== "string" || value === "" || value === "once") return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
