/**
 * The audit trail's configuration: typed and validated once at start-up, from the config file's `audit`
 * section (snake_case) and the environment.
 *
 * - `mask_salt` (or env COUNTERSIGN_AUDIT_MASK_SALT): the per-deployment secret keying masked digests, at
 *   least 16 bytes of UTF-8 (use 32 random bytes, base64). Required in production; development falls back to
 *   DEVELOPMENT_MASK_SALT. Auditors who must prove a masked value need it too (`countersign audit digest`).
 * - `signing_key_file` (or env COUNTERSIGN_AUDIT_SIGNING_KEY with the PEM itself): the Ed25519 private key
 *   (PKCS#8 PEM) that signs the chain head; not the grant key. Absent: generated once and kept in Redis
 *   (`{<stream>}:signing-key`, SET NX), which is convenient but lets anyone who can read Redis sign; in
 *   production configure it from a secret store and hand the public key to auditors.
 * - `stream`: the Redis Stream name, default `countersign:audit`.
 * - `mirror_file`: the JSON-lines mirror for log shippers; no mirror when absent.
 * - `max_batch` (default 256) and `append_timeout_ms` (default 5000): see `audit-trail.ts`.
 * - `checkpoint_interval_ms` (default 0: every append is signed): longest time the chain's end may stay
 *   unsigned (`audit-trail.ts`; the README's "Checkpoints" says what the window allows).
 * - `compress` (default true): store each append's entries as one deflated pack (`entry-codec.ts`); false stores
 *   each entry's text as it is (readable with `redis-cli`, ~8× the memory).
 * - `archive: {dir | s3, segment_entries, segment_max_age_seconds, interval_seconds, retention_days}`: seal the
 *   trail into segments of `segment_entries` (default 100,000), or fewer once the oldest waiting entry is
 *   `segment_max_age_seconds` old, every `interval_seconds` (default 30), into the directory `dir` or the
 *   S3-compatible bucket `s3: {bucket, prefix?, region?, endpoint?, force_path_style?, conditional_writes?}`
 *   (exactly one of the two; credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN or
 *   the SDK's other sources; region from `region`, else AWS_REGION, else us-east-1), and trim them from Redis
 *   (`trail-archiver.ts`); Redis then holds only the hot window. `retention_days`: delete segments whose last
 *   entry is older, behind a signed retention marker (default: keep every segment). Off when absent.
 * - `sinks: [{name, type: http, url, secret_env?, batch?} | {name, type: syslog, host, port, batch?}]`:
 *   deliver the trail to collectors (`audit-sink.ts`); the secret is read from the named environment variable.
 */

import type { AuditArchiveConfig, AuditConfigFile, AuditSinkConfig } from "../config/audit-file-section";
import { AuditError } from "./audit-error";
import { DEFAULT_AUDIT_STREAM, auditKeys } from "./redis-audit-store";

/** Where the archive is: a directory, or an S3-compatible bucket and prefix. */
export type AuditArchiveTarget =
  | { readonly kind: "dir"; readonly dir: string }
  | {
      readonly kind: "s3";
      readonly bucket: string;
      readonly prefix: string;
      readonly region: string;
      readonly endpoint?: string;
      readonly forcePathStyle: boolean;
      readonly conditionalWrites: boolean | "auto";
    };

/** Validated archival settings. */
export interface AuditArchiveSettings {
  readonly target: AuditArchiveTarget;
  readonly segmentEntries: number;
  readonly segmentMaxAgeMs?: number;
  readonly intervalMs: number;
  readonly retentionMs?: number;
}

/** A validated sink: the HTTP secret resolved from the environment. */
export type AuditSinkSettings =
  | { readonly name: string; readonly type: "http"; readonly url: string; readonly secret?: string; readonly batch: number }
  | { readonly name: string; readonly type: "syslog"; readonly host: string; readonly port: number; readonly batch: number };

/** The validated settings. */
export interface AuditSettings {
  readonly stream: string;
  readonly maskSalt: Buffer;
  /** Absent: generated once and stored in Redis. */
  readonly signingKeyPem?: string;
  readonly mirrorFile?: string;
  readonly maxBatch: number;
  readonly appendTimeoutMs: number;
  /** 0: every append signs the head. */
  readonly checkpointIntervalMs: number;
  /** Store each append's entries as one deflated pack (`entry-codec.ts`). */
  readonly compress: boolean;
  /** Archival of sealed segments; absent: off. */
  readonly archive?: AuditArchiveSettings;
  readonly sinks: readonly AuditSinkSettings[];
}

/** The salt development mode uses when none is configured; refused in production. */
export const DEVELOPMENT_MASK_SALT = "countersign-development-mask-salt-not-secret";

/** Reads and validates the settings. `readFile` reads the signing key file. */
export function resolveAuditSettings(
  file: AuditConfigFile | undefined,
  opts: {
    readonly mode: "development" | "production";
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly readFile: (path: string) => string;
  },
): AuditSettings {
  const f = file ?? {};
  const stream = f.stream ?? DEFAULT_AUDIT_STREAM;
  auditKeys(stream); // validates the name
  const saltText = opts.env["COUNTERSIGN_AUDIT_MASK_SALT"] ?? f.mask_salt;
  if (saltText === undefined && opts.mode === "production") {
    throw new AuditError("COUNTERSIGN_AUDIT_BAD_CONFIG", "production needs audit.mask_salt (or COUNTERSIGN_AUDIT_MASK_SALT)");
  }
  if (saltText === DEVELOPMENT_MASK_SALT && opts.mode === "production") {
    throw new AuditError("COUNTERSIGN_AUDIT_BAD_CONFIG", "the development mask salt is refused in production");
  }
  const maskSalt = Buffer.from(saltText ?? DEVELOPMENT_MASK_SALT, "utf8");
  if (maskSalt.length < 16) throw new AuditError("COUNTERSIGN_AUDIT_BAD_CONFIG", "audit.mask_salt must be at least 16 bytes");
  let signingKeyPem = opts.env["COUNTERSIGN_AUDIT_SIGNING_KEY"];
  if (signingKeyPem === undefined && f.signing_key_file !== undefined) {
    try {
      signingKeyPem = opts.readFile(f.signing_key_file);
    } catch (err) {
      throw new AuditError(
        "COUNTERSIGN_AUDIT_BAD_CONFIG",
        `cannot read audit.signing_key_file ${f.signing_key_file}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  const maxBatch = f.max_batch ?? 256;
  const appendTimeoutMs = f.append_timeout_ms ?? 5_000;
  if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > 10_000)
    throw new AuditError("COUNTERSIGN_AUDIT_BAD_CONFIG", "audit.max_batch must be 1..10000");
  if (!Number.isInteger(appendTimeoutMs) || appendTimeoutMs < 1)
    throw new AuditError("COUNTERSIGN_AUDIT_BAD_CONFIG", "audit.append_timeout_ms must be a positive whole number");
  const checkpointIntervalMs = f.checkpoint_interval_ms ?? 0;
  if (!Number.isInteger(checkpointIntervalMs) || checkpointIntervalMs < 0 || checkpointIntervalMs > 60_000) {
    throw new AuditError("COUNTERSIGN_AUDIT_BAD_CONFIG", "audit.checkpoint_interval_ms must be 0..60000");
  }
  return {
    stream,
    maskSalt,
    ...(signingKeyPem === undefined ? {} : { signingKeyPem }),
    ...(f.mirror_file === undefined ? {} : { mirrorFile: f.mirror_file }),
    maxBatch,
    appendTimeoutMs,
    checkpointIntervalMs,
    compress: f.compress ?? true,
    ...(f.archive === undefined ? {} : { archive: archiveSettings(f.archive, opts.env) }),
    sinks: uniqueNames((f.sinks ?? []).map((s) => sinkSettings(s, opts.env))),
  };
}

function archiveSettings(a: AuditArchiveConfig, env: Readonly<Record<string, string | undefined>>): AuditArchiveSettings {
  const bad = (why: string): never => {
    throw new AuditError("COUNTERSIGN_AUDIT_BAD_CONFIG", `audit.archive: ${why}`);
  };
  if ((a.dir === undefined) === (a.s3 === undefined)) bad("give exactly one of dir (a directory) and s3 (a bucket)");
  const positive = (name: string, v: number | undefined): void => {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) bad(`${name} must be a positive whole number`);
  };
  positive("segment_entries", a.segment_entries);
  positive("segment_max_age_seconds", a.segment_max_age_seconds);
  positive("interval_seconds", a.interval_seconds);
  positive("retention_days", a.retention_days);
  let target: AuditArchiveTarget;
  if (a.s3 !== undefined) {
    const s3 = a.s3;
    if (typeof s3.bucket !== "string" || s3.bucket === "") bad("s3.bucket is required");
    target = {
      kind: "s3",
      bucket: s3.bucket,
      prefix: s3.prefix ?? "",
      region: s3.region ?? env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] ?? "us-east-1",
      ...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
      forcePathStyle: s3.force_path_style === true,
      conditionalWrites: s3.conditional_writes ?? "auto",
    };
  } else {
    target = { kind: "dir", dir: a.dir as string };
  }
  return {
    target,
    segmentEntries: a.segment_entries ?? 100_000,
    ...(a.segment_max_age_seconds === undefined ? {} : { segmentMaxAgeMs: a.segment_max_age_seconds * 1000 }),
    intervalMs: (a.interval_seconds ?? 30) * 1000,
    ...(a.retention_days === undefined ? {} : { retentionMs: a.retention_days * 86_400_000 }),
  };
}

function uniqueNames(sinks: AuditSinkSettings[]): AuditSinkSettings[] {
  const seen = new Set<string>();
  for (const s of sinks) {
    if (seen.has(s.name))
      throw new AuditError(
        "COUNTERSIGN_AUDIT_BAD_CONFIG",
        `audit.sinks: the name ${JSON.stringify(s.name)} is used twice (each sink keeps its own cursor by name)`,
      );
    seen.add(s.name);
  }
  return sinks;
}

function sinkSettings(s: AuditSinkConfig, env: Readonly<Record<string, string | undefined>>): AuditSinkSettings {
  const bad = (why: string): never => {
    throw new AuditError("COUNTERSIGN_AUDIT_BAD_CONFIG", `audit.sinks ${JSON.stringify(s.name)}: ${why}`);
  };
  const batch = s.batch ?? 500;
  if (s.type === "http") {
    if (typeof s.url !== "string") bad("an http sink needs url");
    const secret = s.secret_env === undefined ? undefined : env[s.secret_env];
    if (s.secret_env !== undefined && (secret === undefined || secret === ""))
      bad(`the environment variable ${s.secret_env} (secret_env) is not set`);
    return { name: s.name, type: "http", url: s.url, ...(secret === undefined ? {} : { secret }), batch };
  }
  if (typeof s.host !== "string" || typeof s.port !== "number") bad("a syslog sink needs host and port");
  return { name: s.name, type: "syslog", host: s.host, port: s.port, batch };
}

export {
  AUDIT_CONFIG_FILE_SCHEMA,
  type AuditArchiveConfig,
  type AuditConfigFile,
  type AuditSinkConfig,
} from "../config/audit-file-section";
