/**
 * The MCP gateway's configuration: typed, validated once at start-up, from the `gateway:` section of the
 * service's configuration file and/or the `countersign mcp-gateway` flags (flags win, key by key; upstreams
 * given as flags replace the file's).
 *
 * The section's file form and schema live in `src/config/gateway-file-section.ts`, part of the service's file
 * schema, so one file serves both processes and a misspelt key is refused by either.
 */

import type { GatewayConfigFile } from "../config/gateway-file-section";
import { GatewayError } from "./gateway-error";
import { parseUpstreamSpec, upstreamFrom, type UpstreamSpec } from "./upstream-spec";

/** Identity ids as the service accepts them (`kind:name`; the service checks the rest). */
const IDENTITY = /^[a-z][a-z0-9_-]*:[^\s:][^\s]*$/;

/** The flags of `countersign mcp-gateway` (commander's camelCase). */
export interface GatewayFlags {
  countersign?: string;
  apiKeyEnv?: string;
  actor?: string;
  onBehalfOf?: string;
  environment?: string;
  listen?: number;
  host?: string;
  upstream?: readonly string[];
  callTimeoutMs?: number;
  maxArgumentBytes?: number;
}

/** The validated configuration. */
export interface GatewayConfig {
  /** Countersign's base URL. */
  readonly countersign: string;
  /** The key the gateway itself presents on stdio (the agents' own credentials are used with --listen). */
  readonly apiKey: string | undefined;
  /** The agent identity decisions name as `actor.id` (on stdio; with --listen the caller's identity). */
  readonly actor: string;
  readonly onBehalfOf: string | undefined;
  /** Set as `resource.environment` of every tool call when given. */
  readonly environment: string | undefined;
  /** Streamable HTTP port; undefined: stdio. */
  readonly listen: number | undefined;
  readonly host: string;
  readonly upstreams: readonly UpstreamSpec[];
  /** The longest an upstream call may take once decided. */
  readonly callTimeoutMs: number;
  /** Arguments larger than this (as JSON, in bytes) are refused before any decision. */
  readonly maxArgumentBytes: number;
  /** How often a held call reports progress. */
  readonly progressIntervalMs: number;
}

/** Defaults of the optional settings. */
export const GATEWAY_DEFAULTS = {
  callTimeoutMs: 60_000,
  maxArgumentBytes: 32 * 1024,
  progressIntervalMs: 10_000,
  host: "127.0.0.1",
} as const;

/** Builds the configuration from the file section (already schema-checked) and the flags; throws GatewayError. */
export function resolveGatewayConfig(
  file: GatewayConfigFile | undefined,
  flags: GatewayFlags,
  env: Readonly<Record<string, string | undefined>>,
): GatewayConfig {
  const f = file ?? {};
  const countersign = flags.countersign ?? f.countersign;
  if (countersign === undefined) throw invalid("--countersign (or gateway.countersign) is required: the URL of the Countersign service");
  let url: URL;
  try {
    url = new URL(countersign);
  } catch {
    throw invalid(`--countersign ${countersign} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw invalid(`--countersign ${countersign} must be http(s)`);
  const listen = flags.listen ?? f.listen;
  const keyEnv = flags.apiKeyEnv ?? f.api_key_env;
  let apiKey: string | undefined;
  if (keyEnv !== undefined) {
    apiKey = env[keyEnv];
    if (apiKey === undefined || apiKey === "") throw invalid(`--api-key-env ${keyEnv}: the variable is unset or empty`);
  } else if (listen === undefined) {
    throw invalid("--api-key-env VAR is required on stdio: the variable holding the gateway's Countersign API key");
  }
  const actor = flags.actor ?? f.actor;
  if (actor === undefined && listen === undefined) throw invalid("--actor is required on stdio (the agent identity, e.g. agent:coder)");
  if (actor !== undefined && !IDENTITY.test(actor)) throw invalid(`--actor ${actor} is not an identity id (kind:name)`);
  const onBehalfOf = flags.onBehalfOf ?? f.on_behalf_of;
  if (onBehalfOf !== undefined && !IDENTITY.test(onBehalfOf))
    throw invalid(`--on-behalf-of ${onBehalfOf} is not an identity id (kind:name)`);
  const upstreams =
    flags.upstream !== undefined && flags.upstream.length > 0
      ? flags.upstream.map(parseUpstreamSpec)
      : Object.entries(f.upstreams ?? {}).map(([name, target]) => upstreamFrom(name, target));
  if (upstreams.length === 0) throw invalid('at least one --upstream NAME=stdio:"COMMAND ARGS…" or NAME=http(s)://… is required');
  const names = new Set<string>();
  for (const u of upstreams) {
    if (names.has(u.name)) throw invalid(`upstream ${u.name} is named twice`);
    names.add(u.name);
  }
  return {
    countersign: url.toString().replace(/\/+$/, ""),
    apiKey,
    actor: actor ?? "agent:unknown",
    onBehalfOf,
    environment: flags.environment ?? f.environment,
    listen,
    host: flags.host ?? f.host ?? GATEWAY_DEFAULTS.host,
    upstreams,
    callTimeoutMs: flags.callTimeoutMs ?? f.call_timeout_ms ?? GATEWAY_DEFAULTS.callTimeoutMs,
    maxArgumentBytes: flags.maxArgumentBytes ?? f.max_argument_bytes ?? GATEWAY_DEFAULTS.maxArgumentBytes,
    progressIntervalMs: f.progress_interval_ms ?? GATEWAY_DEFAULTS.progressIntervalMs,
  };
}

function invalid(message: string): GatewayError {
  return new GatewayError("COUNTERSIGN_GATEWAY_CONFIG_INVALID", message);
}

export { GATEWAY_CONFIG_FILE_SCHEMA, type GatewayConfigFile } from "../config/gateway-file-section";
