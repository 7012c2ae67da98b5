/**
 * The Teams boundary's error catalogue: every refusal the bot answers a Teams user with, every HTTP answer
 * `/api/messages` gives besides the invoke results, and every notifier failure it logs, each with a stable
 * code. Refusals from the approval core keep the core's own codes.
 */

import { CataloguedError } from "../errors/coded-error";

/** Code → HTTP status (for `/api/messages` answers) and default message. */
export const TEAMS_ERRORS = {
  COUNTERSIGN_TEAMS_CONFIG_INVALID: { status: 500, message: "the teams configuration is invalid" },
  COUNTERSIGN_TEAMS_UNAUTHENTICATED: { status: 401, message: "the request is not authenticated by the Bot Framework channel service" },
  COUNTERSIGN_TEAMS_BAD_ACTIVITY: { status: 400, message: "the body is not a Bot Framework activity" },
  COUNTERSIGN_TEAMS_SERVICE_URL_NOT_ALLOWED: {
    status: 400,
    message: "in local development mode the service URL must be the configured teams.emulator_url",
  },
  COUNTERSIGN_TEAMS_LOOPBACK_ONLY: {
    status: 403,
    message: "in local development mode only callers on this machine (loopback) may post activities",
  },
  COUNTERSIGN_TEAMS_INTERNAL: { status: 500, message: "the bot could not process the activity" },
  COUNTERSIGN_TEAMS_UNKNOWN_REVIEWER: { status: 403, message: "your Teams account is not mapped to a Countersign reviewer" },
  COUNTERSIGN_TEAMS_TENANT_NOT_ALLOWED: { status: 403, message: "reviewers from this Microsoft 365 tenant are not accepted" },
  COUNTERSIGN_TEAMS_NOT_CHANNEL_ADMIN: { status: 403, message: "you may not change which Countersign channels are routed here" },
  COUNTERSIGN_TEAMS_BAD_ACTION: { status: 400, message: "the card action is missing its approval id" },
  COUNTERSIGN_TEAMS_CARD_ELSEWHERE: { status: 403, message: "this approval request belongs to another conversation" },
  COUNTERSIGN_TEAMS_CHANNEL_NAME_INVALID: {
    status: 400,
    message: "channel names are 1-64 characters: lower-case letters, digits, '.', '_' and '-'",
  },
  COUNTERSIGN_TEAMS_NO_CHANNEL: { status: 500, message: "no Teams conversation is subscribed for the approval's channel" },
  COUNTERSIGN_TEAMS_POST_FAILED: { status: 502, message: "the approval card could not be posted" },
  COUNTERSIGN_TEAMS_UPDATE_FAILED: { status: 502, message: "the approval card could not be updated" },
} as const satisfies Record<string, { status: number; message: string }>;

/** One of the catalogue's stable codes. */
export type TeamsErrorCode = keyof typeof TEAMS_ERRORS;

/** A failure or refusal at the Teams boundary. */
export class TeamsError extends CataloguedError<TeamsErrorCode> {
  constructor(
    /** Stable code from `TEAMS_ERRORS`. */
    code: TeamsErrorCode,
    message?: string,
    /** The offending setting, for configuration errors (`teams.app_id`). */
    readonly field?: string,
  ) {
    super(TEAMS_ERRORS, code, message);
  }
}
