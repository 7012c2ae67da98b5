/**
 * `countersign mcp-gateway`: resolves the gateway's configuration (the `gateway:` section of `--config`,
 * then the flags), starts it, and runs until the stdio agent goes away or SIGTERM/SIGINT. In stdio mode
 * standard output is the MCP channel, so everything this command says goes to standard error.
 *
 * Loaded only when the command runs, and importing only the gateway, the client and the YAML reader, so
 * the gateway starts without the compiler or the service.
 */

import { resolveGatewayConfig, type GatewayFlags } from "../mcp/gateway-config";
import { readGatewaySection } from "../mcp/gateway-section";
import { startGateway } from "../mcp/gateway";
import type { CliIo } from "./cli-io";

/** The command's options as commander gives them. */
export interface McpGatewayOptions extends GatewayFlags {
  config?: string;
}

/** Runs the gateway until it is stopped. */
export async function runMcpGatewayCommand(opts: McpGatewayOptions, io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const file = opts.config ?? env["COUNTERSIGN_CONFIG"];
  const section = file === undefined ? undefined : readGatewaySection(file);
  const config = resolveGatewayConfig(section, opts, env);
  const gateway = await startGateway(config);
  const where = gateway.url ?? "stdio";
  io.err(
    `countersign mcp-gateway: serving ${where}; upstreams ${config.upstreams.map((u) => u.name).join(", ")}; deciding at ${config.countersign}` +
      (config.listen === undefined ? ` as ${config.actor}${config.onBehalfOf === undefined ? "" : ` for ${config.onBehalfOf}`}` : ""),
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
    void gateway.done.then(stop);
  });
  await gateway.close();
}

/** The `gateway:` section of a configuration file (`src/mcp/gateway-section.ts`). */
export { readGatewaySection };
