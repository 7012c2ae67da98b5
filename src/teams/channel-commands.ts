/**
 * Channel routing from inside Teams: the bot subscribes a team channel or group chat when it is installed
 * there, and answers `subscribe <name>`, `unsubscribe [<name>]`, `status` and `help` messages.
 *
 * Anyone may ask for `status`; only configured reviewers (with one of `channel_admin_roles`, when set) may
 * change where approval cards go, because routing decides who sees requests.
 */

import type { Activity, TurnContext } from "botbuilder";
import { actingReviewer } from "./acting-reviewer";
import { normalizeChannelName, slugChannelName } from "./channel-name";
import { baseConversationId, conversationReferenceOf, conversationTitle } from "./conversation-reference";
import type { ChannelSubscription, ConversationStore } from "./conversation-store";
import type { ReviewerDirectory, TeamsClock, TeamsLogger } from "./ports";
import type { TeamsConfig } from "./teams-config";
import { TeamsError } from "./teams-errors";

/** A parsed chat command. */
export type ChannelCommand =
  | { readonly kind: "subscribe"; readonly name?: string }
  | { readonly kind: "unsubscribe"; readonly name?: string }
  | { readonly kind: "status" }
  | { readonly kind: "help" };

/** What the command handlers work with. */
export interface ChannelCommandDeps {
  readonly config: TeamsConfig;
  readonly store: ConversationStore;
  readonly reviewers: ReviewerDirectory;
  readonly logger: TeamsLogger;
  readonly clock: TeamsClock;
}

/** The subscriber recorded when the bot subscribes a conversation on installation. */
export const INSTALL_SUBSCRIBER = "install";

/**
 * The command in a message's text. Mentions (`<at>Countersign</at>`), HTML and non-breaking spaces that
 * Teams puts into channel messages are ignored; anything unrecognised is `help`.
 */
export function parseChannelCommand(text: string | undefined): ChannelCommand {
  const plain = (text ?? "")
    .replace(/<at>.*?<\/at>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;|\u00a0/gi, " ")
    .trim();
  const [word = "", ...rest] = plain.split(/\s+/);
  const name = rest.length > 0 ? rest.join(" ") : undefined;
  switch (word.toLowerCase()) {
    case "subscribe":
      return name === undefined ? { kind: "subscribe" } : { kind: "subscribe", name };
    case "unsubscribe":
      return name === undefined ? { kind: "unsubscribe" } : { kind: "unsubscribe", name };
    case "status":
      return { kind: "status" };
    default:
      return { kind: "help" };
  }
}

/** Handles the commands and the bot's own installation and removal. */
export class ChannelCommands {
  constructor(private readonly deps: ChannelCommandDeps) {}

  /** Answers one message. */
  async onMessage(context: TurnContext): Promise<void> {
    const command = parseChannelCommand(context.activity.text);
    switch (command.kind) {
      case "status":
        await context.sendActivity(await this.status(context.activity));
        return;
      case "help":
        await context.sendActivity(HELP);
        return;
      case "subscribe":
      case "unsubscribe": {
        const refusal = await this.checkAdmin(context.activity);
        if (refusal !== null) {
          await context.sendActivity(`${refusal.message} (${refusal.code}).`);
          return;
        }
        await context.sendActivity(
          command.kind === "subscribe"
            ? await this.subscribe(context.activity, command.name)
            : await this.unsubscribe(context.activity, command.name),
        );
        return;
      }
    }
  }

  /** The bot was added to a conversation: subscribe it under its default name when that name is free. */
  async onInstalled(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const type = activity.conversation?.conversationType;
    if (type !== "channel" && type !== "groupChat") {
      await context.sendActivity(`Countersign posts approval cards in team channels and group chats.\n\n${HELP}`);
      return;
    }
    const name = this.defaultName(activity);
    const subscription = this.subscription(activity, name, INSTALL_SUBSCRIBER);
    const conversationId = subscription.reference.conversation?.id;
    const stored =
      (await this.deps.store.subscribeIfFree(subscription)) ||
      (await this.deps.store.channel(name))?.reference.conversation?.id === conversationId;
    this.deps.logger.info("teams bot installed", { conversationType: type, channel: name, subscribed: stored });
    await context.sendActivity(
      stored
        ? `Countersign is here. Approval requests for channel \`${name}\` will be posted in this conversation.\n\n${HELP}`
        : `Countersign is here. The channel name \`${name}\` is already subscribed in another conversation; say \`subscribe <name>\` to route a channel here.\n\n${HELP}`,
    );
  }

  /** The bot was removed from a conversation: forget every subscription that pointed at it. */
  async onRemoved(context: TurnContext): Promise<void> {
    const conversationId = baseConversationId(context.activity.conversation?.id ?? "");
    const subscriptions = await this.deps.store.channelsFor(conversationId);
    for (const s of subscriptions) await this.deps.store.unsubscribe(s.name, conversationId);
    this.deps.logger.info("teams bot removed", { channels: subscriptions.map((s) => s.name) });
  }

  private async subscribe(activity: Activity, requested: string | undefined): Promise<string> {
    const name = requested === undefined ? this.defaultName(activity) : normalizeChannelName(requested);
    if (name === null) return `${new TeamsError("COUNTERSIGN_TEAMS_CHANNEL_NAME_INVALID").message}.`;
    const who = await actingReviewer(activity, this.deps.config, this.deps.reviewers);
    const subscriber = who.ok ? who.reviewer.id : "unknown";
    const subscription = this.subscription(activity, name, subscriber);
    const previous = await this.deps.store.subscribe(subscription);
    const movedFrom =
      previous !== null && previous.reference.conversation?.id !== subscription.reference.conversation?.id
        ? ` It was routed to ${previous.title ? `"${previous.title}"` : "another conversation"} before.`
        : "";
    this.deps.logger.info("teams channel subscribed", { channel: name, by: subscriber, moved: movedFrom !== "" });
    return `Subscribed: approval requests for channel \`${name}\` will be posted here.${movedFrom}`;
  }

  private async unsubscribe(activity: Activity, requested: string | undefined): Promise<string> {
    const conversationId = baseConversationId(activity.conversation?.id ?? "");
    const here = await this.deps.store.channelsFor(conversationId);
    let names: string[];
    if (requested === undefined) {
      names = here.map((s) => s.name);
    } else {
      const name = normalizeChannelName(requested);
      if (name === null) return `${new TeamsError("COUNTERSIGN_TEAMS_CHANNEL_NAME_INVALID").message}.`;
      names = here.some((s) => s.name === name) ? [name] : [];
      if (names.length === 0) return `Channel \`${name}\` is not subscribed here; nothing changed.`;
    }
    if (names.length === 0) return "Nothing is subscribed here; nothing changed.";
    const removed: string[] = [];
    for (const name of names) if (await this.deps.store.unsubscribe(name, conversationId)) removed.push(name);
    this.deps.logger.info("teams channel unsubscribed", { channels: removed });
    return `Unsubscribed ${removed.map((n) => `\`${n}\``).join(", ")}: approval requests for ${removed.length === 1 ? "it" : "them"} are no longer posted here.`;
  }

  private async status(activity: Activity): Promise<string> {
    const conversationId = baseConversationId(activity.conversation?.id ?? "");
    const here = (await this.deps.store.channelsFor(conversationId)).map((s) => `\`${s.name}\``);
    const routing = `Requests whose policy names no channel go to \`${this.deps.config.defaultChannel}\`.`;
    return here.length === 0
      ? `Nothing is subscribed here. ${routing} Say \`subscribe <name>\` to route a channel here.`
      : `Subscribed here: ${here.join(", ")}. ${routing}`;
  }

  private async checkAdmin(activity: Activity): Promise<TeamsError | null> {
    const who = await actingReviewer(activity, this.deps.config, this.deps.reviewers);
    if (!who.ok) return who.error;
    const admins = this.deps.config.channelAdminRoles;
    if (admins.length > 0 && !who.reviewer.roles.some((r) => admins.includes(r)))
      return new TeamsError("COUNTERSIGN_TEAMS_NOT_CHANNEL_ADMIN");
    return null;
  }

  private defaultName(activity: Activity): string {
    const title = conversationTitle(activity);
    return this.deps.config.installChannel ?? (title === undefined ? null : slugChannelName(title)) ?? this.deps.config.defaultChannel;
  }

  private subscription(activity: Activity, name: string, subscribedBy: string): ChannelSubscription {
    const title = conversationTitle(activity);
    return {
      name,
      reference: conversationReferenceOf(activity),
      ...(title === undefined ? {} : { title }),
      subscribedAt: this.deps.clock.now(),
      subscribedBy,
    };
  }
}

const HELP = [
  "Countersign commands:",
  "- `subscribe <name>`: post approval requests for channel `<name>` here",
  "- `unsubscribe [<name>]`: stop posting `<name>` (or every channel) here",
  "- `status`: what is posted here",
].join("\n");
