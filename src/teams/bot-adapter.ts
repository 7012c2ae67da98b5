/**
 * The bot's Bot Framework adapter: Teams AI's `TeamsAdapter` (botbuilder's `CloudAdapter`) configured from
 * `TeamsConfig`, with the inbound HTTP handling done here so that every authentication failure is a 401 that
 * reaches no handler, and no error detail leaks into a response.
 *
 * botbuilder's own `process()` answers a token signed by an unknown key with a 500 carrying the error text;
 * here authentication runs first (`ConfigurationBotFrameworkAuthentication`: channel JWT validation against
 * the OpenID metadata's keys, issuer, audience = app id, and the `serviceurl` claim against the activity),
 * and only an authenticated activity is processed.
 */

import { TeamsAdapter } from "@microsoft/teams-ai";
import type { Activity, ConfigurationBotFrameworkAuthenticationOptions, TurnContext } from "botbuilder";
import type { Request, Response } from "express";
import type { TeamsLogger } from "./ports";
import { botFrameworkAuthOptions, isAuthenticated, type TeamsConfig } from "./teams-config";
import { TeamsError, type TeamsErrorCode } from "./teams-errors";

/** botbuilder's factory of outbound credentials (ServiceClientCredentialsFactory), as TeamsAdapter takes it. */
export type CredentialsFactory = NonNullable<ConstructorParameters<typeof TeamsAdapter>[1]>;

/** The adapter the Teams AI application runs on. */
export class ApprovalBotAdapter extends TeamsAdapter {
  private readonly authenticated: boolean;
  private readonly emulatorOrigin: string | undefined;

  constructor(
    config: TeamsConfig,
    private readonly logger: TeamsLogger,
    /** Replaces the factory built from the configuration (a token source other than Azure AD). */
    credentialsFactory?: CredentialsFactory,
  ) {
    super(botFrameworkAuthOptions(config) as ConfigurationBotFrameworkAuthenticationOptions, credentialsFactory);
    this.authenticated = isAuthenticated(config);
    this.emulatorOrigin = config.emulatorOrigin;
  }

  /** Authenticates and processes one POST to `/api/messages`, answering with the turn's invoke response. */
  async handle(req: Request, res: Response, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const activity = readActivity(req.body);
    if (activity === null) return reply(res, "COUNTERSIGN_TEAMS_BAD_ACTIVITY");
    if (!this.authenticated) {
      // Unauthenticated mode must not become a way for anyone to post activities, nor to make this server
      // call arbitrary URLs (another loopback port is Redis, or an admin endpoint): callers on this machine
      // only, and replies only to the configured Emulator.
      if (!isLoopbackAddress(req.socket.remoteAddress)) {
        this.logger.warn("teams activity refused in local development mode: not a loopback caller", {
          code: "COUNTERSIGN_TEAMS_LOOPBACK_ONLY",
        });
        return reply(res, "COUNTERSIGN_TEAMS_LOOPBACK_ONLY");
      }
      if (this.emulatorOrigin === undefined || originOf(activity.serviceUrl) !== this.emulatorOrigin) {
        this.logger.warn("teams activity refused in local development mode: its service URL is not teams.emulator_url", {
          code: "COUNTERSIGN_TEAMS_SERVICE_URL_NOT_ALLOWED",
          emulator_url: this.emulatorOrigin ?? "(not configured)",
        });
        return reply(res, "COUNTERSIGN_TEAMS_SERVICE_URL_NOT_ALLOWED");
      }
    }
    const header = req.headers.authorization ?? "";
    const authentication = await this.botFrameworkAuthentication.authenticateRequest(activity, header).catch((err: unknown) => {
      this.logger.warn("teams activity rejected", {
        code: "COUNTERSIGN_TEAMS_UNAUTHENTICATED",
        cause: err instanceof Error ? err.message : String(err),
        activityType: activity.type,
      });
      return null;
    });
    if (authentication === null) return reply(res, "COUNTERSIGN_TEAMS_UNAUTHENTICATED");
    try {
      const invokeResponse = await this.processActivity(authentication, activity, logic);
      if (res.headersSent) return;
      res.status(invokeResponse?.status ?? 200);
      if (invokeResponse?.body !== undefined) res.json(invokeResponse.body);
      else res.end();
    } catch (err) {
      this.logger.error("teams activity failed", {
        code: "COUNTERSIGN_TEAMS_INTERNAL",
        cause: err instanceof Error ? err.message : String(err),
        activityType: activity.type,
      });
      if (!res.headersSent) reply(res, "COUNTERSIGN_TEAMS_INTERNAL");
    }
  }
}

function reply(res: Response, code: TeamsErrorCode): void {
  const error = new TeamsError(code);
  res.status(error.status).json(error.toBody());
}

/** The body as an activity, when it has the fields every turn relies on. */
function readActivity(body: unknown): Activity | null {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return null;
  const a = body as Record<string, unknown>;
  const conversation = a["conversation"] as Record<string, unknown> | undefined;
  if (typeof a["type"] !== "string" || a["type"] === "") return null;
  if (typeof a["serviceUrl"] !== "string" || !/^https?:\/\//i.test(a["serviceUrl"])) return null;
  if (typeof a["channelId"] !== "string" || typeof conversation?.["id"] !== "string") return null;
  // botbuilder expects Dates where the wire has ISO strings (what its own validator does).
  const activity = { ...a } as unknown as Activity;
  if (typeof a["timestamp"] === "string") activity.timestamp = new Date(a["timestamp"]);
  if (typeof a["localTimestamp"] === "string") activity.localTimestamp = new Date(a["localTimestamp"]);
  return activity;
}

/** The origin of a service URL, or null when it is not a URL. */
function originOf(serviceUrl: string): string | null {
  try {
    return new URL(serviceUrl).origin;
  } catch {
    return null;
  }
}

/** True for a TCP peer on this machine (a Unix socket or an unknown peer is not one). */
function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === "::1" || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(address);
}
