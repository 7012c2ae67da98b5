/**
 * Benchmark child process: the least an MCP gateway built on the official SDK can do, measured as the
 * gateway benchmark's floor. It serves the agent on stdio with the SDK's `Server` and relays `tools/list`
 * and `tools/call`, unchanged and undecided, to one upstream it spawns (`node mcp-relay.js TOOL_SERVER.cjs`)
 * through the SDK's `Client` over stdio: the two stdio hops every gateway pays, and nothing else. It is not
 * a gateway anyone should run; it lets the benchmark say how much of the gateway's cost is the relaying.
 */

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, CallToolResultSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

async function main(toolServer: string): Promise<void> {
  const upstream = new Client({ name: "bench-relay", version: "1.0.0" });
  await upstream.connect(new StdioClientTransport({ command: process.execPath, args: [toolServer], stderr: "ignore" }));
  const server = new Server({ name: "bench-relay", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => upstream.listTools());
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) =>
    upstream.callTool({ name: request.params.name, arguments: request.params.arguments ?? {} }, CallToolResultSchema, {
      signal: extra.signal,
    }),
  );
  server.onclose = () => void upstream.close();
  await server.connect(new StdioServerTransport());
}

const toolServer = process.argv[2];
if (toolServer === undefined) {
  process.stderr.write("usage: node mcp-relay.js TOOL_SERVER\n");
  process.exit(2);
}
main(toolServer).catch((err: unknown) => {
  process.stderr.write(`bench relay: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
