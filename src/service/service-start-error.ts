/**
 * Failures to start the decision service other than its configuration (see ConfigError for those).
 */

import { CodedError } from "../errors/coded-error";

/** Stable codes for start-up failures. */
export type ServiceStartErrorCode =
  /** The port is taken, or the address cannot be bound. */
  | "COUNTERSIGN_LISTEN_FAILED"
  /** No REDIS_URL, and the embedded redis-server could not be started (not installed, cannot bind). */
  | "COUNTERSIGN_REDIS_START_FAILED"
  /** The configured Redis cannot be reached, and it holds what start-up needs (the shared grant signing key). */
  | "COUNTERSIGN_REDIS_UNAVAILABLE"
  /** The configured grant signing key cannot be used. */
  | "COUNTERSIGN_GRANT_KEY_INVALID"
  /** The `audit:` settings cannot work: no mask salt in production, the development salt in production, an unreadable or unusable signing key. */
  | "COUNTERSIGN_AUDIT_BAD_CONFIG"
  /** The `teams:` section (with the MICROSOFT_APP_* variables) cannot work, e.g. no app id in production. */
  | "COUNTERSIGN_TEAMS_CONFIG_INVALID"
  | "COUNTERSIGN_SLACK_CONFIG_INVALID"
  | "COUNTERSIGN_CONSOLE_CONFIG_INVALID";

/** A start-up failure with a stable code. */
export class ServiceStartError extends CodedError<ServiceStartErrorCode> {
  constructor(code: ServiceStartErrorCode, message: string) {
    super(code, message);
  }
}
