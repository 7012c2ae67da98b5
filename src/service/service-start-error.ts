/**
 * Failures to start the decision service other than its configuration (see ConfigError for those).
 */

/** Stable codes for start-up failures. */
export type ServiceStartErrorCode =
  /** The port is taken, or the address cannot be bound. */
  | "COUNTERSIGN_LISTEN_FAILED";

/** A start-up failure with a stable code. */
export class ServiceStartError extends Error {
  constructor(
    readonly code: ServiceStartErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ServiceStartError";
  }
}
