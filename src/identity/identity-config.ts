/**
 * How the configuration describes identities and JWT caller authentication: the settings the identity
 * directory and the JWT verifier are built from (the config loader produces them; see src/config).
 */

/** What kind of principal an identity is. */
export type IdentityKind = "service" | "human" | "agent";

/** A Microsoft Teams user an identity is known as (the Teams bot maps verdicts through this). */
export interface TeamsUser {
  /** The user's Azure AD object id (`from.aadObjectId` in a Teams activity), lower-case. */
  readonly aadObjectId: string;
  /** The Azure AD tenant the user belongs to, lower-case. */
  readonly tenantId: string;
}

/** A Slack user an identity is known as (the Slack app maps verdicts through this). */
export interface SlackUser {
  /** The Slack user id (`U0123ABCD`), as Slack sends it in `user.id`. */
  readonly userId: string;
  /** The workspace the user belongs to (`T0123ABCD`), as Slack sends it in `user.team_id` / `team.id`. */
  readonly teamId: string;
}

/** A principal the service knows: a caller, a reviewer, an auditor. */
export interface IdentityConfig {
  /** Stable id such as `svc:ci` or `user:alice`; the same id a request names as `actor.id`. */
  readonly id: string;
  readonly kind: IdentityKind;
  readonly roles: readonly string[];
  /** The human who owns a service or agent principal. */
  readonly owner?: string;
  /** How reviewers see this identity (cards, console); the id is shown when absent. */
  readonly displayName?: string;
  /** Lower-case hex SHA-256 digests of the identity's API keys; keys themselves are never stored. */
  readonly apiKeysSha256: readonly string[];
  readonly teams?: TeamsUser;
  readonly slack?: SlackUser;
  /** May read the audit trail. */
  readonly auditor: boolean;
}

/** Caller authentication by signed JWT; the `sub` claim names an identity. */
export interface JwtAuthConfig {
  readonly issuer: string;
  readonly audience: string;
  /** Where the issuer's signing keys are published; exactly one of jwksUrl and publicKeyPem is set. */
  readonly jwksUrl?: string;
  /** The issuer's public key (PEM, SPKI or X.509 certificate). */
  readonly publicKeyPem?: string;
  /** Accepted signature algorithms. */
  readonly algorithms: readonly string[];
  /** Leeway for `exp` and `nbf`, in seconds. */
  readonly clockToleranceSeconds: number;
}
