/**
 * The Slack app assembled: a Bolt `App` in HTTP mode on an `ExpressReceiver` whose router serves
 * `POST /api/slack/events` and `POST /api/slack/interactions` for the service's app, behind the request
 * verification (signature, replay window, seen signatures); the Approve/Deny and modal handlers; and the
 * notifier, sharing Bolt's Web API client (whose base URL the configuration sets).
 */

import { App, ExpressReceiver, LogLevel, type Logger as BoltLogger } from "@slack/bolt";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import type { Masker, TeamsLogger } from "../teams/ports";
import type { SlackMessageStore } from "./message-store";
import { systemSlackClock, type SlackApi, type SlackApprovalPort, type SlackClock, type SlackReviewerDirectory } from "./ports";
import { verifySlackRequests } from "./request-verification";
import { APPROVE_ACTION_ID, DENY_ACTION_ID, VERDICT_CALLBACK_ID } from "./slack-actions";
import { describeSlackConfig, type SlackConfig } from "./slack-config";
import { SlackError } from "./slack-errors";
import { SlackNotifier } from "./slack-notifier";
import { VerdictInteractions, type ButtonPayload, type SubmissionPayload } from "./verdict-interactions";

/** Where Slack sends Events API requests (the manifest's `event_subscriptions.request_url`). */
export const EVENTS_PATH = "/api/slack/events";

/** Where Slack sends button clicks and modal submissions (the manifest's `interactivity.request_url`). */
export const INTERACTIONS_PATH = "/api/slack/interactions";

/** Largest inbound Slack request, in bytes. */
const BODY_LIMIT_BYTES = 512 * 1024;

/** What the app is built from; the composition root provides real implementations. */
export interface SlackAppDeps {
  readonly config: SlackConfig;
  readonly approvals: SlackApprovalPort;
  readonly reviewers: SlackReviewerDirectory;
  readonly masker: Masker;
  readonly store: SlackMessageStore;
  readonly logger: TeamsLogger;
  /** The wall clock signed timestamps are checked against (default the system clock). */
  readonly clock?: SlackClock;
}

/** The assembled app. */
export interface SlackApp {
  /** Mount on the service's Express app, before any body parser. */
  readonly router: Router;
  readonly notifier: SlackNotifier;
}

/** Builds the app and its router. */
export function createSlackApp(deps: SlackAppDeps): SlackApp {
  const { config, logger } = deps;
  const clock = deps.clock ?? systemSlackClock;
  const boltLogger = boltLoggerOf(logger);
  const receiver = new ExpressReceiver({
    // Verified in front of the receiver (with the replay window and seen signatures), so not again here.
    signatureVerification: false,
    signingSecret: config.signingSecret ?? "unused",
    endpoints: { events: EVENTS_PATH, interactions: INTERACTIONS_PATH },
    router: express.Router(),
    logger: boltLogger,
    // Ack first, then work: Slack wants an answer within 3 seconds, and every outcome is told separately.
    processBeforeResponse: false,
  });
  const app = new App({
    receiver,
    token: config.botToken,
    logger: boltLogger,
    // No auth.test on start: the service starts, and approvals work, whether or not Slack answers.
    tokenVerificationEnabled: false,
    clientOptions: {
      slackApiUrl: config.apiUrl,
      // The notification outbox retries with back-off; the client itself tries once more at most.
      retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 1000 },
      rejectRateLimitedCalls: true,
      timeout: 10_000,
    },
  });
  const api = app.client as unknown as SlackApi;
  const notifier = new SlackNotifier({ api, config, store: deps.store, approvals: deps.approvals, masker: deps.masker, logger, clock });
  const interactions = new VerdictInteractions({
    config,
    api,
    approvals: deps.approvals,
    reviewers: deps.reviewers,
    notifier,
    store: deps.store,
    masker: deps.masker,
    logger,
  });

  app.action(
    { type: "block_actions", action_id: new RegExp(`^(${escape(APPROVE_ACTION_ID)}|${escape(DENY_ACTION_ID)})$`) },
    async ({ ack, body }) => {
      await ack();
      await interactions.onButton(body as unknown as ButtonPayload);
    },
  );
  app.view(VERDICT_CALLBACK_ID, async ({ ack, body }) => {
    const payload = body as unknown as SubmissionPayload;
    const problem = interactions.validate(payload);
    if (problem !== undefined) return void (await ack(problem));
    await ack();
    await interactions.onSubmission(payload);
  });
  app.error(async (err) => {
    logger.error("slack request failed", { code: "COUNTERSIGN_SLACK_BAD_REQUEST", cause: err.message });
  });

  const router = express.Router();
  const verification = verifySlackRequests({
    ...(config.signingSecret === undefined ? {} : { signingSecret: config.signingSecret }),
    maxAgeSeconds: config.requestMaxAgeSeconds,
    clock,
    firstSighting: (signature, ttl) => deps.store.firstSighting(signature, ttl),
    logger,
    bodyLimitBytes: BODY_LIMIT_BYTES,
  });
  router.post([EVENTS_PATH, INTERACTIONS_PATH], verification, receiver.router);
  router.use([EVENTS_PATH, INTERACTIONS_PATH], (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const error = new SlackError("COUNTERSIGN_SLACK_BAD_REQUEST");
    res.status(error.status).json(error.toBody());
  });

  if (config.signingSecret === undefined) {
    logger.warn(
      "slack app: no signing secret (SLACK_SIGNING_SECRET), so every inbound Slack request is refused; messages are still posted",
      describeSlackConfig(config),
    );
  } else {
    logger.info("slack app ready: inbound requests are verified by signature", describeSlackConfig(config));
  }
  return { router, notifier };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Bolt's logger interface over the service's logger (debug and info from Bolt are kept at debug). */
function boltLoggerOf(logger: TeamsLogger): BoltLogger {
  let level = LogLevel.INFO;
  return {
    debug: () => undefined,
    info: (...msg: unknown[]) => logger.info(`slack: ${msg.map(String).join(" ")}`),
    warn: (...msg: unknown[]) => logger.warn(`slack: ${msg.map(String).join(" ")}`),
    error: (...msg: unknown[]) => logger.error(`slack: ${msg.map(String).join(" ")}`),
    setLevel: (l: LogLevel) => void (level = l),
    getLevel: () => level,
    setName: () => undefined,
  };
}
