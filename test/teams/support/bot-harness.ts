/**
 * The Teams bot under test, end to end: the real Express + botbuilder + Teams AI stack mounted like the
 * service mounts it, a private Redis for the conversation store, a fake Bot Connector recording everything
 * the bot sends, in-memory approvals, and (in authenticated mode) a fake channel token issuer with test-only
 * outbound credentials.
 */

import express from "express";
import request from "supertest";
import type { CredentialsFactory } from "../../../src/teams/bot-adapter";
import { ConversationKeys, RedisConversationStore } from "../../../src/teams/conversation-store";
import type { ApprovalPort, TeamsLogger } from "../../../src/teams/ports";
import { validateTeamsConfig, type TeamsConfig } from "../../../src/teams/teams-config";
import { createTeamsRouter, type TeamsBot } from "../../../src/teams/teams-router";
import type { TestRedis } from "../../support/redis-server";
import { startFakeBotConnector, type FakeBotConnector } from "./fake-bot-connector";
import { startFakeChannelAuth, type FakeChannelAuth } from "./fake-channel-auth";
import { devReviewerDirectory, InMemoryApprovals, REVIEWERS, TENANT, testMasker, TestClock } from "./in-memory-approvals";
import { BOT_APP_ID } from "./teams-activities";

/** The web console base URL the harness configures; cards link to `<it>/console/requests/<id>`. */
export const CONSOLE_BASE_URL = "https://countersign.test";

/** The outbound token the test credentials put on every call to the connector. */
export const OUTBOUND_TOKEN = "test-outbound-token";

/** One logged line. */
export interface LogEntry {
  readonly level: "info" | "warn" | "error";
  readonly message: string;
  readonly meta: Record<string, unknown>;
}

/** A logger that remembers. */
export class RecordingLogger implements TeamsLogger {
  readonly entries: LogEntry[] = [];
  info(message: string, meta: Record<string, unknown> = {}): void {
    this.entries.push({ level: "info", message, meta });
  }
  warn(message: string, meta: Record<string, unknown> = {}): void {
    this.entries.push({ level: "warn", message, meta });
  }
  error(message: string, meta: Record<string, unknown> = {}): void {
    this.entries.push({ level: "error", message, meta });
  }
}

/** A running bot. */
export interface BotHarness {
  readonly bot: TeamsBot;
  readonly config: TeamsConfig;
  readonly connector: FakeBotConnector;
  readonly approvals: InMemoryApprovals;
  readonly directory: ReturnType<typeof devReviewerDirectory>;
  readonly store: RedisConversationStore;
  readonly clock: TestClock;
  readonly logger: RecordingLogger;
  readonly app: express.Express;
  /** Present in authenticated mode. */
  readonly auth?: FakeChannelAuth;
  /** POSTs an activity to /api/messages. */
  send(activity: Record<string, unknown>, authorization?: string): Promise<request.Response>;
  /** Every body the bot sent out, as raw text. */
  outboundText(): string;
  close(): Promise<void>;
}

/** Options of `startBotHarness`. */
export interface HarnessOptions {
  /** Authenticated mode: an app id, channel tokens from the fake issuer, test-only outbound credentials. */
  readonly authenticated?: boolean;
  /** Extra `teams:` settings. */
  readonly teams?: Record<string, unknown>;
  /** The approvals the bot uses instead of the in-memory ones (the real approval core, say). */
  readonly approvals?: (clock: TestClock) => ApprovalPort;
}

let harnessCount = 0;

/** Starts a bot against `redis` (from `useRedisServer`). */
export async function startBotHarness(redis: TestRedis, options: HarnessOptions = {}): Promise<BotHarness> {
  const auth = options.authenticated ? await startFakeChannelAuth() : undefined;
  const connector = await startFakeBotConnector(options.authenticated ? { expectAuthorization: `Bearer ${OUTBOUND_TOKEN}` } : {});
  const raw: Record<string, unknown> = {
    default_channel: "approvals",
    ...(auth ? {} : { emulator_url: connector.serviceUrl }),
    ...options.teams,
  };
  if (auth) {
    Object.assign(raw, {
      app_id: BOT_APP_ID,
      app_type: "SingleTenant",
      tenant_id: TENANT,
      app_password: "unused-because-the-test-credentials-replace-it",
      channel_service: auth.endpoints(),
    });
  }
  const config = validateTeamsConfig(raw, {});
  const clock = new TestClock();
  const approvals = new InMemoryApprovals(clock);
  const directory = devReviewerDirectory();
  const store = new RedisConversationStore(redis.connect(), new ConversationKeys(`test:teams:${process.pid}:${++harnessCount}:`));
  const logger = new RecordingLogger();

  let credentialsFactory: CredentialsFactory | undefined;
  if (auth) {
    process.env["COUNTERSIGN_TEAMS_TEST_CREDENTIALS"] = "1";
    // Loaded only here, with the test-only switch on (the module refuses otherwise).
    const { FakeCredentialsFactory } = await import("./fake-credentials-factory");
    credentialsFactory = new FakeCredentialsFactory(BOT_APP_ID, OUTBOUND_TOKEN);
  }

  const bot = createTeamsRouter({
    config,
    approvals: options.approvals?.(clock) ?? approvals,
    reviewers: directory,
    masker: testMasker,
    store,
    logger,
    clock,
    people: (id) => {
      const found = Object.values(REVIEWERS).find((r) => r.id === id);
      return found === undefined ? undefined : { displayName: found.name };
    },
    consoleBaseUrl: CONSOLE_BASE_URL,
    ...(credentialsFactory === undefined ? {} : { credentialsFactory }),
  });
  const app = express();
  app.use(bot.router);

  return {
    bot,
    config,
    connector,
    approvals,
    directory,
    store,
    clock,
    logger,
    app,
    ...(auth === undefined ? {} : { auth }),
    send: (activity, authorization) => {
      const req = request(app).post("/api/messages").set("content-type", "application/json");
      if (authorization !== undefined) req.set("authorization", authorization);
      return req.send(JSON.stringify(activity));
    },
    outboundText: () => connector.calls.map((c) => `${c.path}\n${c.raw}`).join("\n"),
    close: async () => {
      await connector.close();
      await auth?.close();
    },
  };
}
