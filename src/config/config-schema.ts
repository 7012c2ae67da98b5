/**
 * The JSON Schema (2020-12) of the configuration file, checked by ajv before anything else reads it.
 *
 * Unknown keys are refused everywhere, so a misspelt setting is an error instead of a silent default.
 * Cross-field rules (unique ids and keys, owners, one JWT key source, development keys in production) are
 * checked after the schema, in `config-loader.ts`. The schema avoids oneOf so that each problem is reported
 * once, at its own field. Capabilities that need settings of their own add their section here and to
 * ServiceConfig, so that one validation covers the whole file: `approvals:` (with its `grants:` and
 * `callbacks:`) is read by `approvals-settings.ts`; `audit:` is the audit trail's own schema
 * (`AUDIT_CONFIG_FILE_SCHEMA`), resolved with the environment by `resolveAuditSettings` in `main.ts`;
 * `teams:` turns the Teams bot on and is checked, with the Bot Framework environment variables, by
 * `validateTeamsConfig` in `main.ts` (which names the offending key itself); `slack:` turns the Slack app on
 * and is checked, with its environment variables, by `validateSlackConfig` in `main.ts`; `console:` turns the
 * web console on and is checked by `validateConsoleConfig` in `main.ts`; `gateway:` is read
 * only by `countersign mcp-gateway` (`src/mcp/gateway-config.ts`), and checked here so one file serves both.
 */

import { AUDIT_CONFIG_FILE_SCHEMA, type AuditConfigFile } from "./audit-file-section";
import { GATEWAY_CONFIG_FILE_SCHEMA, type GatewayConfigFile } from "./gateway-file-section";
import { LOG_LEVELS } from "./service-config";

/** Identity ids: a kind prefix, a colon and a name (`svc:ci`, `user:alice`, `agent:deploy-bot`). */
export const IDENTITY_ID_PATTERN = "^[a-z][a-z0-9_-]*:[^\\s:][^\\s]*$";

const GUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/** A Slack user id (`U…`, or `W…` on Enterprise Grid). */
export const SLACK_USER_ID = "^[UW][A-Z0-9]{2,20}$";

/** A Slack workspace (team) id, or an Enterprise Grid organisation id. */
export const SLACK_TEAM_ID = "^[TE][A-Z0-9]{2,20}$";

/** A callback allow-list entry: a host name, an IPv4 literal or a bracketed IPv6 literal, with `:port` or `:*`. */
export const HOST_ENTRY_PATTERN = "^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?\\.?)(:([0-9]{1,5}|\\*))?$";

/** One configured identity. */
const IDENTITY_ENTRY_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["id", "kind"],
  properties: {
    id: { type: "string", maxLength: 256, pattern: IDENTITY_ID_PATTERN },
    kind: { enum: ["service", "human", "agent"] },
    roles: {
      type: "array",
      uniqueItems: true,
      items: { type: "string", pattern: "^[a-z0-9][a-z0-9._-]*$", maxLength: 100 },
    },
    owner: { type: "string", maxLength: 256, pattern: IDENTITY_ID_PATTERN },
    display_name: {
      type: "string",
      minLength: 1,
      maxLength: 100,
      pattern: "\\S",
      description: "How reviewers see this identity (cards, console); the id when absent.",
    },
    api_keys_sha256: {
      type: "array",
      uniqueItems: true,
      items: { type: "string", pattern: "^[0-9a-fA-F]{64}$" },
    },
    teams: {
      type: "object",
      additionalProperties: false,
      required: ["aad_object_id", "tenant_id"],
      properties: {
        aad_object_id: { type: "string", pattern: GUID },
        tenant_id: { type: "string", pattern: GUID },
      },
    },
    slack: {
      type: "object",
      additionalProperties: false,
      required: ["user_id", "team_id"],
      properties: {
        user_id: { type: "string", pattern: SLACK_USER_ID },
        team_id: { type: "string", pattern: SLACK_TEAM_ID },
      },
    },
    auditor: { type: "boolean" },
  },
} as const;

/** The schema of the configuration file. */
export const CONFIG_FILE_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  additionalProperties: false,
  required: ["identities"],
  properties: {
    mode: { enum: ["development", "production"] },
    server: {
      type: "object",
      additionalProperties: false,
      properties: {
        host: { type: "string", minLength: 1 },
        port: { type: "integer", minimum: 0, maximum: 65535 },
        body_limit: { type: ["integer", "string"], minimum: 1, pattern: "^\\s*\\d+\\s*([kKmM]?[bB])?\\s*$" },
        body_timeout_ms: { type: "integer", minimum: 100, maximum: 600000 },
        max_json_depth: { type: "integer", minimum: 8, maximum: 1000 },
        public_url: {
          type: "string",
          pattern: "^https?://[^\\s/?#]+(/[^\\s?#]*)?$",
          description:
            "The service's public base URL (https://countersign.example.com); Teams cards link to <public_url>/console/requests/<id>.",
        },
      },
    },
    bundles: {
      type: "object",
      additionalProperties: false,
      properties: {
        dir: { type: "string", minLength: 1 },
        decision: { type: "string", pattern: "^[^/\\\\.][^/\\\\]*$" },
        shadow: {
          type: "string",
          pattern: "^[^/\\\\.][^/\\\\]*$",
          description:
            "Shadow mode: this bundle of the bundle directory is evaluated beside the decision bundle on every decision, never answering.",
        },
        verification: {
          type: "object",
          additionalProperties: false,
          required: ["keys"],
          description: "Bundle signature verification, as OPA names it: keys by id, key_id, scope, exclude_files.",
          properties: {
            keys: {
              type: "object",
              minProperties: 1,
              additionalProperties: {
                type: "object",
                additionalProperties: false,
                required: ["algorithm"],
                properties: {
                  key: { type: "string", minLength: 1 },
                  key_file: { type: "string", minLength: 1 },
                  key_env: { type: "string", minLength: 1 },
                  algorithm: { type: "string", minLength: 1 },
                  scope: { type: "string" },
                },
              },
            },
            key_id: { type: "string", minLength: 1 },
            scope: { type: "string" },
            exclude_files: { type: "array", items: { type: "string", minLength: 1 } },
            require_signature: { type: "boolean" },
          },
        },
        remote: {
          type: "object",
          additionalProperties: false,
          required: ["url"],
          properties: {
            url: { type: "string", format: "uri", pattern: "^https?://" },
            poll_min_seconds: { type: "number", exclusiveMinimum: 0 },
            poll_max_seconds: { type: "number", exclusiveMinimum: 0 },
            timeout_seconds: { type: "number", exclusiveMinimum: 0 },
            headers: { type: "object", additionalProperties: { type: "string" } },
            credentials: {
              type: "object",
              additionalProperties: false,
              properties: {
                bearer: {
                  type: "object",
                  additionalProperties: false,
                  required: ["token_env"],
                  properties: { token_env: { type: "string", minLength: 1 }, scheme: { type: "string", minLength: 1 } },
                },
              },
            },
            cache_dir: { type: "string", minLength: 1 },
          },
        },
      },
    },
    policy: {
      type: "object",
      additionalProperties: false,
      properties: { timeout_ms: { type: "integer", minimum: 1, maximum: 60000 } },
    },
    redis: {
      type: "object",
      additionalProperties: false,
      properties: {
        url: { type: "string", format: "uri", pattern: "^rediss?://" },
        embedded_dir: { type: "string", minLength: 1 },
      },
    },
    approvals: {
      type: "object",
      additionalProperties: false,
      properties: {
        key_prefix: { type: "string", minLength: 1, maxLength: 64, pattern: "^\\S+$" },
        retention_seconds: { type: "integer", minimum: 3600, maximum: 315360000 },
        comment_max_chars: { type: "integer", minimum: 1, maximum: 20000 },
        max_wait_seconds: { type: "integer", minimum: 1, maximum: 300 },
        sweep_interval_ms: { type: "integer", minimum: 50, maximum: 60000 },
        grants: {
          type: "object",
          additionalProperties: false,
          properties: {
            private_key_pem: { type: "string", pattern: "-----BEGIN PRIVATE KEY-----" },
            private_key_file: { type: "string", minLength: 1 },
            private_jwk: {
              type: "object",
              required: ["kty", "crv", "x", "d"],
              properties: { kty: { const: "OKP" }, crv: { const: "Ed25519" }, x: { type: "string" }, d: { type: "string" } },
            },
          },
        },
        callbacks: {
          type: "object",
          additionalProperties: false,
          required: ["allowed_hosts"],
          properties: {
            secret: { type: "string", minLength: 16 },
            secret_env: { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
            allowed_hosts: { type: "array", minItems: 1, uniqueItems: true, items: { type: "string", pattern: HOST_ENTRY_PATTERN } },
            private_network_hosts: { type: "array", uniqueItems: true, items: { type: "string", pattern: HOST_ENTRY_PATTERN } },
            allow_http_loopback: { type: "boolean" },
            max_attempts: { type: "integer", minimum: 1, maximum: 50 },
            initial_backoff_ms: { type: "integer", minimum: 10, maximum: 3600000 },
            max_backoff_ms: { type: "integer", minimum: 10, maximum: 86400000 },
            timeout_ms: { type: "integer", minimum: 100, maximum: 60000 },
          },
        },
      },
    },
    audit: AUDIT_CONFIG_FILE_SCHEMA,
    teams: { type: ["object", "null"] },
    slack: { type: ["object", "null"] },
    console: { type: ["object", "null"] },
    auth: {
      type: "object",
      additionalProperties: false,
      properties: {
        jwt: {
          type: "object",
          additionalProperties: false,
          required: ["issuer", "audience"],
          properties: {
            issuer: { type: "string", minLength: 1 },
            audience: { type: "string", minLength: 1 },
            jwks_url: { type: "string", format: "uri", pattern: "^https?://" },
            public_key: { type: "string", pattern: "-----BEGIN (PUBLIC KEY|CERTIFICATE)-----" },
            algorithms: {
              type: "array",
              minItems: 1,
              uniqueItems: true,
              items: { enum: ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"] },
            },
            clock_tolerance_s: { type: "integer", minimum: 0, maximum: 300 },
          },
        },
      },
    },
    log: {
      type: "object",
      additionalProperties: false,
      properties: { level: { enum: [...LOG_LEVELS] } },
    },
    gateway: GATEWAY_CONFIG_FILE_SCHEMA,
    identities: {
      description: "The identities the service knows: a list, or {require_known_humans, entries}.",
      type: ["array", "object"],
      minItems: 1,
      items: IDENTITY_ENTRY_SCHEMA,
      additionalProperties: false,
      required: ["entries"],
      properties: {
        require_known_humans: { type: "boolean" },
        entries: { type: "array", minItems: 1, items: IDENTITY_ENTRY_SCHEMA },
      },
    },
  },
} as const;

/** The file form, as the schema guarantees it. */
export interface ConfigFile {
  mode?: "development" | "production";
  server?: {
    host?: string;
    port?: number;
    body_limit?: number | string;
    body_timeout_ms?: number;
    max_json_depth?: number;
    public_url?: string;
  };
  bundles?: {
    dir?: string;
    decision?: string;
    shadow?: string;
    verification?: {
      keys: Record<string, { key?: string; key_file?: string; key_env?: string; algorithm: string; scope?: string }>;
      key_id?: string;
      scope?: string;
      exclude_files?: string[];
      require_signature?: boolean;
    };
    remote?: {
      url: string;
      poll_min_seconds?: number;
      poll_max_seconds?: number;
      timeout_seconds?: number;
      headers?: Record<string, string>;
      credentials?: { bearer?: { token_env: string; scheme?: string } };
      cache_dir?: string;
    };
  };
  policy?: { timeout_ms?: number };
  gateway?: GatewayConfigFile;
  redis?: { url?: string; embedded_dir?: string };
  approvals?: {
    key_prefix?: string;
    retention_seconds?: number;
    comment_max_chars?: number;
    max_wait_seconds?: number;
    sweep_interval_ms?: number;
    grants?: { private_key_pem?: string; private_key_file?: string; private_jwk?: Record<string, string> };
    callbacks?: {
      secret?: string;
      secret_env?: string;
      allowed_hosts: string[];
      private_network_hosts?: string[];
      allow_http_loopback?: boolean;
      max_attempts?: number;
      initial_backoff_ms?: number;
      max_backoff_ms?: number;
      timeout_ms?: number;
    };
  };
  audit?: AuditConfigFile;
  teams?: Record<string, unknown> | null;
  slack?: Record<string, unknown> | null;
  console?: Record<string, unknown> | null;
  auth?: {
    jwt?: {
      issuer: string;
      audience: string;
      jwks_url?: string;
      public_key?: string;
      algorithms?: string[];
      clock_tolerance_s?: number;
    };
  };
  log?: { level?: (typeof LOG_LEVELS)[number] };
  identities: IdentityEntryFile[] | { require_known_humans?: boolean; entries: IdentityEntryFile[] };
}

/** One identity in the file form. */
export interface IdentityEntryFile {
  id: string;
  kind: "service" | "human" | "agent";
  roles?: string[];
  owner?: string;
  display_name?: string;
  api_keys_sha256?: string[];
  teams?: { aad_object_id: string; tenant_id: string };
  slack?: { user_id: string; team_id: string };
  auditor?: boolean;
}
