/**
 * The JSON Schema (2020-12) of the configuration file, checked by ajv before anything else reads it.
 *
 * Unknown keys are refused everywhere, so a misspelt setting is an error instead of a silent default.
 * Cross-field rules (unique ids and keys, owners, one JWT key source, development keys in production) are
 * checked after the schema, in `config-loader.ts`. The schema avoids oneOf so that each problem is reported
 * once, at its own field. Capabilities that need settings of their own (approvals, Teams, audit) add their
 * section here and to ServiceConfig, so that one validation covers the whole file.
 */

import { LOG_LEVELS } from "./service-config";

/** Identity ids: a kind prefix, a colon and a name (`svc:ci`, `user:alice`, `agent:deploy-bot`). */
export const IDENTITY_ID_PATTERN = "^[a-z][a-z0-9_-]*:[^\\s:][^\\s]*$";

const GUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

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
      },
    },
    bundles: {
      type: "object",
      additionalProperties: false,
      properties: {
        dir: { type: "string", minLength: 1 },
        decision: { type: "string", pattern: "^[^/\\\\.][^/\\\\]*$" },
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
      required: ["url"],
      properties: { url: { type: "string", format: "uri", pattern: "^rediss?://" } },
    },
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
    identities: {
      type: "array",
      minItems: 1,
      items: {
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
          auditor: { type: "boolean" },
        },
      },
    },
  },
} as const;

/** The file form, as the schema guarantees it. */
export interface ConfigFile {
  mode?: "development" | "production";
  server?: { host?: string; port?: number; body_limit?: number | string };
  bundles?: { dir?: string; decision?: string };
  policy?: { timeout_ms?: number };
  redis?: { url: string };
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
  identities: {
    id: string;
    kind: "service" | "human" | "agent";
    roles?: string[];
    owner?: string;
    api_keys_sha256?: string[];
    teams?: { aad_object_id: string; tenant_id: string };
    auditor?: boolean;
  }[];
}
