/**
 * The Teams bot's configuration: the `teams:` section of the service's configuration file (snake_case) plus
 * the conventional Bot Framework environment variables, validated once at start-up into `TeamsConfig`.
 *
 * Without an app id the bot runs in local development mode: inbound requests are not authenticated, so only
 * callers on this machine (loopback) may post activities, replies go only to `emulator_url` (the Bot
 * Framework Emulator's loopback service URL), and production refuses to start that way. With an app
 * id every inbound activity must carry a Bot Framework channel token for that app id.
 */

import { readFileSync } from "node:fs";
import { normalizeChannelName } from "./channel-name";
import { TeamsError } from "./teams-errors";
import { nonEmpty, sectionFields } from "../config/section-fields";

/** How the bot's Azure identity is set up (the Azure Bot resource's "Type of App"). */
export type TeamsAppType = "SingleTenant" | "MultiTenant" | "UserAssignedMsi";

/**
 * The Bot Framework endpoints for a non-public cloud (or a local Bot Connector). botbuilder uses either all of
 * its defaults or none: setting any one of these replaces every default, so the validator requires them together.
 */
export interface ChannelServiceEndpoints {
  /** Where the bot gets tokens for outbound calls (`https://login.microsoftonline.com/<tenant>`). */
  readonly toChannelFromBotLoginUrl: string;
  /** The scope outbound tokens are requested for (`https://api.botframework.com`). */
  readonly toChannelFromBotOAuthScope: string;
  /** The `iss` of channel tokens (`https://api.botframework.com`). */
  readonly toBotFromChannelTokenIssuer: string;
  /** OpenID metadata whose `jwks_uri` lists the channel's signing keys. */
  readonly toBotFromChannelOpenIdMetadataUrl: string;
  /** OpenID metadata for Emulator and bot-to-bot tokens. */
  readonly toBotFromEmulatorOpenIdMetadataUrl: string;
  /** The Bot Framework token service. */
  readonly oAuthUrl: string;
  /** Stamped on authenticated activities as `callerId`. */
  readonly callerId?: string;
  readonly validateAuthority: boolean;
}

/** An X.509 certificate the bot authenticates to Azure AD with, instead of a password. */
export interface TeamsCertificate {
  readonly thumbprint: string;
  readonly privateKeyPem: string;
}

/** The validated `teams:` section. */
export interface TeamsConfig {
  /** The Azure Bot's Microsoft App ID; absent in local development mode. */
  readonly appId?: string;
  readonly appType: TeamsAppType;
  /** The app's home tenant (lower case); required for SingleTenant and UserAssignedMsi. */
  readonly tenantId?: string;
  /** Client secret; exactly one of appPassword and certificate unless appType is UserAssignedMsi. */
  readonly appPassword?: string;
  readonly certificate?: TeamsCertificate;
  /** Tenants whose users may review (lower case); empty accepts any tenant the reviewer directory maps. */
  readonly allowedTenantIds: readonly string[];
  /** Where a request goes when its policy names no `approval.channel`, or names one nobody subscribed. */
  readonly defaultChannel: string;
  /** The name a conversation is subscribed under when the bot is installed there; else its own name. */
  readonly installChannel?: string;
  /** Roles that may subscribe and unsubscribe; empty lets any configured reviewer. */
  readonly channelAdminRoles: readonly string[];
  /** A non-public cloud (or a local Bot Connector); absent uses the public Azure cloud. */
  readonly channelService?: ChannelServiceEndpoints;
  /**
   * Local development mode only: the origin (`http://127.0.0.1:PORT`) of the one service URL replies may go
   * to; without it that mode refuses every activity.
   */
  readonly emulatorOrigin?: string;
}

/** True when the bot authenticates inbound requests (an app id is configured). */
export function isAuthenticated(config: TeamsConfig): boolean {
  return config.appId !== undefined;
}

/** The environment variables the validator reads (each overrides the file). */
export interface TeamsConfigEnv {
  readonly MICROSOFT_APP_ID?: string;
  readonly MICROSOFT_APP_PASSWORD?: string;
  readonly MICROSOFT_APP_TENANT_ID?: string;
  readonly MICROSOFT_APP_TYPE?: string;
  readonly [name: string]: string | undefined;
}

/** Options of `validateTeamsConfig`. */
export interface TeamsConfigOptions {
  /** Production refuses local development mode. */
  readonly production?: boolean;
  /** Reads `certificate.private_key_file`; default the file system. */
  readonly readFile?: (path: string) => string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const APP_TYPES: readonly TeamsAppType[] = ["SingleTenant", "MultiTenant", "UserAssignedMsi"];
const TOP_KEYS = [
  "app_id",
  "app_type",
  "tenant_id",
  "app_password",
  "certificate",
  "allowed_tenants",
  "default_channel",
  "install_channel",
  "channel_admin_roles",
  "channel_service",
  "emulator_url",
] as const;
const ENDPOINT_KEYS = {
  to_channel_from_bot_login_url: "toChannelFromBotLoginUrl",
  to_channel_from_bot_oauth_scope: "toChannelFromBotOAuthScope",
  to_bot_from_channel_token_issuer: "toBotFromChannelTokenIssuer",
  to_bot_from_channel_openid_metadata_url: "toBotFromChannelOpenIdMetadataUrl",
  to_bot_from_emulator_openid_metadata_url: "toBotFromEmulatorOpenIdMetadataUrl",
  oauth_url: "oAuthUrl",
} as const;

/** The default channel name when the file names none. */
export const DEFAULT_CHANNEL_NAME = "approvals";

/**
 * Validates the file's `teams:` section (undefined or null for an empty one) and applies the environment;
 * throws a TeamsError (COUNTERSIGN_TEAMS_CONFIG_INVALID) naming the offending setting.
 */
export function validateTeamsConfig(raw: unknown, env: TeamsConfigEnv = {}, options: TeamsConfigOptions = {}): TeamsConfig {
  const section = raw === undefined || raw === null ? {} : raw;
  const file = record(section, "teams");
  for (const key of Object.keys(file)) {
    if (!(TOP_KEYS as readonly string[]).includes(key)) fail(`teams.${key}`, "is not a known setting");
  }

  const appId = nonEmpty(env.MICROSOFT_APP_ID) ?? optionalString(file, "app_id");
  const appPassword = nonEmpty(env.MICROSOFT_APP_PASSWORD) ?? optionalString(file, "app_password");
  const tenantRaw = nonEmpty(env.MICROSOFT_APP_TENANT_ID) ?? optionalString(file, "tenant_id");
  const appTypeRaw = nonEmpty(env.MICROSOFT_APP_TYPE) ?? optionalString(file, "app_type") ?? "SingleTenant";
  const appType = APP_TYPES.find((t) => t.toLowerCase() === appTypeRaw.toLowerCase());
  if (appType === undefined) fail("teams.app_type", `must be one of ${APP_TYPES.join(", ")}`);
  const certificate = readCertificate(file["certificate"], options.readFile ?? ((p) => readFileSync(p, "utf8")));

  if (appId !== undefined && !GUID.test(appId)) fail("teams.app_id", "must be the Azure Bot's Microsoft App ID (a GUID)");
  if (tenantRaw !== undefined && !GUID.test(tenantRaw)) fail("teams.tenant_id", "must be an Azure AD tenant id (a GUID)");
  const tenantId = tenantRaw?.toLowerCase();

  if (appId === undefined) {
    if (options.production) {
      fail("teams.app_id", "is required in production: without it the bot accepts unauthenticated requests (local development mode)");
    }
    if (appPassword !== undefined || certificate !== undefined) fail("teams.app_id", "is required when a password or certificate is set");
  } else if (appType === "UserAssignedMsi") {
    if (appPassword !== undefined || certificate !== undefined)
      fail("teams.app_type", "UserAssignedMsi takes neither a password nor a certificate");
    if (tenantId === undefined) fail("teams.tenant_id", "is required for UserAssignedMsi");
  } else {
    if (appPassword === undefined && certificate === undefined) {
      fail(
        "teams.app_password",
        "or teams.certificate is required with an app id (prefer the MICROSOFT_APP_PASSWORD environment variable)",
      );
    }
    if (appPassword !== undefined && certificate !== undefined) fail("teams.certificate", "cannot be combined with an app password");
    if (appType === "SingleTenant" && tenantId === undefined) fail("teams.tenant_id", "is required for SingleTenant");
  }

  const allowedTenantIds = stringList(file, "allowed_tenants").map((t, i) => {
    if (!GUID.test(t)) fail(`teams.allowed_tenants[${i}]`, "must be an Azure AD tenant id (a GUID)");
    return t.toLowerCase();
  });
  if (allowedTenantIds.length === 0 && appId !== undefined && appType !== "MultiTenant" && tenantId !== undefined) {
    allowedTenantIds.push(tenantId);
  }

  const defaultChannel = channelName(file, "default_channel") ?? DEFAULT_CHANNEL_NAME;
  const installChannel = channelName(file, "install_channel");
  const channelAdminRoles = stringList(file, "channel_admin_roles");
  const channelService = readEndpoints(file["channel_service"], options.production === true);
  const emulatorOrigin = emulatorOriginOf(optionalString(file, "emulator_url"), appId !== undefined);

  return {
    ...(appId === undefined ? {} : { appId: appId.toLowerCase() }),
    appType,
    ...(tenantId === undefined ? {} : { tenantId }),
    ...(appPassword === undefined ? {} : { appPassword }),
    ...(certificate === undefined ? {} : { certificate }),
    allowedTenantIds,
    defaultChannel,
    ...(installChannel === undefined ? {} : { installChannel }),
    channelAdminRoles,
    ...(channelService === undefined ? {} : { channelService }),
    ...(emulatorOrigin === undefined ? {} : { emulatorOrigin }),
  };
}

/** The origin of `teams.emulator_url`: plain http or https on a loopback address, in local development mode only. */
function emulatorOriginOf(value: string | undefined, authenticated: boolean): string | undefined {
  if (value === undefined) return undefined;
  if (authenticated)
    fail("teams.emulator_url", "is only for local development mode (no app id); with an app id replies go where Teams says");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail("teams.emulator_url", "must be a URL such as http://127.0.0.1:53484");
  }
  const loopback = url.hostname === "localhost" || url.hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(url.hostname);
  if (!loopback || (url.protocol !== "http:" && url.protocol !== "https:"))
    fail("teams.emulator_url", "must be an http(s) URL on a loopback address");
  return url.origin;
}

/**
 * The settings botbuilder's `ConfigurationBotFrameworkAuthentication` and
 * `ConfigurationServiceClientCredentialFactory` read, in their own key names. Empty in development mode.
 */
export function botFrameworkAuthOptions(config: TeamsConfig): Record<string, string | boolean> {
  if (config.appId === undefined) return {};
  const options: Record<string, string | boolean> = {
    MicrosoftAppId: config.appId,
    MicrosoftAppType: config.appType,
  };
  if (config.tenantId !== undefined) options["MicrosoftAppTenantId"] = config.tenantId;
  if (config.appPassword !== undefined) options["MicrosoftAppPassword"] = config.appPassword;
  if (config.certificate !== undefined) {
    options["CertificateThumbprint"] = config.certificate.thumbprint;
    options["CertificatePrivateKey"] = config.certificate.privateKeyPem;
  }
  const endpoints = config.channelService;
  if (endpoints !== undefined) {
    // All together: botbuilder drops every default as soon as one of these is present.
    options["ToChannelFromBotLoginUrl"] = endpoints.toChannelFromBotLoginUrl;
    options["ToChannelFromBotOAuthScope"] = endpoints.toChannelFromBotOAuthScope;
    options["ToBotFromChannelTokenIssuer"] = endpoints.toBotFromChannelTokenIssuer;
    options["ToBotFromChannelOpenIdMetadataUrl"] = endpoints.toBotFromChannelOpenIdMetadataUrl;
    options["ToBotFromEmulatorOpenIdMetadataUrl"] = endpoints.toBotFromEmulatorOpenIdMetadataUrl;
    options["OAuthUrl"] = endpoints.oAuthUrl;
    options["ValidateAuthority"] = endpoints.validateAuthority;
    if (endpoints.callerId !== undefined) options["CallerId"] = endpoints.callerId;
  }
  return options;
}

/** The configuration as it may be logged: secrets replaced. */
export function describeTeamsConfig(config: TeamsConfig): Record<string, unknown> {
  return {
    mode: config.appId === undefined ? "local-development" : "authenticated",
    appId: config.appId,
    appType: config.appType,
    tenantId: config.tenantId,
    credential: config.certificate
      ? "certificate"
      : config.appPassword
        ? "password"
        : config.appType === "UserAssignedMsi"
          ? "managed-identity"
          : "none",
    allowedTenantIds: config.allowedTenantIds,
    defaultChannel: config.defaultChannel,
    installChannel: config.installChannel,
    channelAdminRoles: config.channelAdminRoles,
    cloud: config.channelService === undefined ? "public" : "custom",
  };
}

function readCertificate(raw: unknown, readFile: (path: string) => string): TeamsCertificate | undefined {
  if (raw === undefined || raw === null) return undefined;
  const cert = record(raw, "teams.certificate");
  for (const key of Object.keys(cert)) {
    if (!["thumbprint", "private_key_pem", "private_key_file"].includes(key)) fail(`teams.certificate.${key}`, "is not a known setting");
  }
  const thumbprint = optionalString(cert, "thumbprint", "teams.certificate");
  if (thumbprint === undefined || !/^[0-9a-f]{40}$/i.test(thumbprint.replace(/:/g, ""))) {
    fail("teams.certificate.thumbprint", "must be the certificate's SHA-1 thumbprint (40 hex digits)");
  }
  const inline = optionalString(cert, "private_key_pem", "teams.certificate");
  const file = optionalString(cert, "private_key_file", "teams.certificate");
  if ((inline === undefined) === (file === undefined))
    fail("teams.certificate", "needs exactly one of private_key_pem and private_key_file");
  let pem = inline;
  if (file !== undefined) {
    try {
      pem = readFile(file);
    } catch (err) {
      fail("teams.certificate.private_key_file", `cannot be read: ${(err as Error).message}`);
    }
  }
  if (pem === undefined || !pem.includes("PRIVATE KEY-----")) fail("teams.certificate", "the private key must be PEM");
  return { thumbprint: thumbprint.replace(/:/g, "").toUpperCase(), privateKeyPem: pem };
}

function readEndpoints(raw: unknown, production: boolean): ChannelServiceEndpoints | undefined {
  if (raw === undefined || raw === null) return undefined;
  const section = record(raw, "teams.channel_service");
  const known = [...Object.keys(ENDPOINT_KEYS), "caller_id", "validate_authority"];
  for (const key of Object.keys(section)) {
    if (!known.includes(key)) fail(`teams.channel_service.${key}`, "is not a known setting");
  }
  const out: Record<string, unknown> = {};
  for (const [fileKey, key] of Object.entries(ENDPOINT_KEYS)) {
    const value = optionalString(section, fileKey, "teams.channel_service");
    if (value === undefined) {
      fail(`teams.channel_service.${fileKey}`, "is required: botbuilder uses all of the channel service settings or none of them");
    }
    if (fileKey !== "to_channel_from_bot_oauth_scope" && fileKey !== "to_bot_from_channel_token_issuer")
      checkUrl(value, `teams.channel_service.${fileKey}`, production);
    out[key] = value;
  }
  const callerId = optionalString(section, "caller_id", "teams.channel_service");
  if (callerId !== undefined) out["callerId"] = callerId;
  const validate = section["validate_authority"];
  if (validate !== undefined && typeof validate !== "boolean") fail("teams.channel_service.validate_authority", "must be true or false");
  out["validateAuthority"] = validate ?? true;
  return out as unknown as ChannelServiceEndpoints;
}

function checkUrl(value: string, field: string, production: boolean): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(field, "must be an absolute URL");
  }
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
  if (url.protocol === "https:") return;
  if (url.protocol === "http:" && loopback && !production) return;
  fail(field, "must be an https URL (plain http only to a loopback address, outside production)");
}

function channelName(file: Record<string, unknown>, key: string): string | undefined {
  const value = optionalString(file, key);
  if (value === undefined) return undefined;
  const name = normalizeChannelName(value);
  if (name === null)
    fail(`teams.${key}`, "must be 1-64 characters: lower-case letters, digits, '.', '_' and '-', starting with a letter or digit");
  return name;
}

const { stringList, optionalString, record } = sectionFields("teams", fail);

function fail(field: string, problem: string): never {
  throw new TeamsError("COUNTERSIGN_TEAMS_CONFIG_INVALID", `${field} ${problem}`, field);
}
