/**
 * Teams-shaped activities, as Microsoft Teams' channel service posts them to a bot's messaging endpoint:
 * installation in a team or group chat, channel messages that @mention the bot, and Universal Actions
 * (`adaptiveCard/action`) invokes from an approval card.
 */

import { TENANT, type DevReviewer } from "./in-memory-approvals";

/** The bot's app id in tests, and its Teams id. */
export const BOT_APP_ID = "3b07a000-0000-4000-8000-00000000b07a";
export const BOT = { id: `28:${BOT_APP_ID}`, name: "Countersign" };

/** A team channel (the General channel's id is the team's id). */
export interface TestConversation {
  readonly id: string;
  readonly conversationType: "channel" | "groupChat" | "personal";
  readonly teamName?: string;
  readonly channelName?: string;
  readonly chatName?: string;
  readonly tenantId?: string;
}

/** The approvals channel of the Platform team. */
export const APPROVALS_CHANNEL: TestConversation = {
  id: "19:approvals0000000000000000@thread.tacv2",
  conversationType: "channel",
  teamName: "Platform",
  channelName: "Prod Approvals",
};

/** The DBA team's General channel. */
export const DBA_CHANNEL: TestConversation = {
  id: "19:dba00000000000000000000000@thread.tacv2",
  conversationType: "channel",
  teamName: "DBA",
};

/** A group chat. */
export const SECURITY_CHAT: TestConversation = {
  id: "19:security-chat@thread.v2",
  conversationType: "groupChat",
  chatName: "Security reviewers",
};

let sequence = 0;

function base(
  conversation: TestConversation,
  serviceUrl: string,
  from: { id: string; name: string; aadObjectId?: string },
): Record<string, unknown> {
  const tenantId = conversation.tenantId ?? TENANT;
  const channelData: Record<string, unknown> = { tenant: { id: tenantId } };
  if (conversation.conversationType === "channel") {
    channelData["team"] = {
      id: conversation.id,
      name: conversation.teamName ?? "Team",
      aadGroupId: "00000000-0000-4000-8000-0000000000aa",
    };
    channelData["channel"] = { id: conversation.id, ...(conversation.channelName === undefined ? {} : { name: conversation.channelName }) };
  }
  return {
    id: `f:${++sequence}`,
    channelId: "msteams",
    serviceUrl,
    timestamp: new Date().toISOString(),
    localTimestamp: new Date().toISOString(),
    from,
    recipient: BOT,
    conversation: {
      id: conversation.id,
      conversationType: conversation.conversationType,
      isGroup: conversation.conversationType !== "personal",
      tenantId,
      ...(conversation.chatName === undefined ? {} : { name: conversation.chatName }),
    },
    channelData,
    locale: "en-US",
  };
}

function userOf(reviewer: Pick<DevReviewer, "teamsId" | "name" | "aadObjectId">): { id: string; name: string; aadObjectId: string } {
  return { id: reviewer.teamsId, name: reviewer.name, aadObjectId: reviewer.aadObjectId };
}

/** The bot was added to a team (installed) or a group chat. */
export function botAdded(conversation: TestConversation, serviceUrl: string, by: DevReviewer): Record<string, unknown> {
  const activity = base(conversation, serviceUrl, userOf(by));
  activity["type"] = "conversationUpdate";
  activity["membersAdded"] = [{ id: BOT.id }];
  (activity["channelData"] as Record<string, unknown>)["eventType"] = "teamMemberAdded";
  return activity;
}

/** The bot was removed. */
export function botRemoved(conversation: TestConversation, serviceUrl: string, by: DevReviewer): Record<string, unknown> {
  const activity = base(conversation, serviceUrl, userOf(by));
  activity["type"] = "conversationUpdate";
  activity["membersRemoved"] = [{ id: BOT.id }];
  (activity["channelData"] as Record<string, unknown>)["eventType"] = "teamMemberRemoved";
  return activity;
}

/** A message that @mentions the bot, in a new thread of a channel (or in a chat). */
export function mentionMessage(
  conversation: TestConversation,
  serviceUrl: string,
  from: { id: string; name: string; aadObjectId?: string },
  text: string,
): Record<string, unknown> {
  const activity = base(conversation, serviceUrl, from);
  const id = String(1700000000000 + ++sequence);
  activity["id"] = id;
  activity["type"] = "message";
  activity["textFormat"] = "plain";
  activity["text"] = `<at>${BOT.name}</at>&nbsp;${text}`;
  activity["entities"] = [{ type: "mention", text: `<at>${BOT.name}</at>`, mentioned: BOT }];
  if (conversation.conversationType === "channel") {
    (activity["conversation"] as Record<string, unknown>)["id"] = `${conversation.id};messageid=${id}`;
  }
  return activity;
}

/** A reviewer's message. */
export function reviewerMessage(
  conversation: TestConversation,
  serviceUrl: string,
  reviewer: DevReviewer,
  text: string,
): Record<string, unknown> {
  return mentionMessage(conversation, serviceUrl, userOf(reviewer), text);
}

/** A click on an `Action.Execute` button of the card `replyToId` (or Teams' automatic refresh). */
export function cardAction(
  conversation: TestConversation,
  serviceUrl: string,
  from: { id: string; name: string; aadObjectId?: string },
  verb: string,
  data: Record<string, unknown>,
  options: { replyToId?: string; trigger?: "manual" | "automatic" } = {},
): Record<string, unknown> {
  const activity = base(conversation, serviceUrl, from);
  activity["type"] = "invoke";
  activity["name"] = "adaptiveCard/action";
  if (options.replyToId !== undefined) activity["replyToId"] = options.replyToId;
  activity["value"] = {
    action: { type: "Action.Execute", id: `${verb}-button`, verb, data },
    trigger: options.trigger ?? "manual",
  };
  return activity;
}

/** A reviewer clicks. */
export function reviewerClick(
  conversation: TestConversation,
  serviceUrl: string,
  reviewer: DevReviewer,
  verb: string,
  data: Record<string, unknown>,
  options: { replyToId?: string } = {},
): Record<string, unknown> {
  return cardAction(conversation, serviceUrl, userOf(reviewer), verb, data, options);
}

/** Someone Teams knows but Countersign does not. */
export const STRANGER = { id: "29:mallory-teams-id", name: "Alice", aadObjectId: "0ba11e00-0000-4000-8000-00000000beef" };
