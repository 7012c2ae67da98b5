/**
 * What `startService` tells the operator as it starts: the configuration in use (a loud warning for the
 * public example one) and the mode, then where the service listens, with which policy and which Redis, and
 * why it is not ready when no decision bundle is loaded.
 */

import type { LoadedConfig } from "../config/config-loader";
import type { ServiceConfig } from "../config/service-config";
import type { Logger } from "../observability/logger";
import type { DecisionPolicy } from "./decision-policy";

/** Logs where the configuration came from and the development mode. */
export function logConfiguration(loaded: LoadedConfig, logger: Logger): void {
  const { config, source } = loaded;
  if (source.kind === "example") {
    logger.warn(
      `no configuration given (--config or COUNTERSIGN_CONFIG): using the example development configuration ${source.path}, ` +
        "whose identities and API keys are public; never use it in production",
      { config: source.path, mode: config.mode },
    );
  } else {
    logger.info(`configuration ${source.path}`, { config: source.path, mode: config.mode });
  }
  if (config.mode === "development") logger.warn("running in development mode (NODE_ENV is not production)");
}

/** Logs the listening address and the policy served; an error when no decision bundle is loaded. */
export function logListening(
  config: ServiceConfig,
  at: { url: string; port: number },
  policy: DecisionPolicy,
  extra: { watchRegoDir: string | undefined; embeddedRedis: boolean },
  logger: Logger,
): void {
  const status = policy.status();
  logger.info(`countersign decision service listening on ${at.url}`, {
    host: config.server.host,
    port: at.port,
    policy_source: extra.watchRegoDir === undefined ? config.bundles.dir : `${extra.watchRegoDir} (watching Rego sources)`,
    policy: status.active,
    redis: extra.embeddedRedis ? "embedded" : "configured",
  });
  if (!status.ready) logger.error(`not ready: ${status.problem ?? "no decision bundle"}; every decision is denied until one loads`);
}
