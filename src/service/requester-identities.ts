/**
 * The check a decide request's identities pass before any policy sees them: `actor.id` and
 * `actor.on_behalf_of` are valid identity ids (`src/identity/identity-id.ts`), and, when the service
 * requires known humans, the humans they name are configured identities.
 *
 * Why here, before the policy: the rule that nobody approves their own request compares these ids with
 * reviewers'. An id with an invisible character, a look-alike letter or an unconfigured spelling of a
 * person (`alice`, `human:alice`, an e-mail address) would slip past it, so such a request is refused with a
 * 400 that names the field rather than decided.
 */

import { identityIdProblem } from "../identity/identity-id";
import type { DecideRequest } from "./decide-request";

/** What the check needs to know of the configured identities (the identity directory implements it). */
export interface KnownIdentities {
  /** The identity an id names: exactly, or up to case and compatibility forms. */
  resolve(id: string): { readonly id: string; readonly kind: string } | undefined;
  /** A configured identity the id could be mistaken for. */
  lookAlike(id: string): { readonly id: string } | undefined;
}

/** Why a request's identities are refused: the field (a JSON pointer), a stable code and a message. */
export interface RequesterProblem {
  readonly field: "/actor/id" | "/actor/on_behalf_of";
  /** COUNTERSIGN_INVALID_REQUEST for a malformed id, COUNTERSIGN_UNKNOWN_IDENTITY for a human nobody configured. */
  readonly code: "COUNTERSIGN_INVALID_REQUEST" | "COUNTERSIGN_UNKNOWN_IDENTITY";
  readonly message: string;
}

/** The first problem with the request's identities, or null. */
export function requesterProblem(request: DecideRequest, known: KnownIdentities, requireKnownHumans: boolean): RequesterProblem | null {
  const fields: [RequesterProblem["field"], string, string | undefined, boolean][] = [
    ["/actor/id", "actor.id", request.actor.id, request.actor.type === "human"],
    ["/actor/on_behalf_of", "actor.on_behalf_of", request.actor.on_behalf_of, true],
  ];
  for (const [field, name, id, human] of fields) {
    if (id === undefined) continue;
    const syntax = identityIdProblem(id);
    if (syntax !== null) return { field, code: "COUNTERSIGN_INVALID_REQUEST", message: `invalid request: ${name} ${syntax}` };
    if (!human || !requireKnownHumans) continue;
    const who = known.resolve(id);
    if (who === undefined) {
      const alike = known.lookAlike(id);
      const hint = alike === undefined ? "" : ` (it looks like ${alike.id}; write that id exactly)`;
      return {
        field,
        code: "COUNTERSIGN_UNKNOWN_IDENTITY",
        message: `${name} ${JSON.stringify(id)} is not a configured identity${hint}: it must name a configured human (identities.require_known_humans)`,
      };
    }
    if (who.kind !== "human") {
      return {
        field,
        code: "COUNTERSIGN_UNKNOWN_IDENTITY",
        message: `${name} names ${who.id}, a ${who.kind} identity: it must name a configured human`,
      };
    }
  }
  return null;
}

/** The service's requester check: `requesterProblem` against the configured identities, as configured. */
export function requesterCheckOf(
  config: { readonly requireKnownHumans: boolean },
  known: KnownIdentities,
): (request: DecideRequest) => RequesterProblem | null {
  return (request) => requesterProblem(request, known, config.requireKnownHumans);
}
