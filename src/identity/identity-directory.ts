/**
 * The configured identities, looked up by id, by API key, by Teams user and by Slack user; and the identity an id in a
 * request names (`resolve`: `User:Alice` is `user:alice`) or merely looks like (`lookAlike`).
 *
 * API keys are found by the SHA-256 digest of the presented key, compared in constant time against every
 * configured digest (no early exit), so response timing says nothing about how close a guess came.
 */

import { createHash, hash, timingSafeEqual } from "node:crypto";
import type { IdentityConfig } from "./identity-config";
import { canonicalIdentity, identitySkeleton } from "./identity-id";
import type { Principal } from "./principal";

/** Hex SHA-256 of an API key, the form the configuration stores (`printf %s KEY | sha256sum`). */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

interface KeyEntry {
  readonly digest: Buffer;
  readonly principal: Principal;
}

/** Every identity the service knows. */
export class IdentityDirectory {
  private readonly byIdMap = new Map<string, Principal>();
  private readonly byCanonical = new Map<string, Principal>();
  private readonly bySkeleton = new Map<string, Principal>();
  private readonly byTeams = new Map<string, Principal>();
  private readonly bySlack = new Map<string, Principal>();
  private readonly keys: KeyEntry[] = [];

  constructor(identities: readonly IdentityConfig[]) {
    for (const identity of identities) {
      const principal: Principal = Object.freeze({
        id: identity.id,
        kind: identity.kind,
        roles: Object.freeze([...identity.roles]),
        ...(identity.owner === undefined ? {} : { owner: identity.owner }),
        ...(identity.displayName === undefined ? {} : { displayName: identity.displayName }),
        ...(identity.teams === undefined ? {} : { teams: identity.teams }),
        ...(identity.slack === undefined ? {} : { slack: identity.slack }),
        auditor: identity.auditor,
      });
      this.byIdMap.set(principal.id, principal);
      this.byCanonical.set(canonicalIdentity(principal.id), principal);
      this.bySkeleton.set(identitySkeleton(principal.id), principal);
      if (identity.teams !== undefined) this.byTeams.set(teamsKey(identity.teams.aadObjectId, identity.teams.tenantId), principal);
      if (identity.slack !== undefined) this.bySlack.set(`${identity.slack.teamId}/${identity.slack.userId}`, principal);
      for (const digest of identity.apiKeysSha256) this.keys.push({ digest: Buffer.from(digest, "hex"), principal });
    }
  }

  /** The identity with this id. */
  byId(id: string): Principal | undefined {
    return this.byIdMap.get(id);
  }

  /** The identity an id in a request names: exactly, or up to case and compatibility forms (NFKC). */
  resolve(id: string): Principal | undefined {
    return this.byIdMap.get(id) ?? this.byCanonical.get(canonicalIdentity(id));
  }

  /** A configured identity that `id` could be mistaken for (same skeleton), whether or not it names it. */
  lookAlike(id: string): Principal | undefined {
    return this.bySkeleton.get(identitySkeleton(id));
  }

  /** The identity holding this API key (given in clear, as presented). */
  byApiKey(key: string): Principal | undefined {
    const presented = hash("sha256", key, "buffer");
    let found: Principal | undefined;
    for (const entry of this.keys) {
      if (timingSafeEqual(entry.digest, presented) && found === undefined) found = entry.principal;
    }
    return found;
  }

  /** The identity a Teams user (Azure AD object id and tenant) is mapped to. */
  byTeamsUser(aadObjectId: string, tenantId: string): Principal | undefined {
    return this.byTeams.get(teamsKey(aadObjectId.toLowerCase(), tenantId.toLowerCase()));
  }

  /** The identity a Slack user (user id in its workspace) is mapped to; ids are compared exactly, as Slack sends them. */
  bySlackUser(userId: string, teamId: string): Principal | undefined {
    return this.bySlack.get(`${teamId}/${userId}`);
  }

  /** All identities, in configuration order. */
  all(): readonly Principal[] {
    return [...this.byIdMap.values()];
  }
}

function teamsKey(aadObjectId: string, tenantId: string): string {
  return `${tenantId}/${aadObjectId}`;
}
