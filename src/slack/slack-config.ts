/**
 * The Slack app's configuration: the `slack:` section of the service's configuration file (snake_case) plus
 * the conventional Slack environment variables (`SLACK_BOT_TOKEN`, `SLACK_SIGNING_SECRET`), validated once at
 * start-up into `SlackConfig`.
 *
 * Every inbound request must carry a valid Slack signature made with the signing secret, within the replay
 * window. Production refuses to start without a signing secret; elsewhere the app starts without one but
 * refuses every inbound request (401), so a missing secret never means unauthenticated clicks.
 */

import { normalizeChannelName } from "../teams/channel-name";
import { SlackError } from "./slack-errors";
import { nonEmpty, sectionFields } from "../config/section-fields";

/** The validated `slack:` section. */
export interface SlackConfig {
  /** The bot user OAuth token (`xoxb-…`) the app posts and updates messages with. */
  readonly botToken: string;
  /** The app's signing secret; absent only outside production (every inbound request is then refused). */
  readonly signingSecret?: string;
  /** The Slack channel id requests go to when their policy names no channel (or one not mapped). */
  readonly defaultChannel: string;
  /** Policy channel name (`approval.channel`, escalation `channel`) → Slack channel id. */
  readonly channels: Readonly<Record<string, string>>;
  /** Workspaces (team ids) whose users may review; empty accepts any workspace an identity is mapped in. */
  readonly allowedTeamIds: readonly string[];
  /** The Slack Web API base URL, ending in `/` (`https://slack.com/api/`; a loopback fake in tests). */
  readonly apiUrl: string;
  /** The replay window: inbound requests whose signed timestamp is further from now are refused. */
  readonly requestMaxAgeSeconds: number;
}

/** The environment variables the validator reads (each overrides the file). */
export interface SlackConfigEnv {
  readonly SLACK_BOT_TOKEN?: string;
  readonly SLACK_SIGNING_SECRET?: string;
  readonly [name: string]: string | undefined;
}

/** Slack's own replay window for signed requests, and the widest this app accepts. */
export const MAX_REQUEST_AGE_SECONDS = 300;

/** The public Slack Web API. */
export const DEFAULT_SLACK_API_URL = "https://slack.com/api/";

const TOP_KEYS = [
  "bot_token",
  "signing_secret",
  "default_channel",
  "channels",
  "allowed_teams",
  "api_url",
  "request_max_age_seconds",
] as const;

/** A Slack conversation id: public (`C…`), private or group (`G…`), or a DM (`D…`). */
export const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{2,20}$/;

const TEAM_ID = /^[TE][A-Z0-9]{2,20}$/;

/** Validates the file's `slack:` section (undefined or null for an empty one) and applies the environment. */
export function validateSlackConfig(raw: unknown, env: SlackConfigEnv = {}, options: { readonly production?: boolean } = {}): SlackConfig {
  const file = record(raw === undefined || raw === null ? {} : raw, "slack");
  for (const key of Object.keys(file)) {
    if (!(TOP_KEYS as readonly string[]).includes(key)) fail(`slack.${key}`, "is not a known setting");
  }
  const production = options.production === true;

  const botToken = nonEmpty(env.SLACK_BOT_TOKEN) ?? optionalString(file, "bot_token");
  if (botToken === undefined) fail("slack.bot_token", "is required (prefer the SLACK_BOT_TOKEN environment variable)");
  if (production && !botToken.startsWith("xoxb-")) fail("slack.bot_token", "must be the app's bot user OAuth token (xoxb-…)");

  const signingSecret = nonEmpty(env.SLACK_SIGNING_SECRET) ?? optionalString(file, "signing_secret");
  if (signingSecret === undefined && production) {
    fail(
      "slack.signing_secret",
      "is required in production: without it no inbound Slack request can be verified (set SLACK_SIGNING_SECRET)",
    );
  }

  const defaultChannel = optionalString(file, "default_channel");
  if (defaultChannel === undefined) fail("slack.default_channel", "is required: the Slack channel id (C…) requests go to by default");
  if (!SLACK_CHANNEL_ID.test(defaultChannel)) fail("slack.default_channel", "must be a Slack channel id such as C0123456789");

  const channels: Record<string, string> = {};
  const rawChannels = file["channels"];
  if (rawChannels !== undefined && rawChannels !== null) {
    for (const [name, id] of Object.entries(record(rawChannels, "slack.channels"))) {
      const normal = normalizeChannelName(name);
      if (normal === null)
        fail(`slack.channels.${name}`, "is not a channel name: 1-64 characters, lower-case letters, digits, '.', '_' and '-'");
      if (typeof id !== "string" || !SLACK_CHANNEL_ID.test(id))
        fail(`slack.channels.${name}`, "must be a Slack channel id such as C0123456789");
      channels[normal] = id;
    }
  }

  const allowedTeamIds = stringList(file, "allowed_teams").map((t, i) => {
    if (!TEAM_ID.test(t)) fail(`slack.allowed_teams[${i}]`, "must be a Slack workspace id such as T0123456789");
    return t;
  });

  const apiUrl = apiUrlOf(optionalString(file, "api_url") ?? DEFAULT_SLACK_API_URL, production);

  const age = file["request_max_age_seconds"];
  if (age !== undefined && (typeof age !== "number" || !Number.isInteger(age) || age < 10 || age > MAX_REQUEST_AGE_SECONDS)) {
    fail("slack.request_max_age_seconds", `must be an integer from 10 to ${MAX_REQUEST_AGE_SECONDS}`);
  }

  return {
    botToken,
    ...(signingSecret === undefined ? {} : { signingSecret }),
    defaultChannel,
    channels,
    allowedTeamIds,
    apiUrl,
    requestMaxAgeSeconds: (age as number | undefined) ?? MAX_REQUEST_AGE_SECONDS,
  };
}

/** The Slack channel id a policy's channel name routes to: mapped, a channel id written as is, else the default. */
export function slackChannelFor(config: SlackConfig, name: string | undefined): string {
  if (name === undefined) return config.defaultChannel;
  if (SLACK_CHANNEL_ID.test(name.trim())) return name.trim();
  const normal = normalizeChannelName(name);
  return (normal === null ? undefined : config.channels[normal]) ?? config.defaultChannel;
}

/** The configuration as it may be logged: secrets left out. */
export function describeSlackConfig(config: SlackConfig): Record<string, unknown> {
  return {
    signed: config.signingSecret !== undefined,
    defaultChannel: config.defaultChannel,
    channels: config.channels,
    allowedTeamIds: config.allowedTeamIds,
    apiUrl: config.apiUrl,
    requestMaxAgeSeconds: config.requestMaxAgeSeconds,
  };
}

function apiUrlOf(value: string, production: boolean): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail("slack.api_url", "must be an absolute URL such as https://slack.com/api/");
  }
  const loopback = url.hostname === "localhost" || url.hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(url.hostname);
  if (!(url.protocol === "https:" || (url.protocol === "http:" && loopback && !production))) {
    fail("slack.api_url", "must be an https URL (plain http only to a loopback address, outside production)");
  }
  return url.href.endsWith("/") ? url.href : `${url.href}/`;
}

const { stringList, optionalString, record } = sectionFields("slack", fail);

function fail(field: string, problem: string): never {
  throw new SlackError("COUNTERSIGN_SLACK_CONFIG_INVALID", `${field} ${problem}`, field);
}
