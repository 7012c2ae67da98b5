/**
 * The audit trail's error catalogue: every way recording, reading, exporting or verifying the trail can
 * fail, by stable code, with the HTTP status a route maps it to.
 */

import { CodedError } from "../errors/coded-error";

/** Stable codes for audit failures. */
export type AuditErrorCode =
  /** The trail could not durably append an entry (Redis down, timed out, contention, inconsistent head). The decide use case answers `deny` "audit unavailable". */
  | "COUNTERSIGN_AUDIT_UNAVAILABLE"
  /** A query parameter that makes no sense (bad time, unknown event type, limit out of range). */
  | "COUNTERSIGN_AUDIT_BAD_QUERY"
  /** A paging cursor that is not one this trail handed out. */
  | "COUNTERSIGN_AUDIT_BAD_CURSOR"
  /** A signing or verification key that cannot be used (not Ed25519, unparsable). */
  | "COUNTERSIGN_AUDIT_BAD_KEY"
  /** Audit configuration that cannot work (salt too short, bad stream name). */
  | "COUNTERSIGN_AUDIT_BAD_CONFIG"
  /** A trail file or stream that cannot be read at all (as opposed to one that reads but does not verify). */
  | "COUNTERSIGN_AUDIT_UNREADABLE";

/** HTTP status for each code, for the routes that surface them. */
export const AUDIT_ERROR_STATUS: Readonly<Record<AuditErrorCode, number>> = {
  COUNTERSIGN_AUDIT_UNAVAILABLE: 503,
  COUNTERSIGN_AUDIT_BAD_QUERY: 400,
  COUNTERSIGN_AUDIT_BAD_CURSOR: 400,
  COUNTERSIGN_AUDIT_BAD_KEY: 500,
  COUNTERSIGN_AUDIT_BAD_CONFIG: 500,
  COUNTERSIGN_AUDIT_UNREADABLE: 500,
};

/** An audit failure with a stable code; `cause` keeps the underlying error for the log. */
export class AuditError extends CodedError<AuditErrorCode> {
  constructor(code: AuditErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }

  /** The HTTP status for this error's code. */
  get status(): number {
    return AUDIT_ERROR_STATUS[this.code];
  }
}

/** True for an AuditError with the given code. */
export function isAuditError(err: unknown, code?: AuditErrorCode): err is AuditError {
  return err instanceof AuditError && (code === undefined || err.code === code);
}
