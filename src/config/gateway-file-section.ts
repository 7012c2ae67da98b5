/** The `gateway:` section of the configuration file as written, and its JSON Schema (the MCP gateway resolves it: src/mcp/gateway-config.ts). */

/** The file form of the `gateway:` section. */
export interface GatewayConfigFile {
  countersign?: string;
  api_key_env?: string;
  actor?: string;
  on_behalf_of?: string;
  environment?: string;
  listen?: number;
  host?: string;
  upstreams?: Record<string, string>;
  call_timeout_ms?: number;
  max_argument_bytes?: number;
  progress_interval_ms?: number;
  /** Run inside `countersign serve` (stdio only); `countersign mcp-gateway` does not read it. */
  in_process?: boolean;
}

/** The JSON Schema of the `gateway:` section (checked with the rest of the service's file). */
export const GATEWAY_CONFIG_FILE_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    countersign: { type: "string", pattern: "^https?://" },
    api_key_env: { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
    actor: { type: "string", maxLength: 256 },
    on_behalf_of: { type: "string", maxLength: 256 },
    environment: { type: "string", maxLength: 100 },
    listen: { type: "integer", minimum: 0, maximum: 65535 },
    host: { type: "string" },
    upstreams: { type: "object", additionalProperties: { type: "string", minLength: 1 } },
    call_timeout_ms: { type: "integer", minimum: 1, maximum: 3_600_000 },
    max_argument_bytes: { type: "integer", minimum: 1, maximum: 10_000_000 },
    progress_interval_ms: { type: "integer", minimum: 100, maximum: 60_000 },
    in_process: { type: "boolean" },
  },
} as const;
