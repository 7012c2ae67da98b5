/**
 * The web console's error catalogue: every refusal the console itself gives (sign-in, session, CSRF, a stale
 * page), each with a stable code, an HTTP status and a default message. Refusals from the approval workflow
 * keep the workflow's own codes (`src/approvals/approval-errors.ts`); the console shows them as they are.
 */

import { CataloguedError } from "../errors/coded-error";

/** Code → HTTP status and default message. */
export const CONSOLE_ERRORS = {
  COUNTERSIGN_CONSOLE_CONFIG_INVALID: { status: 500, message: "the console configuration is invalid" },
  COUNTERSIGN_CONSOLE_SIGN_IN_REQUIRED: { status: 401, message: "sign in to use the console" },
  COUNTERSIGN_CONSOLE_SIGN_IN_FAILED: { status: 401, message: "signing in did not succeed" },
  COUNTERSIGN_CONSOLE_UNKNOWN_IDENTITY: { status: 403, message: "your account is not mapped to a Countersign reviewer" },
  COUNTERSIGN_CONSOLE_DEV_SIGN_IN_OFF: { status: 404, message: "development sign-in exists in development mode only" },
  COUNTERSIGN_CONSOLE_CSRF_REFUSED: {
    status: 403,
    message: "the form did not come from this console (missing or wrong CSRF token, or a foreign origin); reload the page and try again",
  },
  COUNTERSIGN_CONSOLE_VIEW_STALE: {
    status: 409,
    message: "the request changed since you opened it; review what it shows now and decide again",
  },
  COUNTERSIGN_CONSOLE_FORBIDDEN: { status: 403, message: "this page is for auditor identities" },
  COUNTERSIGN_CONSOLE_BAD_FORM: { status: 400, message: "the form is malformed" },
  COUNTERSIGN_CONSOLE_NOT_FOUND: { status: 404, message: "no such page" },
} as const satisfies Record<string, { status: number; message: string }>;

/** One of the catalogue's stable codes. */
export type ConsoleErrorCode = keyof typeof CONSOLE_ERRORS;

/** A refusal at the console boundary; `status` is the HTTP status the page answers with. */
export class ConsoleError extends CataloguedError<ConsoleErrorCode> {
  constructor(
    /** Stable code from `CONSOLE_ERRORS`. */
    code: ConsoleErrorCode,
    message?: string,
  ) {
    super(CONSOLE_ERRORS, code, message);
  }
}
