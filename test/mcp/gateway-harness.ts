/**
 * Test helpers for the MCP gateway: the real Countersign service listening on a loopback port (the example
 * policy, a real redis-server), an upstream tool server from the SDK (spawned over stdio, or served over
 * Streamable HTTP in this process), an agent that is the SDK's own client, and a reviewer who finds held
 * calls in their inbox and decides them through the API.
 */

import * as fs from "node:fs";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { RequestListener } from "node:http";
import { AUTH, eventually } from "../http/service-harness";

/** The repository root. */
export const ROOT = path.join(__dirname, "..", "..");
/** The SDK-built upstream tool server (`node tool-server.cjs CALL_LOG [NAME]`). */
export const TOOL_SERVER = path.join(__dirname, "fixtures", "tool-server.cjs");
/** The example policy's entrypoints the gateway uses: the decision, and the tools/list query. */
export const GATEWAY_ENTRYPOINTS = ["countersign/decision", "countersign/mcp_hidden_tools"];
/** The built CLI. */
export const CLI = path.join(ROOT, "dist", "src", "cli", "main.js");

/** A request listener served on 127.0.0.1 at a free port. */
export async function listenOnLoopback(
  app: RequestListener,
): Promise<{ url: string; port: number; server: HttpServer; close(): Promise<void> }> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The calls an upstream recorded (one JSON line per call). */
export function recordedCalls(log: string): { server: string; name: string; args: Record<string, unknown> }[] {
  if (!fs.existsSync(log)) return [];
  return fs
    .readFileSync(log, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as { server: string; name: string; args: Record<string, unknown> });
}

/** The SDK tool server over Streamable HTTP in this process (stateless: one server per request). */
export async function httpToolServer(name: string, log: string): Promise<{ url: string; close(): Promise<void> }> {
  const { createToolServer } = require(TOOL_SERVER) as {
    createToolServer: (
      name: string,
      record: (n: string, a: unknown) => void,
    ) => { connect(t: unknown): Promise<void>; close(): Promise<void> };
  };
  const record = (tool: string, args: unknown): void => fs.appendFileSync(log, JSON.stringify({ server: name, name: tool, args }) + "\n");
  const listening = await listenOnLoopback((req, res) => {
    const server = createToolServer(name, record);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    void server.connect(transport).then(() => transport.handleRequest(req, res));
  });
  return { url: `${listening.url}/mcp`, close: listening.close };
}

/** An SDK client that launched the gateway CLI over stdio with these arguments (and GW_KEY in its environment). */
export async function stdioAgent(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ client: Client; transport: StdioClientTransport; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "mcp-gateway", ...args],
    env: { PATH: process.env["PATH"] ?? "", GW_KEY: "dev-caller-key", ...env },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const client = new Client({ name: "test-agent", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport, stderr: () => stderr };
}

/** A pending request in a reviewer's inbox. */
export interface InboxItem {
  id: string;
  request: {
    action: { name: string; params: Record<string, unknown> };
    actor: Record<string, unknown>;
    resource: Record<string, unknown>;
    context: Record<string, unknown>;
  };
}

/** The reviewer's view of Countersign's approval API. */
export function reviewer(base: string, auth: string = AUTH.bob) {
  const call = async (method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${base}${p}`, {
      method,
      headers: { authorization: auth, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  };
  return {
    inbox: async (): Promise<InboxItem[]> => (await call("GET", "/v1/approvals?status=pending")).body.approvals as InboxItem[],
    /** Waits for the held call of this tool with these arguments to appear in the inbox. */
    held: (action: string, params: Record<string, unknown>): Promise<InboxItem> =>
      eventually(
        async () => {
          const items = (await call("GET", "/v1/approvals?status=pending")).body.approvals as InboxItem[];
          return items.find((i) => i.request.action.name === action && JSON.stringify(i.request.action.params) === JSON.stringify(params));
        },
        `a pending request for ${action} ${JSON.stringify(params)}`,
      ),
    verdict: (id: string, verdict: "approve" | "deny", comment?: string) =>
      call("POST", `/v1/approvals/${id}/verdicts`, { verdict, ...(comment === undefined ? {} : { comment }) }),
    read: (id: string, as: string = AUTH.caller) =>
      fetch(`${base}/v1/approvals/${id}`, { headers: { authorization: as } }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as any,
      })),
  };
}
