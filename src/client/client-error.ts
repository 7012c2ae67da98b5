/**
 * The one error the client SDK throws: the service's own code when the service answered with an error body
 * (`COUNTERSIGN_UNAUTHENTICATED`, `COUNTERSIGN_APPROVAL_NOT_FOUND`, …), or one of the client's codes below
 * when it never got an answer, was refused by the policy, or stopped waiting.
 */

/** Codes the client itself gives (the service's codes pass through unchanged). */
export const CLIENT_ERROR_CODES = {
  /** The service could not be reached, or answered something that is not the API (network, 5xx without a body). */
  unreachable: "COUNTERSIGN_CLIENT_UNREACHABLE",
  /** `guard`: the policy (or a reviewer, or expiry) refused; `details` carries the decision or approval. */
  denied: "COUNTERSIGN_CLIENT_DENIED",
  /** `waitForApproval` / `guard`: the wait reached its `timeoutMs` with the request still pending. */
  timeout: "COUNTERSIGN_CLIENT_TIMEOUT",
  /** The caller's AbortSignal fired. */
  aborted: "COUNTERSIGN_CLIENT_ABORTED",
} as const;

/** A failure of a Countersign call, with a stable code. */
export class CountersignError extends Error {
  override readonly name = "CountersignError";
  constructor(
    /** The service's error code, or a `COUNTERSIGN_CLIENT_*` code. */
    readonly code: string,
    message: string,
    /** The HTTP status when the service answered; undefined otherwise. */
    readonly status?: number,
    /** The error body's `details`, or what the client knows (the decision, the approval). */
    readonly details?: unknown,
  ) {
    super(message);
  }
}
