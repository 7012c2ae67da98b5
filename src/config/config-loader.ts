/**
 * Loading the configuration once at start-up: read the file (or the shipped example), apply environment
 * and command-line overrides, validate, and return a typed ServiceConfig or throw a ConfigError naming the
 * bad field.
 *
 * Precedence, highest first: command-line flags, environment (`PORT`, `REDIS_URL`, `NODE_ENV`), the file,
 * the defaults. A callback secret may come from the environment variable `approvals.callbacks.secret_env`
 * names. The file comes from `--config`, else `COUNTERSIGN_CONFIG`, else the example development
 * configuration shipped beside this file.
 */

import { createPublicKey } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import * as YAML from "yaml";
import { DEFAULT_EMBEDDED_REDIS_DIR } from "../redis/embedded-redis";
import { approvalWorkflowSettings } from "./approvals-settings";
import { remoteSettings, verificationSettings } from "./bundles-settings";
import { ConfigError } from "./config-error";
import { CONFIG_FILE_SCHEMA, type ConfigFile } from "./config-schema";
import { DEVELOPMENT_KEY_DIGESTS } from "./development-keys";
import { DEFAULT_BODY_TIMEOUT_MS, DEFAULT_MAX_JSON_DEPTH } from "./server-limits";
import { identityIdProblem, identitySkeleton } from "../identity/identity-id";
import { pointerToPath, schemaProblems } from "./schema-problem";
import type { ConfigSource, IdentityConfig, JwtAuthConfig, ServiceConfig, ServiceMode } from "./service-config";

/** The environment variables the loader reads. */
export type ConfigEnv = Readonly<Record<string, string | undefined>>;

/** Settings given on the command line; they win over everything else. */
export interface ConfigOverrides {
  /** `--config`: the configuration file. */
  readonly configPath?: string;
  /** `--port`. */
  readonly port?: number;
  /** `--bundles`: the bundle directory. */
  readonly bundlesDir?: string;
}

/** A validated configuration and where it came from. */
export interface LoadedConfig {
  readonly config: ServiceConfig;
  readonly source: ConfigSource;
}

/** Defaults for settings the file leaves out. */
export const CONFIG_DEFAULTS = {
  host: "0.0.0.0",
  port: 8181,
  bodyLimitBytes: 64 * 1024,
  bodyTimeoutMs: DEFAULT_BODY_TIMEOUT_MS,
  maxJsonDepth: DEFAULT_MAX_JSON_DEPTH,
  bundlesDir: "bundles",
  decisionBundle: "countersign",
  timeoutMs: 250,
  logLevel: "info",
  jwtAlgorithms: ["RS256", "ES256", "EdDSA"],
  jwtClockToleranceSeconds: 5,
  embeddedRedisDir: DEFAULT_EMBEDDED_REDIS_DIR,
} as const;

let validateFile: ReturnType<Ajv2020["compile"]> | undefined;

function fileValidator(): ReturnType<Ajv2020["compile"]> {
  if (validateFile === undefined) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    validateFile = ajv.compile(CONFIG_FILE_SCHEMA);
  }
  return validateFile;
}

/** Where the example development configuration lives (found from this file, in `src/` or `dist/src/`). */
export function exampleConfigPath(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json"))) return path.join(dir, "src", "config", "example-config.yaml");
    const up = path.dirname(dir);
    if (up === dir) throw new Error("cannot find the Countersign package root (package.json)");
    dir = up;
  }
}

/** Reads, overrides and validates the configuration. Throws ConfigError. */
export function loadServiceConfig(env: ConfigEnv, overrides: ConfigOverrides = {}): LoadedConfig {
  const named = overrides.configPath ?? nonEmpty(env["COUNTERSIGN_CONFIG"]);
  const source: ConfigSource =
    named === undefined ? { kind: "example", path: exampleConfigPath() } : { kind: "file", path: path.resolve(named) };
  let text: string;
  try {
    text = fs.readFileSync(source.path, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message;
    throw new ConfigError("COUNTERSIGN_CONFIG_UNREADABLE", `cannot read the configuration ${source.path}: ${reason}`);
  }
  return { config: parseServiceConfig(text, source.path, env, overrides), source };
}

/** Parses and validates configuration text (YAML or JSON); `origin` names it in messages. Throws ConfigError. */
export function parseServiceConfig(text: string, origin: string, env: ConfigEnv, overrides: ConfigOverrides = {}): ServiceConfig {
  const file = parseFileText(text, origin);
  const validate = fileValidator();
  if (!validate(file)) {
    const problems = schemaProblems(validate.errors);
    const first = problems[0]!;
    const lines = problems.map((p) => `${pointerToPath(p.pointer)} ${p.message}`);
    throw new ConfigError(
      "COUNTERSIGN_CONFIG_INVALID",
      `invalid configuration ${origin}: ${lines.join("; ")}`,
      pointerToPath(first.pointer),
    );
  }
  return buildConfig(file as ConfigFile, origin, env, overrides);
}

function parseFileText(text: string, origin: string): unknown {
  if (origin.endsWith(".json")) {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new ConfigError("COUNTERSIGN_CONFIG_SYNTAX", `${origin} is not valid JSON: ${(err as Error).message}`);
    }
  }
  try {
    return YAML.parse(text, { prettyErrors: true }) as unknown;
  } catch (err) {
    throw new ConfigError("COUNTERSIGN_CONFIG_SYNTAX", `${origin} is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
}

function buildConfig(file: ConfigFile, origin: string, env: ConfigEnv, overrides: ConfigOverrides): ServiceConfig {
  const invalid = (field: string, message: string): ConfigError =>
    new ConfigError("COUNTERSIGN_CONFIG_INVALID", `invalid configuration ${origin}: ${field} ${message}`, field);

  const mode = modeFrom(env["NODE_ENV"], file.mode);
  const port = overrides.port ?? portFromEnv(env["PORT"]) ?? file.server?.port ?? CONFIG_DEFAULTS.port;
  const redisUrl = nonEmpty(env["REDIS_URL"]) ?? file.redis?.url;
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) {
    throw new ConfigError(
      "COUNTERSIGN_CONFIG_INVALID",
      `REDIS_URL must be a redis:// or rediss:// URL, got ${JSON.stringify(redisUrl)}`,
      "REDIS_URL",
    );
  }

  const listed = Array.isArray(file.identities) ? file.identities : file.identities.entries;
  const listPath = Array.isArray(file.identities) ? "identities" : "identities.entries";
  const requireKnownHumans = (Array.isArray(file.identities) ? undefined : file.identities.require_known_humans) ?? mode === "production";
  const identities = listed.map((f): IdentityConfig => ({
    id: f.id,
    kind: f.kind,
    roles: f.roles ?? [],
    ...(f.owner === undefined ? {} : { owner: f.owner }),
    ...(f.display_name === undefined ? {} : { displayName: f.display_name.trim() }),
    apiKeysSha256: (f.api_keys_sha256 ?? []).map((d) => d.toLowerCase()),
    ...(f.teams === undefined
      ? {}
      : { teams: { aadObjectId: f.teams.aad_object_id.toLowerCase(), tenantId: f.teams.tenant_id.toLowerCase() } }),
    ...(f.slack === undefined ? {} : { slack: { userId: f.slack.user_id, teamId: f.slack.team_id } }),
    auditor: f.auditor === true,
  }));
  checkIdentities(identities, listPath, invalid);

  if (mode === "production") {
    identities.forEach((identity, i) =>
      identity.apiKeysSha256.forEach((digest, j) => {
        if (DEVELOPMENT_KEY_DIGESTS.has(digest)) {
          throw new ConfigError(
            "COUNTERSIGN_CONFIG_DEVELOPMENT_KEY_IN_PRODUCTION",
            `refusing to start in production: identity ${identity.id} has a published development API key ` +
              `(${listPath}[${i}].api_keys_sha256[${j}] in ${origin}); configure your own keys or unset NODE_ENV=production`,
            `${listPath}[${i}].api_keys_sha256[${j}]`,
          );
        }
      }),
    );
  }

  const jwt = file.auth?.jwt === undefined ? undefined : jwtConfig(file.auth.jwt, invalid);
  const approvals = approvalWorkflowSettings(file.approvals, mode, env, origin, invalid);
  const verification = verificationSettings(file.bundles?.verification, mode, env, origin, invalid);
  const remote = remoteSettings(file.bundles?.remote, verification, mode, env, invalid);
  const shadow = file.bundles?.shadow;
  if (shadow !== undefined && shadow === (file.bundles?.decision ?? CONFIG_DEFAULTS.decisionBundle)) {
    throw invalid("bundles.shadow", `names the decision bundle ${shadow}; it must name another bundle of the bundle directory`);
  }
  if (shadow !== undefined && remote !== undefined) {
    throw invalid(
      "bundles.shadow",
      "reads its candidate from the bundle directory, which bundles.remote replaces; shadow mode needs the bundle directory",
    );
  }

  return {
    mode,
    server: {
      host: file.server?.host ?? CONFIG_DEFAULTS.host,
      port,
      bodyLimitBytes: bodyLimit(file.server?.body_limit),
      bodyTimeoutMs: file.server?.body_timeout_ms ?? CONFIG_DEFAULTS.bodyTimeoutMs,
      maxJsonDepth: file.server?.max_json_depth ?? CONFIG_DEFAULTS.maxJsonDepth,
      ...(file.server?.public_url === undefined ? {} : { publicUrl: file.server.public_url.replace(/\/+$/, "") }),
    },
    bundles: {
      dir: path.resolve(overrides.bundlesDir ?? file.bundles?.dir ?? CONFIG_DEFAULTS.bundlesDir),
      decision: file.bundles?.decision ?? CONFIG_DEFAULTS.decisionBundle,
      ...(shadow === undefined ? {} : { shadow }),
      ...(verification === undefined ? {} : { verification }),
      ...(remote === undefined ? {} : { remote }),
    },
    policy: { timeoutMs: file.policy?.timeout_ms ?? CONFIG_DEFAULTS.timeoutMs },
    redis: {
      ...(redisUrl === undefined ? {} : { url: redisUrl }),
      embeddedDir: path.resolve(file.redis?.embedded_dir ?? CONFIG_DEFAULTS.embeddedRedisDir),
    },
    approvals,
    audit: file.audit ?? {},
    ...(file.teams === undefined ? {} : { teams: file.teams ?? {} }),
    ...(file.slack === undefined ? {} : { slack: file.slack ?? {} }),
    ...(file.console === undefined ? {} : { console: file.console ?? {} }),
    auth: jwt === undefined ? {} : { jwt },
    log: { level: file.log?.level ?? CONFIG_DEFAULTS.logLevel },
    identities,
    requireKnownHumans,
  };
}

function checkIdentities(
  identities: readonly IdentityConfig[],
  list: string,
  invalid: (field: string, message: string) => ConfigError,
): void {
  const byId = new Map<string, number>();
  const bySkeleton = new Map<string, number>();
  identities.forEach((identity, i) => {
    const problem = identityIdProblem(identity.id);
    if (problem !== null) throw invalid(`${list}[${i}].id`, problem);
    if (identity.owner !== undefined) {
      const ownerProblem = identityIdProblem(identity.owner);
      if (ownerProblem !== null) throw invalid(`${list}[${i}].owner`, ownerProblem);
    }
    const before = byId.get(identity.id);
    if (before !== undefined) throw invalid(`${list}[${i}].id`, `repeats ${identity.id} (already ${list}[${before}])`);
    byId.set(identity.id, i);
    // Ids that differ only in case, accents or look-alike letters would be one person to the rule against
    // self-approval, and a reviewer could not tell them apart.
    const skeleton = identitySkeleton(identity.id);
    const alike = bySkeleton.get(skeleton);
    if (alike !== undefined) {
      throw invalid(
        `${list}[${i}].id`,
        `${identity.id} looks like ${identities[alike]!.id} (${list}[${alike}]): give them ids that differ in more than case, accents or look-alike letters`,
      );
    }
    bySkeleton.set(skeleton, i);
  });
  const keyOwner = new Map<string, string>();
  const teamsOwner = new Map<string, string>();
  const slackOwner = new Map<string, string>();
  identities.forEach((identity, i) => {
    if (identity.owner !== undefined) {
      if (identity.kind === "human") throw invalid(`${list}[${i}].owner`, "is only for service and agent identities");
      if (identity.owner === identity.id) throw invalid(`${list}[${i}].owner`, "must name someone else");
      const owner = byId.get(identity.owner);
      if (owner !== undefined && identities[owner]!.kind !== "human") {
        throw invalid(`${list}[${i}].owner`, `must be a human identity; ${identity.owner} is a ${identities[owner]!.kind}`);
      }
    }
    identity.apiKeysSha256.forEach((digest, j) => {
      const other = keyOwner.get(digest);
      if (other !== undefined) throw invalid(`${list}[${i}].api_keys_sha256[${j}]`, `is also a key of ${other}`);
      keyOwner.set(digest, identity.id);
    });
    if (identity.teams !== undefined) {
      const key = `${identity.teams.tenantId}/${identity.teams.aadObjectId}`;
      const other = teamsOwner.get(key);
      if (other !== undefined) throw invalid(`${list}[${i}].teams.aad_object_id`, `is also the Teams user of ${other}`);
      teamsOwner.set(key, identity.id);
    }
    if (identity.slack !== undefined) {
      if (identity.kind !== "human") throw invalid(`${list}[${i}].slack`, "is only for human identities (only people review)");
      const key = `${identity.slack.teamId}/${identity.slack.userId}`;
      const other = slackOwner.get(key);
      if (other !== undefined) throw invalid(`${list}[${i}].slack.user_id`, `is also the Slack user of ${other}`);
      slackOwner.set(key, identity.id);
    }
  });
}

function jwtConfig(
  f: NonNullable<NonNullable<ConfigFile["auth"]>["jwt"]>,
  invalid: (field: string, message: string) => ConfigError,
): JwtAuthConfig {
  if ((f.jwks_url === undefined) === (f.public_key === undefined)) {
    throw invalid("auth.jwt", "needs exactly one of jwks_url and public_key");
  }
  if (f.public_key !== undefined) {
    try {
      createPublicKey(f.public_key);
    } catch (err) {
      throw invalid("auth.jwt.public_key", `is not a usable public key: ${(err as Error).message}`);
    }
  }
  return {
    issuer: f.issuer,
    audience: f.audience,
    ...(f.jwks_url === undefined ? {} : { jwksUrl: f.jwks_url }),
    ...(f.public_key === undefined ? {} : { publicKeyPem: f.public_key }),
    algorithms: f.algorithms ?? [...CONFIG_DEFAULTS.jwtAlgorithms],
    clockToleranceSeconds: f.clock_tolerance_s ?? CONFIG_DEFAULTS.jwtClockToleranceSeconds,
  };
}

/** NODE_ENV=production means production; any other value means development; unset defers to the file. */
function modeFrom(nodeEnv: string | undefined, fileMode: ServiceMode | undefined): ServiceMode {
  const value = nonEmpty(nodeEnv);
  if (value !== undefined) return value === "production" ? "production" : "development";
  return fileMode ?? "development";
}

function portFromEnv(value: string | undefined): number | undefined {
  const text = nonEmpty(value);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) {
    throw new ConfigError("COUNTERSIGN_CONFIG_INVALID", `PORT must be a port number (0-65535), got ${JSON.stringify(text)}`, "PORT");
  }
  return n;
}

const UNITS: Readonly<Record<string, number>> = { "": 1, b: 1, kb: 1024, mb: 1024 * 1024 };

/** `64kb`, `1mb`, `2048` → bytes (the schema has checked the form). */
function bodyLimit(value: number | string | undefined): number {
  if (value === undefined) return CONFIG_DEFAULTS.bodyLimitBytes;
  if (typeof value === "number") return value;
  const m = /^\s*(\d+)\s*([kKmM]?[bB])?\s*$/.exec(value)!;
  return Number(m[1]) * UNITS[(m[2] ?? "").toLowerCase()]!;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
