/**
 * One upstream MCP server, reached through the SDK's own client: spawned and spoken to over stdio, or
 * reached over Streamable HTTP. It lists what the server offers (following pagination) and forwards
 * requests with a deadline; a server that crashed or closed is reported as down, and every later call to it
 * fails at once with a clear error instead of hanging.
 *
 * A stdio upstream is started with the SDK's default environment (PATH, HOME and the like), never the
 * gateway's own: the Countersign API key the gateway holds is not handed to the tools it guards.
 */

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  CallToolResultSchema,
  ErrorCode,
  McpError,
  ResultSchema,
  type CallToolResult,
  type Prompt,
  type Resource,
  type ResourceTemplate,
  type ServerCapabilities,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { GatewayError } from "./gateway-error";
import type { UpstreamSpec } from "./upstream-spec";

/** The gateway's name and version as upstreams see it. */
export const GATEWAY_INFO = { name: "countersign-mcp-gateway", version: "0.1.0" } as const;

/** The most pages one listing follows (a server that paginates forever is cut off). */
const MAX_PAGES = 100;

/** A connected upstream. */
export class Upstream {
  private down: string | undefined;

  private constructor(
    readonly spec: UpstreamSpec,
    private readonly client: Client,
    private readonly timeoutMs: number,
  ) {
    client.onclose = () => {
      this.down ??= "the connection closed";
    };
  }

  /** Connects (spawning the command for stdio); throws COUNTERSIGN_GATEWAY_UPSTREAM_FAILED. */
  static async connect(spec: UpstreamSpec, timeoutMs: number, opts: { stderr?: "inherit" | "ignore" | "pipe" } = {}): Promise<Upstream> {
    const transport: Transport =
      spec.kind === "stdio"
        ? new StdioClientTransport({ command: spec.command, args: [...spec.args], stderr: opts.stderr ?? "inherit" })
        : new StreamableHTTPClientTransport(spec.url);
    const client = new Client(GATEWAY_INFO, { capabilities: {} });
    try {
      await client.connect(transport, { timeout: Math.min(timeoutMs, 30_000) });
    } catch (err) {
      await client.close().catch(() => undefined);
      throw new GatewayError(
        "COUNTERSIGN_GATEWAY_UPSTREAM_FAILED",
        `upstream ${spec.name} (${describe(spec)}) could not be connected: ${(err as Error).message}`,
      );
    }
    return new Upstream(spec, client, timeoutMs);
  }

  /** What the server declared at initialization. */
  capabilities(): ServerCapabilities {
    return this.client.getServerCapabilities() ?? {};
  }

  /** Every tool, across pages. */
  async tools(): Promise<Tool[]> {
    return this.pages(async (cursor) => {
      const r = await this.client.listTools(cursor === undefined ? {} : { cursor }, this.options());
      return [r.tools, r.nextCursor];
    });
  }

  /** Every resource, across pages (empty when the server has none). */
  async resources(): Promise<Resource[]> {
    if (this.capabilities().resources === undefined) return [];
    return this.pages(async (cursor) => {
      const r = await this.client.listResources(cursor === undefined ? {} : { cursor }, this.options());
      return [r.resources, r.nextCursor];
    });
  }

  /** Every resource template, across pages. */
  async resourceTemplates(): Promise<ResourceTemplate[]> {
    if (this.capabilities().resources === undefined) return [];
    return this.pages(async (cursor) => {
      const r = await this.client.listResourceTemplates(cursor === undefined ? {} : { cursor }, this.options());
      return [r.resourceTemplates, r.nextCursor];
    });
  }

  /** Every prompt, across pages. */
  async prompts(): Promise<Prompt[]> {
    if (this.capabilities().prompts === undefined) return [];
    return this.pages(async (cursor) => {
      const r = await this.client.listPrompts(cursor === undefined ? {} : { cursor }, this.options());
      return [r.prompts, r.nextCursor];
    });
  }

  /** Calls a tool with exactly these arguments; the result comes back as the server gave it. */
  async callTool(name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult> {
    this.ensureUp();
    return (await this.client.callTool({ name, arguments: args }, CallToolResultSchema, this.options(signal))) as CallToolResult;
  }

  /** Forwards any other request untouched; the answer is the server's. */
  async forward(method: string, params: Record<string, unknown> | undefined, signal?: AbortSignal): Promise<Record<string, unknown>> {
    this.ensureUp();
    return (await this.client.request(
      { method, ...(params === undefined ? {} : { params }) },
      ResultSchema.passthrough(),
      this.options(signal),
    )) as Record<string, unknown>;
  }

  /** Closes the connection (and ends a spawned server). */
  async close(): Promise<void> {
    this.down ??= "the gateway closed it";
    await this.client.close().catch(() => undefined);
  }

  private ensureUp(): void {
    if (this.down !== undefined) throw new McpError(ErrorCode.InternalError, `upstream ${this.spec.name} is unavailable: ${this.down}`);
  }

  private options(signal?: AbortSignal): { timeout: number; signal?: AbortSignal } {
    return { timeout: this.timeoutMs, ...(signal === undefined ? {} : { signal }) };
  }

  private async pages<T>(page: (cursor: string | undefined) => Promise<[T[], string | undefined]>): Promise<T[]> {
    this.ensureUp();
    const all: T[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      const [items, next] = await page(cursor);
      all.push(...items);
      if (next === undefined || next === "") break;
      cursor = next;
    }
    return all;
  }
}

function describe(spec: UpstreamSpec): string {
  return spec.kind === "stdio" ? `stdio: ${spec.command}` : spec.url.origin + spec.url.pathname;
}
