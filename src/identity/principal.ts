/**
 * A principal: who the service is talking to, once authenticated (a caller, a reviewer, an auditor).
 */

import type { IdentityKind, SlackUser, TeamsUser } from "./identity-config";

/** An authenticated identity, without its credentials. */
export interface Principal {
  /** `svc:ci`, `user:alice`, …: the same ids requests use for `actor.id` and `actor.on_behalf_of`. */
  readonly id: string;
  readonly kind: IdentityKind;
  readonly roles: readonly string[];
  /** The human who owns a service or agent principal. */
  readonly owner?: string;
  /** How reviewers see this identity; the id when absent. */
  readonly displayName?: string;
  readonly teams?: TeamsUser;
  readonly slack?: SlackUser;
  readonly auditor: boolean;
}

/** How a principal proved who it is. */
export type AuthMethod = "api_key" | "jwt";
