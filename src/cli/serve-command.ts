/**
 * `countersign serve`: run the decision service until SIGTERM or SIGINT, then shut down gracefully
 * (requests in flight finish; no new connections; the embedded redis-server, if it started one, stops).
 */

import { DEFAULT_REGO_DIR } from "./serve-defaults";
import { startService, type RunningService } from "../main";
import type { CliIo } from "./cli-io";

/** Options of `countersign serve`. */
export interface ServeCommandOptions {
  readonly port?: number;
  readonly config?: string;
  readonly bundles?: string;
  /** A directory, or true for the default `rego/`. */
  readonly watchRego?: string | boolean;
  /** Read the `--watch-rego` sources as Rego v0 (bundles are compiled already, so it does not touch them). */
  readonly v0Compatible?: boolean;
}

/** Where `--watch-rego` without a directory looks. */
export { DEFAULT_REGO_DIR };

/** What the command waits on; injected so tests can stop it without signals. */
export interface ServeLifecycle {
  /** Resolves with the signal name when the service should stop. */
  stopRequested(): Promise<string>;
}

/** Stops on the first SIGTERM or SIGINT. */
export const signalLifecycle: ServeLifecycle = {
  stopRequested: () =>
    new Promise((resolve) => {
      const stop = (signal: NodeJS.Signals): void => {
        process.off("SIGTERM", stop);
        process.off("SIGINT", stop);
        resolve(signal);
      };
      process.on("SIGTERM", stop);
      process.on("SIGINT", stop);
    }),
};

/** Starts the service and resolves once it has shut down. Throws ConfigError or ServiceStartError at start. */
export async function runServeCommand(
  opts: ServeCommandOptions,
  io: CliIo,
  env: Readonly<Record<string, string | undefined>> = process.env,
  lifecycle: ServeLifecycle = signalLifecycle,
  started?: (service: RunningService) => void,
): Promise<void> {
  const service = await startService({
    env,
    overrides: {
      ...(opts.config === undefined ? {} : { configPath: opts.config }),
      ...(opts.port === undefined ? {} : { port: opts.port }),
      ...(opts.bundles === undefined ? {} : { bundlesDir: opts.bundles }),
    },
    ...(opts.watchRego === undefined || opts.watchRego === false
      ? {}
      : { watchRegoDir: opts.watchRego === true ? DEFAULT_REGO_DIR : opts.watchRego }),
    ...(opts.v0Compatible === true ? { watchRegoVersion: 0 as const } : {}),
  });
  // With the in-process MCP gateway, the agent closing stdin ends the service too (it launched it).
  const gatewayDone = service.mcpGateway?.done.then(() => "the MCP agent's end of stdio");
  const stop = gatewayDone === undefined ? lifecycle.stopRequested() : Promise.race([lifecycle.stopRequested(), gatewayDone]);
  const configName = service.configSource.kind === "example" ? "example development configuration" : service.configSource.path;
  const redis =
    service.embeddedRedis === undefined ? "" : `, embedded Redis ${service.embeddedRedis.url} (data in ${service.embeddedRedis.dir})`;
  io.err(`countersign: serving decisions on ${service.url}/v1/decide (${configName}${redis}); Ctrl-C to stop`);
  started?.(service);
  const signal = await stop;
  service.logger.info(`received ${signal}`);
  await service.close();
}
