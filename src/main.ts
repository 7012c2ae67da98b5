/**
 * The decision service's composition root: configuration → identities → Redis → audit trail → policy
 * engine → approval workflow → Teams bot, Slack app, web console → decide use case → HTTP app (decide fast lane + Express) → listening socket, and the way
 * back down on shutdown.
 *
 * Nothing else constructs real implementations; every other module receives what it needs. One ioredis
 * connection serves the audit trail, the approval workflow and the Teams conversation store. With no
 * Redis URL configured, `startService` starts the embedded redis-server (AOF on) and stops it on shutdown.
 */

import { randomUUID } from "node:crypto";
import { type RequestListener } from "node:http";
import { assembleApprovals, type AssembledApprovals, type ApprovalWorkflow } from "./approvals/assemble-approvals";
import type { IdSource } from "./approvals/id-source";
import { assembleAudit, auditSettingsOf } from "./audit/assemble-audit";
import type { AuditReader } from "./audit/audit-reader";
import type { AuditRecorder } from "./audit/audit-trail";
import { registerAuditSinkMetrics } from "./observability/audit-sink-metrics";
import { loadServiceConfig, type ConfigEnv, type ConfigOverrides } from "./config/config-loader";
import type { ConfigSource, ServiceConfig } from "./config/service-config";
import { assemblePolicy } from "./engine/assemble-policy";
import type { PolicySource } from "./engine/policy-source";
import { assembleApp } from "./http/assemble-app";
import { listenOn, type ListeningServer } from "./http/http-server";
import { createAuthenticator } from "./identity/authenticator";
import { IdentityDirectory } from "./identity/identity-directory";
import { createJwtVerifier } from "./identity/jwt-verifier";
import { decisionLog } from "./observability/decision-log";
import { createLogger, type Logger } from "./observability/logger";
import { createServiceMetrics } from "./observability/service-metrics";
import { systemClock, type Clock } from "./policy/clock";
import { assembleRedis, embeddedRedisFor } from "./redis/assemble-redis";
import type { EmbeddedRedis } from "./redis/embedded-redis";
import { createDecideUseCase } from "./service/decide";
import { uuidV7Generator, type IdGenerator } from "./service/decision-id";
import type { DecisionPolicy } from "./service/decision-policy";
import { approvalMetrics } from "./observability/approval-metrics";
import type { CredentialsFactory } from "./teams/bot-adapter";
import type { TeamsBot } from "./teams/teams-router";
import type { SlackApp } from "./slack/slack-router";
import { assembleNotifications } from "./approvals/assemble-notifications";
import { assembleSlack, slackConfigOf, type AssembledSlack } from "./slack/assemble-slack";
import { assembleTeams, teamsConfigOf, type AssembledTeams } from "./teams/assemble-teams";
import { assembleConsole, consoleConfigOf } from "./console/assemble-console";
import { assembleShadow } from "./shadow/assemble-shadow";
import { ShadowRunner } from "./shadow/shadow-runner";

/** How to assemble the service from a validated configuration. */
export interface AssembleOptions {
  /** `--watch-rego <dir>`: serve Rego sources compiled in memory, recompiled on save, instead of bundles. */
  readonly watchRegoDir?: string;
  /** `--v0-compatible`: the Rego version of `watchRegoDir` sources no `.manifest` speaks for (default 1). */
  readonly watchRegoVersion?: 0 | 1;
  /** Watch the bundle directory (or Rego sources) for changes; default true. */
  readonly watch?: boolean;
  /** Defaults to the system clock. */
  readonly clock?: Clock;
  /** Defaults to UUIDv7 over the clock. */
  readonly ids?: IdGenerator;
  /** Defaults to a JSON logger on standard output at the configured level. */
  readonly logger?: Logger;
  /** Approval ids; defaults to `apr_` and 128 random bits. */
  readonly approvalIds?: IdSource;
  /**
   * Environment variables the capabilities read at start-up: the audit mask salt and signing key
   * (COUNTERSIGN_AUDIT_MASK_SALT, COUNTERSIGN_AUDIT_SIGNING_KEY) and the Teams bot's credentials
   * (MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD, …). Default none.
   */
  readonly env?: ConfigEnv;
  /** The audit trail's instance label (`labels.id` on every entry); default a random UUID. */
  readonly instanceId?: string;
  /** A recorder in place of the audit trail on Redis (the trail is then not opened); default the trail. */
  readonly auditRecorder?: AuditRecorder;
  /** The Teams bot's outbound credentials to the Bot Connector; default built from `teams:` and MICROSOFT_APP_*. */
  readonly teamsCredentials?: CredentialsFactory;
  /** How old a leftover must be before the recovery pass settles it (default 30 s); tests shorten it. */
  readonly recoveryGraceMs?: number;
}

export type { ApprovalWorkflow } from "./approvals/assemble-approvals";

/** The wired service, not yet listening. */
export interface AssembledService {
  readonly app: RequestListener;
  readonly source: PolicySource;
  readonly policy: DecisionPolicy;
  readonly logger: Logger;
  /** The approval workflow; absent when no Redis is configured (require_approval is then denied). */
  readonly approvals?: ApprovalWorkflow;
  /** The audit trail's reader (queries, exports); absent when no Redis is configured. */
  readonly audit?: AuditReader;
  /** The Teams bot, when the `teams:` section is configured (and Redis is). */
  readonly teams?: TeamsBot;
  /** The Slack app, when the `slack:` section is configured (and Redis is). */
  readonly slack?: SlackApp;
  /** Shadow mode, when `bundles.shadow` is configured. */
  readonly shadow?: ShadowRunner;
  /** Ends the long-polls in flight at once (each answers the current state), so the server can close. */
  endLongPolls(): void;
  /**
   * Stops the expiry sweeper and the callback dispatcher, closes the audit trail (queued records settle, the
   * mirror file is flushed), the Redis connections and the policy source.
   */
  close(): Promise<void>;
}

/** How to start the service. */
export interface StartOptions extends AssembleOptions {
  /** Environment variables (PORT, REDIS_URL, NODE_ENV, COUNTERSIGN_CONFIG). */
  readonly env: ConfigEnv;
  /** Command-line overrides: --config, --port, --bundles. */
  readonly overrides?: ConfigOverrides;
}

/** A running service. */
export interface RunningService {
  readonly config: ServiceConfig;
  readonly configSource: ConfigSource;
  readonly app: RequestListener;
  /** `http://host:port` it listens on. */
  readonly url: string;
  readonly port: number;
  readonly source: PolicySource;
  readonly logger: Logger;
  /** The embedded redis-server, when no Redis URL was configured. */
  readonly embeddedRedis?: EmbeddedRedis;
  /**
   * Stops accepting connections, ends long-polls, lets requests in flight finish (at most `graceMs`), stops
   * the background work and watching, closes Redis, and stops the embedded redis-server.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * Wires the service from a validated configuration and loads the policy (the first load is done when this
 * resolves); tests call this with a captured logger and drive `app` with supertest. With `redis.url` set,
 * the audit trail and the approval workflow run on that Redis (the sweeper and callback dispatcher
 * started), and the Teams bot too when `teams:` is configured. Without one the service still starts, but it
 * cannot record decisions, so every decision is denied ("audit unavailable") and /readyz says why.
 */
export async function assembleService(config: ServiceConfig, opts: AssembleOptions = {}): Promise<AssembledService> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger({ level: config.log.level });
  const watch = opts.watch ?? true;
  const env = opts.env ?? {};

  const directory = new IdentityDirectory(config.identities);
  const jwt = config.auth.jwt === undefined ? undefined : createJwtVerifier(config.auth.jwt, clock);
  const authenticator = createAuthenticator(directory, jwt);

  // Settings that can be checked without Redis first, so a mistake stops the service before it connects.
  const auditDeps = { clock, logger, env, instanceId: opts.instanceId, recorder: opts.auditRecorder };
  const auditSettings = auditSettingsOf(config, auditDeps);
  const teamsConfig = teamsConfigOf(config, env);
  const slackConfig = slackConfigOf(config, env);
  const consoleConfig = consoleConfigOf(config, env);

  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  const connection = config.redis.url === undefined ? undefined : assembleRedis(config.redis.url, logger);
  if (connection !== undefined) closers.push(connection.close);

  try {
    const audit = await assembleAudit(auditSettings, connection, auditDeps);
    closers.push(audit.close);

    const live = await assemblePolicy(config, {
      logger,
      clock,
      watch,
      watchRegoDir: opts.watchRegoDir,
      regoVersion: opts.watchRegoVersion,
      beforeStart: (src) => audit.watchBundles(src),
    });
    closers.push(live.close);
    const { source, engine, policy } = live;

    let wired: AssembledApprovals | undefined;
    if (connection !== undefined) {
      wired = await assembleApprovals(connection, config.approvals, config.mode, {
        clock,
        logger,
        engine,
        ids: opts.approvalIds,
        audit,
        identities: directory,
        notifications: teamsConfig !== undefined || slackConfig !== undefined,
        recoveryGraceMs: opts.recoveryGraceMs,
      });
      closers.push(wired.close);
    } else {
      logger.error(
        "no Redis configured: the audit trail cannot be written, so every decision is denied (audit unavailable), and the approval workflow is off; set REDIS_URL or redis.url",
      );
    }

    let teams: AssembledTeams | undefined;
    let slack: AssembledSlack | undefined;
    if (teamsConfig !== undefined || slackConfig !== undefined) {
      if (wired === undefined) {
        logger.warn("teams/slack: configured, but reviewers' channels need the approval workflow (Redis); they are off");
      } else {
        const channel = { identities: directory, logger, clock };
        if (teamsConfig !== undefined) teams = assembleTeams(teamsConfig, wired, { ...channel, publicUrl: config.server.publicUrl, credentials: opts.teamsCredentials });
        if (slackConfig !== undefined) slack = assembleSlack(slackConfig, wired, channel);
        const sinks = [...(teams === undefined ? [] : [teams.sink]), ...(slack === undefined ? [] : [slack.sink])];
        closers.push(assembleNotifications(wired, sinks, { clock, logger, consumer: opts.instanceId ?? randomUUID() }));
      }
    }

    const metrics = createServiceMetrics({ policyStatus: () => policy.status() });
    registerAuditSinkMetrics(metrics.registry, audit.sinks ?? []);
    if (wired !== undefined) {
      const store = wired.store;
      wired.events.add(approvalMetrics(metrics.registry, { pendingCount: () => store.pendingCount() }));
    }
    const shadow = assembleShadow(config, source, { logger, clock, recorder: audit.recorder, registry: metrics.registry, watchRegoDir: opts.watchRegoDir });
    if (shadow !== undefined) closers.push(() => shadow.close());
    const decide = createDecideUseCase({
      policy,
      clock,
      ids: opts.ids ?? uuidV7Generator(clock),
      audit: audit.sink,
      observers: [metrics.observer, decisionLog(logger), ...(shadow === undefined ? [] : [shadow])],
      ...(wired === undefined ? {} : { approvals: wired.gate }),
    });

    const shutdown = new AbortController();
    const consoleParts = consoleConfig === undefined ? undefined : assembleConsole(consoleConfig, wired, { identities: directory, audit, logger, clock, shutdown: shutdown.signal });
    if (consoleParts !== undefined) closers.push(consoleParts.close);

    const before = [teams?.bot.router, slack?.app.router, consoleParts?.router].flatMap((r) => (r === undefined ? [] : [r]));
    const app = assembleApp(config, { decide, authenticator, identities: directory, policy, engine, clock, logger, metrics: metrics.registry, approvals: wired, audit: audit.reader, shadow, before, shutdown: shutdown.signal });
    let closing: Promise<void> | null = null;
    return {
      app,
      source,
      policy,
      logger,
      ...(wired === undefined ? {} : { approvals: wired.workflow }),
      ...(audit.reader === undefined ? {} : { audit: audit.reader }),
      ...(teams === undefined ? {} : { teams: teams.bot }),
      ...(slack === undefined ? {} : { slack: slack.app }),
      ...(shadow === undefined ? {} : { shadow }),
      endLongPolls: () => shutdown.abort(),
      close(): Promise<void> {
        closing ??= (async () => {
          shutdown.abort();
          await closeAll();
        })();
        return closing;
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/**
 * Loads the configuration, starts the embedded redis-server when no Redis URL is configured, wires
 * everything and listens. Throws ConfigError or ServiceStartError.
 */
export async function startService(opts: StartOptions): Promise<RunningService> {
  const loaded = loadServiceConfig(opts.env, opts.overrides);
  const configSource = loaded.source;
  let config = loaded.config;
  const logger = opts.logger ?? createLogger({ level: config.log.level });

  if (configSource.kind === "example") {
    logger.warn(
      `no configuration given (--config or COUNTERSIGN_CONFIG): using the example development configuration ${configSource.path}, ` +
        "whose identities and API keys are public; never use it in production",
      { config: configSource.path, mode: config.mode },
    );
  } else {
    logger.info(`configuration ${configSource.path}`, { config: configSource.path, mode: config.mode });
  }
  if (config.mode === "development") logger.warn("running in development mode (NODE_ENV is not production)");

  const withRedis = await embeddedRedisFor(config, logger);
  config = withRedis.config;
  const embeddedRedis = withRedis.embedded;

  let assembled: AssembledService;
  try {
    assembled = await assembleService(config, { ...opts, logger });
  } catch (err) {
    await embeddedRedis?.stop();
    throw err;
  }
  const { app, source, policy } = assembled;
  let server: ListeningServer;
  try {
    server = await listenOn(app, config.server.host, config.server.port);
  } catch (err) {
    await assembled.close();
    await embeddedRedis?.stop();
    throw err;
  }
  const { url, port } = server;
  const status = policy.status();
  logger.info(`countersign decision service listening on ${url}`, {
    host: config.server.host,
    port,
    policy_source: opts.watchRegoDir === undefined ? config.bundles.dir : `${opts.watchRegoDir} (watching Rego sources)`,
    policy: status.active,
    redis: embeddedRedis === undefined ? "configured" : "embedded",
  });
  if (!status.ready) logger.error(`not ready: ${status.problem ?? "no decision bundle"}; every decision is denied until one loads`);

  let closing: Promise<void> | null = null;
  return {
    config,
    configSource,
    app,
    url,
    port,
    source,
    logger,
    ...(embeddedRedis === undefined ? {} : { embeddedRedis }),
    close(graceMs = 10_000): Promise<void> {
      closing ??= (async () => {
        logger.info("shutting down: no new connections; ending long-polls; waiting for requests in flight");
        assembled.endLongPolls();
        await server.close(graceMs);
        await assembled.close();
        await embeddedRedis?.stop();
        logger.info("stopped");
      })();
      return closing;
    },
  };
}
