/**
 * Reading a Teams activity: the conversation reference to store for proactive posts, the tenant, and the
 * conversation's display title.
 */

import { TurnContext, type Activity } from "botbuilder";
import type { StoredReference } from "./conversation-store";

/**
 * The reference cards are posted to: the conversation itself, never a thread inside it (a channel message's
 * conversation id ends in `;messageid=…`), and without the user who happened to speak.
 */
export function conversationReferenceOf(activity: Partial<Activity>): StoredReference {
  const full = TurnContext.getConversationReference(activity);
  const conversation = full.conversation ?? activity.conversation;
  return {
    channelId: full.channelId,
    serviceUrl: full.serviceUrl,
    ...(full.locale === undefined ? {} : { locale: full.locale }),
    ...(full.bot === undefined ? {} : { bot: { id: full.bot.id, name: full.bot.name } }),
    conversation: {
      id: baseConversationId(conversation?.id ?? ""),
      isGroup: conversation?.isGroup ?? false,
      conversationType: conversation?.conversationType ?? "",
      name: conversation?.name ?? "",
      ...(conversation?.tenantId === undefined ? {} : { tenantId: conversation.tenantId }),
    },
  };
}

/** A conversation id without the thread suffix (`19:…@thread.tacv2;messageid=123` → `19:…@thread.tacv2`). */
export function baseConversationId(id: string): string {
  const at = id.indexOf(";messageid=");
  return at === -1 ? id : id.slice(0, at);
}

/** The tenant the activity comes from (lower case), from Teams' channel data or the conversation. */
export function tenantOf(activity: Partial<Activity>): string | undefined {
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const fromChannelData = typeof channelData?.tenant?.id === "string" ? channelData.tenant.id : undefined;
  const fromConversation = activity.conversation?.tenantId;
  if (fromChannelData !== undefined && fromConversation !== undefined && fromChannelData.toLowerCase() !== fromConversation.toLowerCase()) {
    return undefined; // contradictory: trust neither
  }
  return (fromChannelData ?? fromConversation)?.toLowerCase();
}

/** A human title for the conversation: the channel's name, the chat's topic, or the team's name. */
export function conversationTitle(activity: Partial<Activity>): string | undefined {
  const channelData = activity.channelData as { channel?: { name?: unknown }; team?: { name?: unknown } } | undefined;
  const candidates = [channelData?.channel?.name, activity.conversation?.name, channelData?.team?.name];
  return candidates.find((c): c is string => typeof c === "string" && c.trim() !== "");
}
