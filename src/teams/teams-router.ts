/**
 * The Teams bot assembled: its adapter, its Teams AI application with the channel commands and card actions
 * wired in, the approval notifier sharing the same adapter, and an Express router that serves
 * `POST /api/messages` for the service's app.
 */

import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { ApprovalNotifier } from "./approval-notifier";
import { ApprovalBotAdapter, type CredentialsFactory } from "./bot-adapter";
import { ApprovalBotApplication } from "./bot-application";
import { CardActions, type CardActionData } from "./card-actions";
import { APPROVE_VERB, DENY_VERB, REFRESH_VERB } from "./card-verbs";
import { ChannelCommands } from "./channel-commands";
import type { ConversationStore } from "./conversation-store";
import {
  systemTeamsClock,
  type ApprovalPort,
  type CardPerson,
  type Masker,
  type ReviewerDirectory,
  type TeamsClock,
  type TeamsLogger,
} from "./ports";
import { describeTeamsConfig, isAuthenticated, type TeamsConfig } from "./teams-config";
import { TeamsError } from "./teams-errors";

/** The path Azure Bot Service posts activities to (the bot's "messaging endpoint"). */
export const MESSAGES_PATH = "/api/messages";

/** Largest activity accepted, in bytes. */
const BODY_LIMIT = "512kb";

/** What the bot is built from; the composition root provides real implementations. */
export interface TeamsBotDeps {
  readonly config: TeamsConfig;
  readonly approvals: ApprovalPort;
  readonly reviewers: ReviewerDirectory;
  readonly masker: Masker;
  readonly store: ConversationStore;
  readonly logger: TeamsLogger;
  readonly clock?: TeamsClock;
  /** The outbound credentials to the Bot Connector; default built from the configuration. */
  readonly credentialsFactory?: CredentialsFactory;
  /** See ApprovalCardOptions.refreshUserIds. */
  readonly refreshUserIds?: readonly string[];
  /** The service's public base URL: cards link to `<consoleBaseUrl>/console/requests/<id>`; absent: no link. */
  readonly consoleBaseUrl?: string;
  /** Display names of configured identities, by id (cards show names, not ids). */
  readonly people?: (id: string) => CardPerson | undefined;
}

/** The assembled bot. */
export interface TeamsBot {
  /** Mount on the service's Express app: serves `POST /api/messages` with its own JSON body parser. */
  readonly router: Router;
  /** Call on approval creation and on every change (see ApprovalNotifier). */
  readonly notifier: ApprovalNotifier;
}

/** Builds the bot and its router; logs whether it authenticates requests or runs in local development mode. */
export function createTeamsRouter(deps: TeamsBotDeps): TeamsBot {
  const { config, logger } = deps;
  const clock = deps.clock ?? systemTeamsClock;
  const adapter = new ApprovalBotAdapter(config, logger, deps.credentialsFactory);
  const app = new ApprovalBotApplication(adapter, config.appId);
  const notifier = new ApprovalNotifier({
    adapter,
    appId: config.appId ?? "",
    store: deps.store,
    approvals: deps.approvals,
    masker: deps.masker,
    logger,
    clock,
    defaultChannel: config.defaultChannel,
    ...(deps.refreshUserIds === undefined ? {} : { refreshUserIds: deps.refreshUserIds }),
    ...(deps.consoleBaseUrl === undefined ? {} : { consoleBaseUrl: deps.consoleBaseUrl }),
    ...(deps.people === undefined ? {} : { people: deps.people }),
  });
  const commands = new ChannelCommands({ config, store: deps.store, reviewers: deps.reviewers, logger, clock });
  const actions = new CardActions({ config, approvals: deps.approvals, reviewers: deps.reviewers, notifier, store: deps.store, logger });

  app.conversationUpdate("membersAdded", async (context) => {
    const botId = context.activity.recipient?.id;
    if (context.activity.membersAdded?.some((m) => m.id === botId)) await commands.onInstalled(context);
  });
  app.conversationUpdate("membersRemoved", async (context) => {
    const botId = context.activity.recipient?.id;
    if (context.activity.membersRemoved?.some((m) => m.id === botId)) await commands.onRemoved(context);
  });
  app.activity("message", async (context) => commands.onMessage(context));
  app.adaptiveCards.actionExecute<CardActionData>([APPROVE_VERB, DENY_VERB], async (context, _state, data) => {
    await actions.onVerdict(context, data);
    return ""; // the invoke response is already set
  });
  app.adaptiveCards.actionExecute<CardActionData>(REFRESH_VERB, async (context, _state, data) => {
    await actions.onRefresh(context, data);
    return "";
  });
  app.error(async (_context, err) => {
    logger.error("teams turn failed", { code: "COUNTERSIGN_TEAMS_INTERNAL", cause: err.message });
  });

  const router = express.Router();
  router.post(MESSAGES_PATH, express.json({ limit: BODY_LIMIT }), (req, res) =>
    adapter.handle(req, res, async (context) => void (await app.run(context))),
  );
  router.use(MESSAGES_PATH, (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const error = new TeamsError("COUNTERSIGN_TEAMS_BAD_ACTIVITY");
    res.status(error.status).json(error.toBody());
  });

  if (isAuthenticated(config)) {
    logger.info("teams bot ready: inbound activities are authenticated", describeTeamsConfig(config));
  } else {
    logger.warn(
      "teams bot in LOCAL DEVELOPMENT MODE: no teams.app_id is configured, so inbound activities are NOT authenticated and replies go only to loopback service URLs (Bot Framework Emulator, local tests)",
      describeTeamsConfig(config),
    );
  }
  return { router, notifier };
}
