/**
 * Why a caller could not be authenticated: typed reasons that the HTTP layer maps to 401.
 */

/** Stable reasons for an authentication failure. */
export type AuthFailureReason =
  /** No Authorization header. */
  | "missing_credentials"
  /** An Authorization header that is not `Bearer <token>`. */
  | "malformed_credentials"
  /** A bearer token that is no configured API key. */
  | "unknown_api_key"
  /** A JWT that does not verify: bad signature, wrong issuer or audience, disallowed algorithm, garbled. */
  | "invalid_token"
  /** A JWT past its `exp` (or before its `nbf`). */
  | "expired_token"
  /** A valid JWT whose `sub` names no configured identity. */
  | "unknown_subject";

/** An authentication failure with a message safe to show the caller. */
export interface AuthFailure {
  readonly reason: AuthFailureReason;
  readonly message: string;
}
