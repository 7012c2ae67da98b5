/**
 * The decision service's composition root: configuration → identities → policy engine → decide use case
 * → Express app → listening socket, and the way back down on shutdown.
 *
 * Nothing else constructs real implementations; every other module receives what it needs.
 */

import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import { loadServiceConfig, type ConfigEnv, type ConfigOverrides } from "./config/config-loader";
import type { ConfigSource, ServiceConfig } from "./config/service-config";
import { BundleDirectorySource } from "./engine/bundle-directory-source";
import { PolicyEngine } from "./engine/policy-engine";
import type { PolicySource } from "./engine/policy-source";
import { RegoDirectorySource } from "./engine/rego-directory-source";
import { createApp } from "./http/app";
import { createAuthenticator } from "./identity/authenticator";
import { IdentityDirectory } from "./identity/identity-directory";
import { createJwtVerifier } from "./identity/jwt-verifier";
import { decisionLog } from "./observability/decision-log";
import { createLogger, type Logger } from "./observability/logger";
import { policyCheck } from "./observability/policy-check";
import { checkReadiness, type ReadinessCheck } from "./observability/readiness";
import { redisPingCheck } from "./observability/redis-ping";
import { createServiceMetrics } from "./observability/service-metrics";
import { systemClock, type Clock } from "./policy/clock";
import { createDecideUseCase } from "./service/decide";
import { uuidV7Generator, type IdGenerator } from "./service/decision-id";
import type { DecisionPolicy } from "./service/decision-policy";
import { ServiceStartError } from "./service/service-start-error";

/** Entrypoints a Rego directory is compiled with besides the decision, when its sources define them. */
const OPTIONAL_ENTRYPOINTS = ["countersign/reviewer"];

/** How to assemble the service from a validated configuration. */
export interface AssembleOptions {
  /** `--watch-rego <dir>`: serve Rego sources compiled in memory, recompiled on save, instead of bundles. */
  readonly watchRegoDir?: string;
  /** Watch the bundle directory (or Rego sources) for changes; default true. */
  readonly watch?: boolean;
  /** Defaults to the system clock. */
  readonly clock?: Clock;
  /** Defaults to UUIDv7 over the clock. */
  readonly ids?: IdGenerator;
  /** Defaults to a JSON logger on standard output at the configured level. */
  readonly logger?: Logger;
}

/** The wired service, not yet listening. */
export interface AssembledService {
  readonly app: Express;
  readonly source: PolicySource;
  readonly policy: DecisionPolicy;
  readonly logger: Logger;
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
  readonly app: Express;
  /** `http://host:port` it listens on. */
  readonly url: string;
  readonly port: number;
  readonly source: PolicySource;
  readonly logger: Logger;
  /** Stops accepting connections, lets requests in flight finish (at most `graceMs`), stops watching. */
  close(graceMs?: number): Promise<void>;
}

/** Adapts the engine and its source to the interface the decide use case owns. */
export function decisionPolicyOf(engine: PolicyEngine, source: PolicySource): DecisionPolicy {
  return {
    decide: (input, decisionId) => engine.decide(input, { decision_id: decisionId }),
    status: () => {
      const s = source.status();
      const problem = s.ready
        ? s.lastFailure === null
          ? undefined
          : `last refused: ${s.lastFailure.file}: ${s.lastFailure.reason}`
        : s.lastFailure === null
          ? `no decision bundle ${s.decisionBundle} loaded from ${s.location}`
          : `no decision bundle loaded; last refused ${s.lastFailure.file}: ${s.lastFailure.reason}`;
      return {
        ready: s.ready,
        active: s.active === null ? [] : [{ bundle: s.active.bundle, revision: s.active.revision }],
        reloadFailures: s.reloadFailures,
        ...(problem === undefined ? {} : { problem }),
      };
    },
  };
}

/**
 * Wires the service from a validated configuration and loads the policy (the first load is done when this
 * resolves); tests call this with a captured logger and drive `app` with supertest.
 */
export async function assembleService(config: ServiceConfig, opts: AssembleOptions = {}): Promise<AssembledService> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger({ level: config.log.level });
  const watch = opts.watch ?? true;

  const directory = new IdentityDirectory(config.identities);
  const jwt = config.auth.jwt === undefined ? undefined : createJwtVerifier(config.auth.jwt, clock);
  const authenticator = createAuthenticator(directory, jwt);

  const source: PolicySource =
    opts.watchRegoDir === undefined
      ? new BundleDirectorySource({ dir: config.bundles.dir, decisionBundle: config.bundles.decision, logger, clock, watch })
      : new RegoDirectorySource({ dir: opts.watchRegoDir, logger, clock, watch, optionalEntrypoints: OPTIONAL_ENTRYPOINTS });
  await source.start();
  const engine = new PolicyEngine(source, { timeoutMs: config.policy.timeoutMs, logger });
  const policy = decisionPolicyOf(engine, source);

  const metrics = createServiceMetrics({ policyStatus: () => policy.status() });
  const decide = createDecideUseCase({
    policy,
    clock,
    ids: opts.ids ?? uuidV7Generator(clock),
    observers: [metrics.observer, decisionLog(logger)],
  });

  const checks: ReadinessCheck[] = [policyCheck(policy)];
  if (config.redis !== undefined) checks.push(redisPingCheck(config.redis.url));
  const app = createApp({
    decide,
    authenticator,
    readiness: () => checkReadiness(checks),
    metrics: metrics.registry,
    logger,
    bodyLimitBytes: config.server.bodyLimitBytes,
  });
  return { app, source, policy, logger };
}

/** Loads the configuration, wires everything and listens. Throws ConfigError or ServiceStartError. */
export async function startService(opts: StartOptions): Promise<RunningService> {
  const { config, source: configSource } = loadServiceConfig(opts.env, opts.overrides);
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

  const { app, source, policy } = await assembleService(config, { ...opts, logger });
  let server: Server;
  try {
    server = await listen(app, config.server.port, config.server.host);
  } catch (err) {
    await source.close();
    const e = err as NodeJS.ErrnoException;
    const why = e.code === "EADDRINUSE" ? "the address is already in use" : e.code === "EACCES" ? "permission denied" : e.message;
    throw new ServiceStartError("COUNTERSIGN_LISTEN_FAILED", `cannot listen on ${config.server.host}:${config.server.port}: ${why}`);
  }
  const port = (server.address() as AddressInfo).port;
  const shownHost = config.server.host === "0.0.0.0" || config.server.host === "::" ? "localhost" : config.server.host;
  const url = `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${port}`;
  const status = policy.status();
  logger.info(`countersign decision service listening on ${url}`, {
    host: config.server.host,
    port,
    policy_source: opts.watchRegoDir === undefined ? config.bundles.dir : `${opts.watchRegoDir} (watching Rego sources)`,
    policy: status.active,
    redis: config.redis === undefined ? "not configured" : "configured",
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
    close(graceMs = 10_000): Promise<void> {
      closing ??= (async () => {
        logger.info("shutting down: no new connections; waiting for requests in flight");
        await closeServer(server, graceMs);
        await source.close();
        logger.info("stopped");
      })();
      return closing;
    },
  };
}

function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once("listening", () => {
      server.off("error", reject);
      resolve(server);
    });
    server.once("error", reject);
  });
}

/** Closes the server: idle keep-alive connections at once, busy ones when done or at the deadline. */
function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
    deadline.unref();
    server.close(() => {
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}
