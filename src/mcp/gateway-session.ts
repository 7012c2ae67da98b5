/**
 * The MCP server one agent session talks to: an SDK `Server` whose handlers put every `tools/call` through
 * the gate (`tool-call-gate.ts`) and pass everything else to the upstreams. Resources keep their URIs and
 * are read from the upstream that listed them; prompts and tools are prefixed like each other. Any other
 * request is forwarded untouched when there is one upstream (with several there is no telling which one it
 * is for, and it is refused as an unknown method).
 *
 * Bad input never reaches an upstream undecided: an unknown tool or oversized arguments are JSON-RPC
 * `InvalidParams` errors, malformed JSON-RPC is answered by the SDK's transport, and an upstream that
 * crashed or timed out is an error naming it.
 */

import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
  type ServerCapabilities,
  type ServerNotification,
  type ServerRequest,
} from "@modelcontextprotocol/sdk/types.js";
import type { DecisionClient } from "./decision-client";
import { splitExposedName } from "./tool-catalog";
import { gateToolCall } from "./tool-call-gate";
import { agentActor, sessionContext, toolCallRequest, toolResource, type AgentIdentity, type SessionContext } from "./tool-call-request";
import type { CatalogEntry } from "./tool-catalog";
import { CLIENT_ERROR_CODES, CountersignError } from "../client/client-error";
import { GATEWAY_INFO } from "./upstream";
import type { UpstreamSet } from "./upstream-set";

/** The SDK's per-request extra, as the gateway's handlers receive it. */
export type HandlerExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Who a request comes from: the Countersign client to decide with, and the agent identity. */
export interface SessionCaller {
  readonly countersign: DecisionClient;
  readonly agent: AgentIdentity;
}

/** What a session is built from. */
export interface GatewaySessionDeps {
  readonly upstreams: UpstreamSet;
  /** The caller of a request (fixed on stdio; from the request's credentials with --listen). */
  readonly callerOf: (extra: HandlerExtra) => SessionCaller;
  readonly environment: string | undefined;
  readonly maxArgumentBytes: number;
}

/** A new MCP server for one agent session (connect it to a transport). */
export function createGatewaySession(deps: GatewaySessionDeps): Server {
  const { upstreams } = deps;
  const server = new Server(GATEWAY_INFO, {
    capabilities: gatewayCapabilities(upstreams),
    instructions: "Tool calls pass through Countersign: some run at once, some are refused, some wait for a person to approve them.",
  });

  // Handlers are aborted both by the client's notifications/cancelled and by the connection closing; only
  // the first withdraws a held call's approval request.
  let connected = true;
  server.onclose = () => {
    connected = false;
  };

  // Tools the policy denies this agent outright are left out (a read-only policy query; every call is still
  // decided, so a hidden tool called by name is denied all the same).
  server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => {
    const catalog = await upstreams.tools(true).catch(upstreamFailure("listing tools"));
    const entries = catalog.entries();
    const caller = deps.callerOf(extra);
    const hidden = await hiddenTools(
      caller,
      entries,
      { sessionId: extra.sessionId, client: server.getClientVersion() },
      deps.environment,
      extra.signal,
    );
    return { tools: entries.filter((e) => !hidden.has(`${e.upstream}/${e.tool}`)).map((e) => e.listing) };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name;
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    const size = Buffer.byteLength(JSON.stringify(args));
    if (size > deps.maxArgumentBytes) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `the arguments of ${name} are ${size} bytes, over the gateway's limit of ${deps.maxArgumentBytes}; nothing was forwarded`,
      );
    }
    const entry = await upstreams.tool(name).catch(upstreamFailure("listing tools"));
    if (entry === undefined) throw new McpError(ErrorCode.InvalidParams, `unknown tool: ${name}`);
    const upstream = upstreams.get(entry.upstream);
    if (upstream === undefined) throw new McpError(ErrorCode.InvalidParams, `unknown upstream: ${entry.upstream}`);
    const caller = deps.callerOf(extra);
    const decideRequest = toolCallRequest(
      entry,
      args,
      caller.agent,
      { sessionId: extra.sessionId, client: server.getClientVersion() },
      deps.environment,
    );
    const progressToken = request.params._meta?.progressToken;
    let progress = 0;
    return gateToolCall({
      countersign: caller.countersign,
      request: decideRequest,
      signal: extra.signal,
      clientCancelled: () => connected,
      forward: (approved, signal) =>
        upstream.callTool(entry.tool, approved, signal).catch(upstreamFailure(`calling ${entry.upstream}/${entry.tool}`)),
      ...(progressToken === undefined
        ? {}
        : {
            onHeld: async (message) => {
              progress += 1;
              await extra
                .sendNotification({ method: "notifications/progress", params: { progressToken, progress, message } })
                .catch(() => undefined);
            },
          }),
    });
  });

  if (upstreams.list.some((u) => u.capabilities().resources !== undefined)) {
    server.setRequestHandler(ListResourcesRequestSchema, async () => ({
      resources: await upstreams.resources().catch(upstreamFailure("listing resources")),
    }));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
      resourceTemplates: await upstreams.resourceTemplates().catch(upstreamFailure("listing resource templates")),
    }));
    server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
      const upstream = await upstreams.resourceUpstream(request.params.uri);
      if (upstream === undefined) throw new McpError(ErrorCode.InvalidParams, `no upstream holds the resource ${request.params.uri}`);
      return upstream.forward("resources/read", request.params, extra.signal).catch(upstreamFailure(`reading ${request.params.uri}`));
    });
  }

  if (upstreams.list.some((u) => u.capabilities().prompts !== undefined)) {
    server.setRequestHandler(ListPromptsRequestSchema, async () => ({
      prompts: await upstreams.prompts().catch(upstreamFailure("listing prompts")),
    }));
    server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
      const target = splitExposedName(request.params.name, upstreams.names(), upstreams.prefixed);
      const upstream = target === undefined ? undefined : upstreams.get(target.upstream);
      if (target === undefined || upstream === undefined)
        throw new McpError(ErrorCode.InvalidParams, `unknown prompt: ${request.params.name}`);
      return upstream
        .forward("prompts/get", { ...request.params, name: target.name }, extra.signal)
        .catch(upstreamFailure(`getting prompt ${request.params.name}`));
    });
  }

  server.fallbackRequestHandler = async (request, extra) => {
    const only = upstreams.list.length === 1 ? upstreams.list[0] : undefined;
    if (only === undefined)
      throw new McpError(ErrorCode.MethodNotFound, `${request.method} is not routed by a gateway with several upstreams`);
    return only
      .forward(request.method, request.params as Record<string, unknown> | undefined, extra.signal)
      .catch(upstreamFailure(request.method));
  };
  return server;
}

/**
 * The ids (`<upstream>/<tool>`) of the tools the policy denies this agent outright. A Countersign without the
 * query (404) or a policy without the rule hides nothing; any other failure fails the listing with an MCP
 * error naming the code, rather than list tools unfiltered as though the policy had been asked.
 */
async function hiddenTools(
  caller: SessionCaller,
  entries: readonly CatalogEntry[],
  session: SessionContext,
  environment: string | undefined,
  signal: AbortSignal,
): Promise<Set<string>> {
  if (entries.length === 0) return new Set();
  try {
    const answer = await caller.countersign.hiddenTools(
      {
        actor: agentActor(caller.agent),
        tools: entries.map((e) => toolResource(e, environment)),
        context: { mcp: sessionContext(session) },
      },
      { signal },
    );
    return new Set(answer.hidden);
  } catch (err) {
    if (err instanceof CountersignError && err.code === "COUNTERSIGN_NOT_FOUND") return new Set();
    const code = err instanceof CountersignError ? err.code : CLIENT_ERROR_CODES.unreachable;
    throw new McpError(
      ErrorCode.InternalError,
      `Countersign could not say which tools this agent may see (${code}): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** Tools always; resources, prompts and completions when an upstream offers them. */
function gatewayCapabilities(upstreams: UpstreamSet): ServerCapabilities {
  const caps = upstreams.list.map((u) => u.capabilities());
  return {
    tools: {},
    ...(caps.some((c) => c.resources !== undefined) ? { resources: {} } : {}),
    ...(caps.some((c) => c.prompts !== undefined) ? { prompts: {} } : {}),
    ...(upstreams.list.length === 1 && caps[0]?.completions !== undefined ? { completions: {} } : {}),
  };
}

/** Turns an upstream failure into an MCP error naming what failed (an McpError from upstream keeps its code). */
function upstreamFailure(what: string): (err: unknown) => never {
  return (err: unknown) => {
    if (err instanceof McpError) throw new McpError(err.code, `${what}: ${err.message.replace(/^MCP error -?\d+: /, "")}`, err.data);
    throw new McpError(ErrorCode.InternalError, `${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  };
}
