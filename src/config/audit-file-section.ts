/** The `audit:` section of the configuration file as written, and its JSON Schema (the audit trail resolves it: src/audit/audit-config.ts). */

/** The `audit` section of the config file. */
export interface AuditConfigFile {
  readonly stream?: string;
  readonly mask_salt?: string;
  readonly signing_key_file?: string;
  readonly mirror_file?: string;
  readonly max_batch?: number;
  readonly append_timeout_ms?: number;
  readonly checkpoint_interval_ms?: number;
  readonly compress?: boolean;
  readonly archive?: AuditArchiveConfig;
  readonly sinks?: readonly AuditSinkConfig[];
}

/** `audit.archive` as written. */
export interface AuditArchiveConfig {
  readonly dir?: string;
  readonly s3?: {
    readonly bucket: string;
    readonly prefix?: string;
    readonly region?: string;
    readonly endpoint?: string;
    readonly force_path_style?: boolean;
    readonly conditional_writes?: boolean | "auto";
  };
  readonly segment_entries?: number;
  readonly segment_max_age_seconds?: number;
  readonly interval_seconds?: number;
  readonly retention_days?: number;
}

/** One `audit.sinks` entry as written. */
export type AuditSinkConfig =
  | { readonly name: string; readonly type: "http"; readonly url: string; readonly secret_env?: string; readonly batch?: number }
  | { readonly name: string; readonly type: "syslog"; readonly host: string; readonly port: number; readonly batch?: number };

/** JSON Schema (2020-12) of the `audit` section, for the config file's schema to include at `audit`. */
export const AUDIT_CONFIG_FILE_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    stream: { type: "string", pattern: "^[^{}\\s]+$" },
    mask_salt: { type: "string", minLength: 16 },
    signing_key_file: { type: "string", minLength: 1 },
    mirror_file: { type: "string", minLength: 1 },
    max_batch: { type: "integer", minimum: 1, maximum: 10000 },
    append_timeout_ms: { type: "integer", minimum: 1 },
    checkpoint_interval_ms: { type: "integer", minimum: 0, maximum: 60000 },
    compress: { type: "boolean" },
    archive: {
      type: "object",
      additionalProperties: false,
      // exactly one of dir and s3: checked by resolveAuditSettings (a schema `oneOf` of `required` trips Ajv's strict mode)
      properties: {
        dir: { type: "string", minLength: 1 },
        s3: {
          type: "object",
          additionalProperties: false,
          required: ["bucket"],
          properties: {
            bucket: { type: "string", pattern: "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$" },
            prefix: { type: "string" },
            region: { type: "string", minLength: 1 },
            endpoint: { type: "string", pattern: "^https?://" },
            force_path_style: { type: "boolean" },
            conditional_writes: { enum: [true, false, "auto"] },
          },
        },
        segment_entries: { type: "integer", minimum: 100, maximum: 10000000 },
        segment_max_age_seconds: { type: "integer", minimum: 1 },
        interval_seconds: { type: "integer", minimum: 1 },
        retention_days: { type: "integer", minimum: 1 },
      },
    },
    sinks: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "type"],
        properties: {
          name: { type: "string", pattern: "^[a-z0-9][a-z0-9_-]{0,62}$" },
          type: { enum: ["http", "syslog"] },
          url: { type: "string", pattern: "^https?://" },
          secret_env: { type: "string", minLength: 1 },
          host: { type: "string", minLength: 1 },
          port: { type: "integer", minimum: 1, maximum: 65535 },
          batch: { type: "integer", minimum: 1, maximum: 10000 },
        },
      },
    },
  },
} as const;
