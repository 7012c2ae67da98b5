/**
 * The HTTP API's error catalogue: every error a client can receive, by stable code, with its status, and
 * the one body shape they all share: `{ "error": { "code", "message", "details"? } }`.
 *
 * The approval workflow's refusals (`src/approvals/approval-errors.ts`) and the audit trail's errors
 * (`src/audit/audit-error.ts`) are part of it with their own stable codes and statuses, so a route answers
 * an `ApprovalError` or an `AuditError` exactly as its catalogue defines it.
 */

import type { ServerResponse } from "node:http";
import { APPROVAL_ERRORS, ApprovalError, type ApprovalErrorCode } from "../approvals/approval-errors";
import { AUDIT_ERROR_STATUS, AuditError } from "../audit/audit-error";
import { sendJson } from "./send-json";
import { CodedError } from "../errors/coded-error";

/** The approval workflow's codes with their statuses. */
const APPROVAL_HTTP_ERRORS = Object.fromEntries(Object.entries(APPROVAL_ERRORS).map(([code, e]) => [code, e.status])) as {
  readonly [C in ApprovalErrorCode]: (typeof APPROVAL_ERRORS)[C]["status"];
};

/** The audit trail's codes a route answers (`GET /v1/audit`), with their statuses. */
const AUDIT_HTTP_ERRORS = {
  COUNTERSIGN_AUDIT_BAD_QUERY: AUDIT_ERROR_STATUS.COUNTERSIGN_AUDIT_BAD_QUERY,
  COUNTERSIGN_AUDIT_BAD_CURSOR: AUDIT_ERROR_STATUS.COUNTERSIGN_AUDIT_BAD_CURSOR,
  COUNTERSIGN_AUDIT_UNAVAILABLE: AUDIT_ERROR_STATUS.COUNTERSIGN_AUDIT_UNAVAILABLE,
} as const;

/** The transport's own codes, with their HTTP status. */
const TRANSPORT_ERRORS = {
  /** The request body fails the schema (missing, mistyped or unknown field), or there is no body. */
  COUNTERSIGN_INVALID_REQUEST: 400,
  /** The body is not well-formed JSON. */
  COUNTERSIGN_MALFORMED_JSON: 400,
  /** The body nests objects and arrays deeper than `server.max_json_depth` (`details.limit`). */
  COUNTERSIGN_BODY_TOO_DEEP: 400,
  /** The body did not arrive in full within `server.body_timeout_ms`; the connection is closed. */
  COUNTERSIGN_REQUEST_TIMEOUT: 408,
  /**
   * `actor.on_behalf_of` (or the `actor.id` of a human actor) names nobody configured, or a non-human, while
   * `identities.require_known_humans` is on; `details.field` says which.
   */
  COUNTERSIGN_UNKNOWN_IDENTITY: 400,
  /** No credentials, malformed credentials, an unknown API key or an invalid token. */
  COUNTERSIGN_UNAUTHENTICATED: 401,
  /** Authenticated, but this identity may not use the route (`GET /v1/audit` needs an auditor). */
  COUNTERSIGN_FORBIDDEN: 403,
  /** No such route. */
  COUNTERSIGN_NOT_FOUND: 404,
  /** The route exists but not for this method. */
  COUNTERSIGN_METHOD_NOT_ALLOWED: 405,
  /** The body is larger than `server.body_limit`. */
  COUNTERSIGN_PAYLOAD_TOO_LARGE: 413,
  /** The body is not `application/json` (or its charset/encoding is not supported). */
  COUNTERSIGN_UNSUPPORTED_MEDIA_TYPE: 415,
  /** Something unexpected failed; the body says no more (the log has the details). */
  COUNTERSIGN_INTERNAL: 500,
  /** `/readyz`: a dependency cannot serve (no bundle loaded, Redis unreachable). */
  COUNTERSIGN_NOT_READY: 503,
  /**
   * A read-only policy query (`POST /v1/mcp/hidden-tools`) could not be answered: no policy loaded, an
   * evaluation error, or a value of the wrong shape. Nothing was filtered.
   */
  COUNTERSIGN_POLICY_UNAVAILABLE: 503,
} as const;

/** Every error code of the API, with its HTTP status: the transport's, the approval workflow's and the audit trail's. */
export const HTTP_ERRORS = { ...TRANSPORT_ERRORS, ...APPROVAL_HTTP_ERRORS, ...AUDIT_HTTP_ERRORS } as const;

/** A code of the catalogue. */
export type HttpErrorCode = keyof typeof HTTP_ERRORS;

/** The error body. */
export interface ErrorBody {
  readonly error: { readonly code: HttpErrorCode; readonly message: string; readonly details?: unknown };
}

/** An error to answer with; thrown by handlers or passed to `next`, and sent by the error handler. */
export class HttpError extends CodedError<HttpErrorCode> {
  constructor(
    code: HttpErrorCode,
    message: string,
    readonly details?: unknown,
    /** Extra response headers (WWW-Authenticate, Allow). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, message);
  }

  /** The HTTP status of the code. */
  get status(): number {
    return HTTP_ERRORS[this.code];
  }

  /** The approval workflow's refusal as the API answers it (same code, status, message and details). */
  static fromApproval(err: ApprovalError): HttpError {
    return new HttpError(err.code, err.message, err.details);
  }

  /** The audit trail's error as the API answers it; codes no route answers (keys, configuration) are internal. */
  static fromAudit(err: AuditError): HttpError {
    if (Object.prototype.hasOwnProperty.call(AUDIT_HTTP_ERRORS, err.code))
      return new HttpError(err.code as keyof typeof AUDIT_HTTP_ERRORS, err.message);
    return new HttpError("COUNTERSIGN_INTERNAL", "internal error");
  }
}

/** Sends an error with the catalogue's status and the shared body shape. */
export function sendError(res: ServerResponse, err: HttpError): void {
  const body: ErrorBody = {
    error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) },
  };
  sendJson(res, err.status, body, err.headers);
}
