/**
 * The Teams bot as the service runs it (the `teams:` section): verdicts through the approval service
 * (channel `teams`), reviewers and display names from the configured identities, cards stored in Redis on
 * the service's connection, and the notifier fed by the notification outbox's dispatcher (cards posted on
 * creation, updated on every verdict, cancellation and expiry), off the request path.
 */

import type { AssembledApprovals } from "../approvals/assemble-approvals";
import type { NotificationSink } from "../approvals/notification-dispatcher";
import type { ConfigEnv } from "../config/config-loader";
import type { ServiceConfig } from "../config/service-config";
import type { IdentityDirectory } from "../identity/identity-directory";
import type { Logger } from "../observability/logger";
import { maskDocument } from "../json/document-masking";
import type { Clock } from "../policy/clock";
import { ServiceStartError } from "../service/service-start-error";
import { ApprovalCorePort, identityReviewerDirectory, teamsNotificationSink } from "./approval-core-adapter";
import type { CredentialsFactory } from "./bot-adapter";
import { ConversationKeys, RedisConversationStore } from "./conversation-store";
import type { Masker } from "./ports";
import { validateTeamsConfig, type TeamsConfig } from "./teams-config";
import { TeamsError } from "./teams-errors";
import { createTeamsRouter, type TeamsBot } from "./teams-router";

/** Display masking for cards: the shared module, `[MASKED]` for the policy's fields and secret-named members. */
export const cardMasker: Masker = { mask: (value, pointers) => maskDocument(value, pointers) };

/** What the bot runs on besides its configuration and the approval workflow. */
export interface TeamsDeps {
  readonly identities: IdentityDirectory;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The service's public base URL (cards link to the console there). */
  readonly publicUrl?: string | undefined;
  /** The bot's outbound credentials to the Bot Connector; default built from the configuration. */
  readonly credentials?: CredentialsFactory | undefined;
}

/** The bot, and the sink the notification dispatcher delivers its cards through. */
export interface AssembledTeams {
  readonly bot: TeamsBot;
  readonly sink: NotificationSink;
}

/** The `teams:` section validated with the Bot Framework environment variables; undefined when absent. */
export function teamsConfigOf(config: ServiceConfig, env: ConfigEnv): TeamsConfig | undefined {
  if (config.teams === undefined) return undefined;
  try {
    return validateTeamsConfig(config.teams, env, { production: config.mode === "production" });
  } catch (err) {
    if (err instanceof TeamsError) throw new ServiceStartError("COUNTERSIGN_TEAMS_CONFIG_INVALID", `invalid configuration: ${err.message}`);
    throw err;
  }
}

/** Builds the bot on the approval workflow. */
export function assembleTeams(config: TeamsConfig, approvals: AssembledApprovals, deps: TeamsDeps): AssembledTeams {
  const directory = deps.identities;
  const names = displayNames(directory);
  const now = (): number => Number(deps.clock.nowNs() / 1_000_000n);
  const bot = createTeamsRouter({
    config,
    approvals: new ApprovalCorePort(approvals.workflow.service, names),
    people: (id) => {
      const found = directory.resolve(id);
      return found?.displayName === undefined ? undefined : { displayName: found.displayName };
    },
    ...(deps.publicUrl === undefined ? {} : { consoleBaseUrl: deps.publicUrl }),
    reviewers: identityReviewerDirectory(directory),
    masker: cardMasker,
    store: new RedisConversationStore(approvals.workflow.redis, new ConversationKeys(`${approvals.keyPrefix}teams:`)),
    logger: deps.logger,
    clock: { now },
    ...(deps.credentials === undefined ? {} : { credentialsFactory: deps.credentials }),
  });
  return { bot, sink: teamsNotificationSink(() => bot.notifier, names, now) };
}

/** The configured identities' display names, by id (those that have one). */
function displayNames(directory: IdentityDirectory): Record<string, string> {
  return Object.fromEntries(directory.all().flatMap((p) => (p.displayName === undefined ? [] : [[p.id, p.displayName]])));
}
