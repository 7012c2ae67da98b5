/**
 * Answers to `adaptiveCard/action` invokes (Universal Actions): a card that replaces the clicked card for
 * the clicking user, or a message shown to that user alone.
 */

import { ActivityTypes, type TurnContext } from "botbuilder";
import type { AdaptiveCard } from "./approval-card";

/** The invoke response body Teams expects for `adaptiveCard/action`. */
export type AdaptiveCardInvokeBody =
  | { readonly statusCode: 200; readonly type: "application/vnd.microsoft.card.adaptive"; readonly value: AdaptiveCard }
  | { readonly statusCode: 200; readonly type: "application/vnd.microsoft.activity.message"; readonly value: string };

/** Replaces the clicked card, for the clicking user, with `card`. */
export async function answerWithCard(context: TurnContext, card: AdaptiveCard): Promise<void> {
  await answer(context, { statusCode: 200, type: "application/vnd.microsoft.card.adaptive", value: card });
}

/** Shows `message` to the clicking user; the card stays as it is. */
export async function answerWithMessage(context: TurnContext, message: string): Promise<void> {
  await answer(context, { statusCode: 200, type: "application/vnd.microsoft.activity.message", value: message });
}

async function answer(context: TurnContext, body: AdaptiveCardInvokeBody): Promise<void> {
  await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body } });
}
