/**
 * The approval workflow's error catalogue: every refusal of the approvals, grants and callbacks use cases,
 * each with a stable code, an HTTP status and a default message.
 *
 * Routes map an `ApprovalError` to `{ "error": { "code", "message", "details"? } }` with `status`; the Teams
 * bot shows `message` to the clicking reviewer; the audit trail records `code`. Codes never change meaning.
 */

import { CataloguedError } from "../errors/coded-error";

/** Code → HTTP status and default message. */
export const APPROVAL_ERRORS = {
  COUNTERSIGN_APPROVAL_NOT_FOUND: { status: 404, message: "no such approval request" },
  COUNTERSIGN_INVALID_APPROVAL_REQUEST: { status: 400, message: "the approval request is malformed" },
  COUNTERSIGN_IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    message: "this idempotency_key was already used for a different actor, action or resource",
  },
  COUNTERSIGN_REASON_REQUIRED: { status: 400, message: "this action requires context.reason" },
  COUNTERSIGN_CALLBACK_NOT_ALLOWED: { status: 400, message: "callback_url is not allowed" },
  COUNTERSIGN_APPROVAL_REQUIREMENTS_INVALID: { status: 500, message: "the policy's approval requirements are unusable" },
  COUNTERSIGN_INVALID_VERDICT: { status: 400, message: 'verdict must be "approve" or "deny"' },
  COUNTERSIGN_COMMENT_TOO_LONG: { status: 400, message: "comment is too long" },
  COUNTERSIGN_COMMENT_REQUIRED: { status: 400, message: "this request needs a comment with every verdict (approval.comment_required)" },
  COUNTERSIGN_SCOPE_TOO_WIDE: { status: 403, message: "the scope is wider than the policy allows (approval.max_scope)" },
  COUNTERSIGN_SELF_APPROVAL: { status: 403, message: "requesters cannot review their own request" },
  COUNTERSIGN_NOT_ELIGIBLE: { status: 403, message: "reviewer has none of the required roles" },
  COUNTERSIGN_REVIEWER_POLICY_REFUSED: { status: 403, message: "the reviewer policy does not allow this reviewer" },
  COUNTERSIGN_ALREADY_VOTED: { status: 409, message: "reviewer has already given a verdict on this request" },
  COUNTERSIGN_ALREADY_DECIDED: { status: 409, message: "the request is no longer pending" },
  COUNTERSIGN_EXPIRED: { status: 410, message: "the request has expired" },
  COUNTERSIGN_NOT_REQUESTER: { status: 403, message: "only the creating caller may do this" },
  COUNTERSIGN_APPROVAL_CONFLICT: { status: 409, message: "the request changed too often concurrently; retry" },
  COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE: { status: 503, message: "the approval store is unavailable" },
  COUNTERSIGN_GRANT_INVALID: { status: 401, message: "the grant is not a valid Countersign grant" },
  COUNTERSIGN_GRANT_EXPIRED: { status: 410, message: "the grant has expired" },
  COUNTERSIGN_GRANT_MISMATCH: { status: 403, message: "the grant was issued for a different actor, action or resource" },
  COUNTERSIGN_GRANT_REPLAYED: { status: 409, message: "the grant has already been used" },
  COUNTERSIGN_GRANT_UNAVAILABLE: { status: 503, message: "grants cannot be issued or redeemed right now" },
} as const satisfies Record<string, { status: number; message: string }>;

/** One of the catalogue's stable codes. */
export type ApprovalErrorCode = keyof typeof APPROVAL_ERRORS;

/** A refusal from the approval workflow; `status` is the HTTP status a route answers with. */
export class ApprovalError extends CataloguedError<ApprovalErrorCode> {
  constructor(
    /** Stable code from `APPROVAL_ERRORS`. */
    code: ApprovalErrorCode,
    message?: string,
    /** Extra machine-readable facts (field names, limits); never secrets. */
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(APPROVAL_ERRORS, code, message);
  }
}

/** True when `err` is an ApprovalError with one of `codes` (any code when none are given). */
export function isApprovalError(err: unknown, ...codes: ApprovalErrorCode[]): err is ApprovalError {
  return err instanceof ApprovalError && (codes.length === 0 || codes.includes(err.code));
}
