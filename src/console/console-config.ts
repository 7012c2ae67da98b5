/**
 * The web console's configuration: the `console:` section of the service's configuration file (snake_case)
 * plus environment variables, validated once at start-up into `ConsoleConfig`.
 *
 * ```yaml
 * console:
 *   public_url: https://countersign.example.com      # where people reach the service (links, OIDC redirect)
 *   session_key_env: COUNTERSIGN_CONSOLE_SESSION_KEY  # the key sessions are sealed with (required in production)
 *   session_hours: 8
 *   oidc:
 *     issuer: https://login.example.com/
 *     client_id: countersign-console
 *     client_secret_env: COUNTERSIGN_CONSOLE_CLIENT_SECRET
 *     claim: email               # the ID token claim that names the identity
 * ```
 *
 * Production refuses to start without an `oidc` section or a session key; development sign-in (any example
 * identity, one click) exists only when the service runs in development mode.
 */

import { createHash, randomBytes } from "node:crypto";
import { ConsoleError } from "./console-errors";

/** Signing in with OpenID Connect (authorization code flow with PKCE). */
export interface ConsoleOidcConfig {
  /** The issuer URL; its discovery document is read at `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly clientId: string;
  /** The client secret (from the variable `client_secret_env` names); absent for a public client. */
  readonly clientSecret?: string;
  /** The ID token claim whose value names the configured identity (`email`, `preferred_username`, `sub`, …). */
  readonly claim: string;
  /** Scopes asked for; `openid` always among them. */
  readonly scopes: readonly string[];
}

/** The validated `console:` section. */
export interface ConsoleConfig {
  /**
   * The service's public origin, without a trailing slash (`https://cs.example.com`); the console is at
   * `/console` there. Absent only in development without OIDC: the origin is then taken from each request's
   * `Host` header.
   */
  readonly publicUrl?: string;
  /** 32 bytes the session and sign-in cookies are sealed with (A256GCM). */
  readonly sessionKey: Uint8Array;
  /** True when the key was generated at start (development only: sessions end with the process). */
  readonly sessionKeyGenerated: boolean;
  /** How long a session lasts. */
  readonly sessionTtlSeconds: number;
  readonly oidc?: ConsoleOidcConfig;
  /** One-click sign-in as any configured human identity: development mode only. */
  readonly developmentSignIn: boolean;
}

/** The environment variables the validator reads. */
export interface ConsoleConfigEnv {
  readonly [name: string]: string | undefined;
}

const TOP_KEYS = ["public_url", "session_key_env", "session_hours", "oidc"] as const;
const OIDC_KEYS = ["issuer", "client_id", "client_secret_env", "claim", "scopes"] as const;
const DEFAULT_SESSION_KEY_ENV = "COUNTERSIGN_CONSOLE_SESSION_KEY";

/**
 * Validates the `console:` section (undefined or null for an empty one) with the environment.
 */
export function validateConsoleConfig(raw: unknown, env: ConsoleConfigEnv, options: { readonly production: boolean }): ConsoleConfig {
  const file = record(raw === undefined || raw === null ? {} : raw, "console");
  for (const key of Object.keys(file)) if (!(TOP_KEYS as readonly string[]).includes(key)) fail(`console.${key}`, "is not a known setting");
  const production = options.production;

  const publicRaw = optionalString(file, "public_url");
  if (publicRaw === undefined && production)
    fail("console.public_url", "is required in production: the https URL people reach the service at");
  const publicUrl = publicRaw === undefined ? undefined : publicUrlOf(publicRaw, production);

  const keyEnv = optionalString(file, "session_key_env") ?? DEFAULT_SESSION_KEY_ENV;
  const keyText = env[keyEnv];
  if ((keyText === undefined || keyText === "") && production) {
    fail(
      "console.session_key_env",
      `names ${keyEnv}, which is not set: production needs a session key (at least 32 random characters) shared by every instance`,
    );
  }
  if (keyText !== undefined && keyText !== "" && keyText.length < 32)
    fail("console.session_key_env", `${keyEnv} must be at least 32 characters`);
  const sessionKey =
    keyText === undefined || keyText === ""
      ? new Uint8Array(randomBytes(32))
      : new Uint8Array(createHash("sha256").update(keyText, "utf8").digest());

  const hours = file["session_hours"];
  if (hours !== undefined && (typeof hours !== "number" || !(hours > 0) || hours > 24 * 7))
    fail("console.session_hours", "must be a number of hours above 0, at most 168");

  let oidc: ConsoleOidcConfig | undefined;
  if (file["oidc"] !== undefined && file["oidc"] !== null) {
    const o = record(file["oidc"], "console.oidc");
    for (const key of Object.keys(o))
      if (!(OIDC_KEYS as readonly string[]).includes(key)) fail(`console.oidc.${key}`, "is not a known setting");
    const issuer = optionalString(o, "issuer", "console.oidc.issuer") ?? fail("console.oidc.issuer", "is required");
    issuerOf(issuer, production);
    const clientId = optionalString(o, "client_id", "console.oidc.client_id") ?? fail("console.oidc.client_id", "is required");
    const secretEnv = optionalString(o, "client_secret_env", "console.oidc.client_secret_env");
    let clientSecret: string | undefined;
    if (secretEnv !== undefined) {
      clientSecret = env[secretEnv];
      if (clientSecret === undefined || clientSecret === "") fail("console.oidc.client_secret_env", `names ${secretEnv}, which is not set`);
    }
    const claim = optionalString(o, "claim", "console.oidc.claim") ?? "email";
    const scopesRaw = o["scopes"];
    let scopes = ["openid", "email", "profile"];
    if (scopesRaw !== undefined) {
      if (!Array.isArray(scopesRaw) || scopesRaw.some((s) => typeof s !== "string" || !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s)))
        fail("console.oidc.scopes", "must be a list of scope names");
      scopes = [...new Set(["openid", ...(scopesRaw as string[])])];
    }
    oidc = { issuer, clientId, ...(clientSecret === undefined ? {} : { clientSecret }), claim, scopes };
  }
  if (oidc === undefined && production)
    fail("console.oidc", "is required in production: people sign in to the console with OpenID Connect");
  if (oidc !== undefined && publicUrl === undefined)
    fail("console.public_url", "is required with console.oidc: the provider sends people back to <public_url>/console/auth/callback");

  return {
    ...(publicUrl === undefined ? {} : { publicUrl }),
    sessionKey,
    sessionKeyGenerated: keyText === undefined || keyText === "",
    sessionTtlSeconds: Math.round(((hours as number | undefined) ?? 8) * 3600),
    ...(oidc === undefined ? {} : { oidc }),
    developmentSignIn: !production,
  };
}

function publicUrlOf(value: string, production: boolean): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail("console.public_url", "must be an absolute URL such as https://countersign.example.com");
  }
  if (url.search !== "" || url.hash !== "" || url.pathname !== "/")
    fail("console.public_url", "must be an origin only (scheme, host, port): the console is served at /console");
  if (!(url.protocol === "https:" || (url.protocol === "http:" && (isLoopback(url.hostname) || !production)))) {
    fail("console.public_url", "must be an https URL (plain http only to a loopback address, outside production)");
  }
  return url.href.replace(/\/+$/, "");
}

function issuerOf(value: string, production: boolean): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail("console.oidc.issuer", "must be an absolute URL");
  }
  if (!(url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname) && !production))) {
    fail("console.oidc.issuer", "must be an https URL (plain http only to a loopback address, outside production)");
  }
}

/** True for localhost and the loopback addresses. */
export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(where, "must be a mapping");
  return value as Record<string, unknown>;
}

function optionalString(file: Record<string, unknown>, key: string, where = `console.${key}`): string | undefined {
  const value = file[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.trim() === "") fail(where, "must be a non-empty string");
  return value.trim();
}

function fail(field: string, message: string): never {
  throw new ConsoleError("COUNTERSIGN_CONSOLE_CONFIG_INVALID", `${field} ${message}`);
}
