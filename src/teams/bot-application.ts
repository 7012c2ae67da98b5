/**
 * The Teams AI application the bot runs, with its typing indicator switched off.
 *
 * Teams AI 1.7 starts a timer on every message turn that posts `typing` activities after one second, and
 * `run()` starts it whatever the `startTypingTimer` option says; approval flows answer with cards and short
 * messages, so the timer is disabled here outright (and the option is set too, for when the library honours it).
 */

import { Application, type TurnState } from "@microsoft/teams-ai";
import type { TurnContext } from "botbuilder";
import type { ApprovalBotAdapter } from "./bot-adapter";

/** An Application that never sends typing indicators. */
export class ApprovalBotApplication extends Application<TurnState> {
  constructor(adapter: ApprovalBotAdapter, botAppId: string | undefined) {
    super({
      adapter,
      ...(botAppId === undefined ? {} : { botAppId }),
      startTypingTimer: false,
      longRunningMessages: false,
      removeRecipientMention: true,
    });
  }

  /** Disabled: see the file comment. */
  override startTypingTimer(_context: TurnContext): void {
    // never
  }
}
