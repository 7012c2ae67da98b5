/**
 * The Slack boundary's error catalogue: every HTTP answer `/api/slack/*` gives besides Slack's own
 * acknowledgements, every refusal the app tells a Slack user (as an ephemeral message), and every delivery
 * failure it logs, each with a stable code. Refusals from the approval core keep the core's own codes.
 */

import { CataloguedError } from "../errors/coded-error";

/** Code → HTTP status and default message. */
export const SLACK_ERRORS = {
  COUNTERSIGN_SLACK_CONFIG_INVALID: { status: 500, message: "the slack configuration is invalid" },
  COUNTERSIGN_SLACK_UNSIGNED: { status: 401, message: "the request does not carry a valid Slack signature" },
  COUNTERSIGN_SLACK_STALE: { status: 401, message: "the request's signed timestamp is outside the replay window" },
  COUNTERSIGN_SLACK_REPLAYED: { status: 401, message: "this signed request was already received" },
  COUNTERSIGN_SLACK_NO_SIGNING_SECRET: { status: 401, message: "no Slack signing secret is configured, so no Slack request is accepted" },
  COUNTERSIGN_SLACK_BAD_REQUEST: { status: 400, message: "the body is not a Slack request" },
  COUNTERSIGN_SLACK_UNAVAILABLE: { status: 503, message: "the request cannot be checked right now" },
  COUNTERSIGN_SLACK_UNKNOWN_REVIEWER: { status: 403, message: "your Slack account is not mapped to a Countersign reviewer" },
  COUNTERSIGN_SLACK_TEAM_NOT_ALLOWED: { status: 403, message: "reviewers from this Slack workspace are not accepted" },
  COUNTERSIGN_SLACK_BAD_ACTION: { status: 400, message: "the button or form does not name an approval request" },
  COUNTERSIGN_SLACK_POST_FAILED: { status: 502, message: "the approval message could not be posted" },
  COUNTERSIGN_SLACK_UPDATE_FAILED: { status: 502, message: "the approval message could not be updated" },
} as const satisfies Record<string, { status: number; message: string }>;

/** One of the catalogue's stable codes. */
export type SlackErrorCode = keyof typeof SLACK_ERRORS;

/** A failure or refusal at the Slack boundary. */
export class SlackError extends CataloguedError<SlackErrorCode> {
  constructor(
    /** Stable code from `SLACK_ERRORS`. */
    code: SlackErrorCode,
    message?: string,
    /** The offending setting, for configuration errors (`slack.default_channel`). */
    readonly field?: string,
  ) {
    super(SLACK_ERRORS, code, message);
  }
}
