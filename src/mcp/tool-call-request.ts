/**
 * The decision request one MCP `tools/call` becomes. The policy sees:
 * - `action.name` = `mcp:<upstream>/<tool>`, `action.params` = the call's arguments;
 * - `resource` = `{type: "mcp_tool", id: "<upstream>/<tool>", annotations, environment?}`, the annotations
 *   being the upstream's own (`readOnlyHint`, `destructiveHint`, `idempotentHint`, `openWorldHint`, `title`);
 * - `actor` = the agent (`type: "ai_agent"`, `on_behalf_of` the human it works for);
 * - `context.mcp` = the MCP session id, the client's name and version, the upstream and the tool.
 * The grant Countersign issues is bound to the digest of `{actor, action, resource}`, so it covers exactly
 * these arguments of exactly this tool for exactly this agent.
 */

import type { DecideRequest } from "../client/client-types";
import type { CatalogEntry } from "./tool-catalog";

/** Who is calling, as the gateway knows it for one agent session. */
export interface AgentIdentity {
  readonly actor: string;
  readonly onBehalfOf?: string | undefined;
}

/** What the gateway knows of the MCP session a call arrives on. */
export interface SessionContext {
  readonly sessionId?: string | undefined;
  readonly client?: { readonly name: string; readonly version: string } | undefined;
}

/** The decision request for calling `entry` with `args`. */
export function toolCallRequest(
  entry: CatalogEntry,
  args: Record<string, unknown>,
  agent: AgentIdentity,
  session: SessionContext,
  environment: string | undefined,
): DecideRequest {
  const resource = toolResource(entry, environment);
  return {
    actor: agentActor(agent),
    action: { name: `mcp:${resource.id}`, params: args },
    resource,
    context: { mcp: { ...sessionContext(session), upstream: entry.upstream, tool: entry.tool } },
  };
}

/** The policy's `actor` for an agent. */
export function agentActor(agent: AgentIdentity): DecideRequest["actor"] {
  return { id: agent.actor, type: "ai_agent", ...(agent.onBehalfOf === undefined ? {} : { on_behalf_of: agent.onBehalfOf }) };
}

/** The policy's `resource` for a tool: the same in a call's decision and in the tools/list query. */
export function toolResource(entry: CatalogEntry, environment: string | undefined): DecideRequest["resource"] & { id: string } {
  const annotations = entry.listing.annotations ?? {};
  return { type: "mcp_tool", id: `${entry.upstream}/${entry.tool}`, annotations, ...(environment === undefined ? {} : { environment }) };
}

/** `context.mcp`'s session part. */
export function sessionContext(session: SessionContext): Record<string, unknown> {
  return {
    ...(session.sessionId === undefined ? {} : { session_id: session.sessionId }),
    ...(session.client === undefined ? {} : { client: { name: session.client.name, version: session.client.version } }),
  };
}
