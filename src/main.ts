/**
 * The decision service's composition root: configuration → identities → Redis → audit trail → policy
 * engine → approval workflow → Teams bot, Slack app, web console → decide use case → HTTP app (decide fast
 * lane + Express) → listening socket, and the way back down on shutdown.
 *
 * Each capability assembles itself from the configuration in an `assemble-….ts` of its own folder; this
 * file only calls them in order and keeps what each start needs undone, undone in reverse. One ioredis
 * connection serves the audit trail, the approval workflow and the reviewers' channels. With no Redis URL
 * configured, `startService` starts the embedded redis-server (AOF on) and stops it on shutdown.
 */

import { randomUUID } from "node:crypto";
import { assembleApprovals } from "./approvals/assemble-approvals";
import { assembleNotifications } from "./approvals/assemble-notifications";
import { assembleAudit, auditSettingsOf } from "./audit/assemble-audit";
import { loadServiceConfig } from "./config/config-loader";
import type { ServiceConfig } from "./config/service-config";
import { assembleConsole, consoleConfigOf } from "./console/assemble-console";
import { assemblePolicy } from "./service/assemble-policy";
import { assembleApp } from "./http/assemble-app";
import { listenOn, type ListeningServer } from "./http/http-server";
import type { RunningGateway } from "./mcp/gateway";
import { assembleIdentity } from "./identity/assemble-identity";
import { inProcessGatewaySection, serviceDecisions, startInProcessGateway } from "./mcp/in-process-gateway";
import { assembleMetrics } from "./http/assemble-metrics";
import { decisionLog } from "./service/decision-log";
import { createLogger } from "./observability/logger";
import { systemClock } from "./policy/clock";
import { assembleRedis } from "./redis/assemble-redis";
import { createDecideUseCase } from "./service/decide";
import { uuidV7Generator } from "./service/decision-id";
import { embeddedRedisFor } from "./service/embedded-redis-at-start";
import type { AssembledService, AssembleOptions, RunningService, StartOptions } from "./http/service-options";
import { ShutdownStack } from "./service/shutdown-stack";
import { logConfiguration, logListening } from "./service/start-log";
import { assembleShadow } from "./shadow/assemble-shadow";
import { assembleSlack, slackConfigOf, type AssembledSlack } from "./slack/assemble-slack";
import { assembleTeams, teamsConfigOf, type AssembledTeams } from "./teams/assemble-teams";

export type { ApprovalWorkflow, AssembledService, AssembleOptions, RunningService, StartOptions } from "./http/service-options";

/**
 * Wires the service from a validated configuration and loads the policy (the first load is done when this
 * resolves), without listening: the caller serves `app`. With `redis.url` set, the audit trail and the
 * approval workflow run on that Redis (the sweeper and callback dispatcher started), and the reviewers'
 * channels and console too when configured. Without one the service still starts, but it cannot record
 * decisions, so every decision is denied ("audit unavailable") and /readyz says why.
 */
export async function assembleService(config: ServiceConfig, opts: AssembleOptions = {}): Promise<AssembledService> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger({ level: config.log.level });
  const env = opts.env ?? {};
  const identity = assembleIdentity(config, clock);
  const { directory } = identity;

  // Settings that can be checked without Redis first, so a mistake stops the service before it connects.
  const auditDeps = { clock, logger, env, instanceId: opts.instanceId, recorder: opts.auditRecorder };
  const auditSettings = auditSettingsOf(config, auditDeps);
  const teamsConfig = teamsConfigOf(config, env);
  const slackConfig = slackConfigOf(config, env);
  const consoleConfig = consoleConfigOf(config, env);

  const closers = new ShutdownStack();
  const connection = config.redis.url === undefined ? undefined : assembleRedis(config.redis.url, logger);
  closers.push(connection?.close);

  try {
    const audit = await assembleAudit(auditSettings, connection, auditDeps);
    closers.push(audit.close);

    const policyDeps = { logger, clock, watch: opts.watch ?? true, watchRegoDir: opts.watchRegoDir, regoVersion: opts.watchRegoVersion };
    const live = await assemblePolicy(config, { ...policyDeps, beforeStart: (source) => audit.watchBundles(source) });
    closers.push(live.close);
    const { source, engine, policy } = live;

    const notifications = teamsConfig !== undefined || slackConfig !== undefined;
    const approvalDeps = { clock, logger, engine, audit, ids: opts.approvalIds, recoveryGraceMs: opts.recoveryGraceMs };
    const approvals = await assembleApprovals(connection, config.approvals, config.mode, {
      ...approvalDeps,
      identities: directory,
      notifications,
    });
    closers.push(approvals?.close);

    let teams: AssembledTeams | undefined;
    let slack: AssembledSlack | undefined;
    if (notifications) {
      if (approvals === undefined) {
        logger.warn("teams/slack: configured, but reviewers' channels need the approval workflow (Redis); they are off");
      } else {
        const channel = { identities: directory, logger, clock };
        const teamsDeps = { ...channel, publicUrl: config.server.publicUrl, credentials: opts.teamsCredentials };
        if (teamsConfig !== undefined) teams = assembleTeams(teamsConfig, approvals, teamsDeps);
        if (slackConfig !== undefined) slack = assembleSlack(slackConfig, approvals, channel);
        const sinks = [...(teams === undefined ? [] : [teams.sink]), ...(slack === undefined ? [] : [slack.sink])];
        closers.push(assembleNotifications(approvals, sinks, { clock, logger, consumer: opts.instanceId ?? randomUUID() }));
      }
    }

    const metrics = assembleMetrics(policy, audit.sinks ?? [], approvals);
    const shadowDeps = { logger, clock, recorder: audit.shadowRecorder, registry: metrics.registry, inputTexts: live.inputTexts };
    const shadow = assembleShadow(config, source, { ...shadowDeps, watchRegoDir: opts.watchRegoDir });
    if (shadow !== undefined) closers.push(() => shadow.close());
    const decide = createDecideUseCase({
      policy,
      clock,
      ids: opts.ids ?? uuidV7Generator(clock),
      audit: audit.sink,
      observers: [metrics.observer, decisionLog(logger), ...(shadow === undefined ? [] : [shadow])],
      ...(approvals === undefined ? {} : { approvals: approvals.gate }),
    });

    const shutdown = new AbortController();
    const consoleDeps = { identities: directory, audit, logger, clock, shutdown: shutdown.signal };
    const consoleApp = consoleConfig && assembleConsole(consoleConfig, approvals, consoleDeps);
    closers.push(consoleApp?.close);

    const before = [teams?.bot.router, slack?.app.router, consoleApp?.router].flatMap((router) => (router === undefined ? [] : [router]));
    const appParts = { identity, live, decide, approvals, audit: audit.reader, shadow, before };
    const app = assembleApp(config, { ...appParts, clock, logger, metrics: metrics.registry, shutdown: shutdown.signal });
    return {
      app,
      source,
      policy,
      logger,
      ...(approvals === undefined ? {} : { approvals: approvals.workflow }),
      ...(audit.reader === undefined ? {} : { audit: audit.reader }),
      ...(teams === undefined ? {} : { teams: teams.bot }),
      ...(slack === undefined ? {} : { slack: slack.app }),
      ...(shadow === undefined ? {} : { shadow }),
      decisions: serviceDecisions(config, identity, decide),
      endLongPolls: () => shutdown.abort(),
      close(): Promise<void> {
        shutdown.abort();
        return closers.close();
      },
    };
  } catch (err) {
    await closers.close();
    throw err;
  }
}

/**
 * Loads the configuration, starts the embedded redis-server when no Redis URL is configured, wires
 * everything and listens. Throws ConfigError or ServiceStartError.
 */
export async function startService(opts: StartOptions): Promise<RunningService> {
  const loaded = loadServiceConfig(opts.env, opts.overrides);
  const gatewaySection = inProcessGatewaySection(loaded.source.kind === "file" ? loaded.source.path : undefined);
  const logger =
    opts.logger ?? createLogger({ level: loaded.config.log.level, ...(gatewaySection === undefined ? {} : { stream: process.stderr }) });
  logConfiguration(loaded, logger);
  const { config, embedded: embeddedRedis } = await embeddedRedisFor(loaded.config, logger);

  const assembled = await assembleService(config, { ...opts, logger }).catch(async (err: unknown) => {
    await embeddedRedis?.stop();
    throw err;
  });
  const { app, source, policy } = assembled;
  let server: ListeningServer | undefined;
  let mcpGateway: RunningGateway | undefined;
  try {
    server = await listenOn(app, config.server.host, config.server.port);
    const gatewayDeps = { service: assembled.decisions, host: config.server.host, port: server.port, env: opts.env, logger };
    mcpGateway = await startInProcessGateway(gatewaySection, gatewayDeps);
  } catch (err) {
    await server?.close(0);
    await assembled.close();
    await embeddedRedis?.stop();
    throw err;
  }
  logListening(config, server, policy, { watchRegoDir: opts.watchRegoDir, embeddedRedis: embeddedRedis !== undefined }, logger);

  let closing: Promise<void> | null = null;
  return {
    config,
    configSource: loaded.source,
    app,
    url: server.url,
    port: server.port,
    source,
    logger,
    ...(embeddedRedis === undefined ? {} : { embeddedRedis }),
    ...(mcpGateway === undefined ? {} : { mcpGateway }),
    close(graceMs = 10_000): Promise<void> {
      closing ??= (async () => {
        logger.info("shutting down: no new connections; ending long-polls; waiting for requests in flight");
        await mcpGateway?.close();
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
