/**
 * Grants: the permission an approved request yields, single-use unless its approvers granted a scope.
 * Issuing signs an EdDSA JWT naming the approval, the action digest, the actor, the approvers and, for a
 * scoped grant, its uses, valid for the policy's grant ttl (or the scope's window); redeeming verifies it
 * (our key, issuer, audience, type, expiry), checks the digest against the action presented, and spends one
 * use atomically in Redis (SET NX on its id for a single use, a counter for a scoped one), so a use beyond
 * the last is refused however many redemptions race.
 */

import { randomBytes } from "node:crypto";
import type Redis from "ioredis";
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from "jose";
import { actionDigest, type DigestedAction } from "../approvals/action-digest";
import { ApprovalError, type ApprovalErrorCode } from "../approvals/approval-errors";
import type { ApprovalEventListener, GrantPresentation, GrantRedeemedEvent } from "../approvals/approval-events";
import { ApprovalKeys } from "../approvals/approval-keys";
import type { ApprovalRequest, IssuedGrant } from "../approvals/approval-request";
import { grantLimits } from "../approvals/approval-scope";
import { evaluateQuorum } from "../approvals/approval-state-machine";
import type { GrantIssuer } from "../approvals/approval-service";
import { millis } from "../approvals/id-source";
import type { GrantSigningKey } from "./grant-signing-key";
import type { ScriptReply } from "../redis/redis-script";
import { GRANT_SPEND_SCRIPT } from "./grant-spend-script";

/** The `iss` of every grant. */
export const GRANT_ISSUER = "countersign";
/** The `aud` of every grant. */
export const GRANT_AUDIENCE = "countersign:grant";
/** The JWT `typ` header of every grant, so no other token signed by the key passes for one. */
export const GRANT_TYPE = "countersign-grant+jwt";
/** How long a spent grant's marker outlives the grant (covers clock differences between instances). */
export const SPENT_MARKER_MARGIN_MS = 5 * 60_000;

/** The claims a grant carries besides the registered ones. */
export interface GrantClaims extends JWTPayload {
  readonly approval_id: string;
  readonly action_digest: string;
  readonly actor: { readonly id: string; readonly on_behalf_of?: string };
  readonly approvers: readonly string[];
  /** A scoped grant's uses (null: any number until it expires); absent: single use. */
  readonly scope?: { readonly uses: number | null };
}

/** What a successful redemption tells the executor. */
export interface RedeemedGrant {
  readonly approvalId: string;
  readonly jti: string;
  readonly actorId: string;
  readonly approvers: readonly string[];
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  /** Which use this was (1 for the first). */
  readonly use: number;
  /** The grant's uses (null: any number until it expires). */
  readonly maxUses: number | null;
}

/** What the grant service is built from. */
export interface GrantServiceDeps {
  readonly redis: Redis;
  readonly key: GrantSigningKey;
  readonly clock: { nowNs(): bigint };
  readonly keys?: ApprovalKeys;
  readonly events?: ApprovalEventListener;
  /** Unique grant ids; default 128 random bits, base64url. */
  readonly newJti?: () => string;
}

/** Issues, verifies and redeems grants. */
export class GrantService implements GrantIssuer {
  private readonly keys: ApprovalKeys;
  private readonly newJti: () => string;

  constructor(private readonly deps: GrantServiceDeps) {
    this.keys = deps.keys ?? new ApprovalKeys();
    this.newJti = deps.newJti ?? (() => randomBytes(16).toString("base64url"));
  }

  /** Signs a grant for an approved request, valid for its `grant_ttl_seconds` from `nowMs`. */
  async issue(approval: ApprovalRequest, nowMs: number): Promise<IssuedGrant> {
    if (approval.status !== "approved")
      throw new ApprovalError("COUNTERSIGN_ALREADY_DECIDED", `a ${approval.status} request yields no grant`);
    const jti = this.newJti();
    const iat = Math.floor(nowMs / 1000);
    // The narrowest scope any approver granted: its uses, and its window as the grant's lifetime.
    const limits = grantLimits(approval.requirements, approval.verdicts);
    const exp = iat + Math.max(1, Math.round(limits.lifetimeSeconds));
    const actor = approval.request.actor;
    const claims: GrantClaims = {
      approval_id: approval.id,
      action_digest: approval.actionDigest,
      actor: { id: actor.id, ...(actor.on_behalf_of !== undefined ? { on_behalf_of: actor.on_behalf_of } : {}) },
      approvers: evaluateQuorum(approval.requirements, approval.verdicts).approvers,
      ...(limits.uses === 1 ? {} : { scope: { uses: limits.uses } }),
    };
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: "EdDSA", kid: this.deps.key.kid, typ: GRANT_TYPE })
      .setIssuer(GRANT_ISSUER)
      .setAudience(GRANT_AUDIENCE)
      .setSubject(actor.id)
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.deps.key.privateKey);
    return { token, jti, expiresAt: exp * 1000, ...(limits.uses === 1 ? {} : { maxUses: limits.uses }) };
  }

  /**
   * Redeems a grant for the action presented: refuses a token that is not ours or malformed
   * (COUNTERSIGN_GRANT_INVALID), expired (COUNTERSIGN_GRANT_EXPIRED), for another actor, action or resource
   * (COUNTERSIGN_GRANT_MISMATCH, the grant stays usable), or already used (COUNTERSIGN_GRANT_REPLAYED).
   */
  async redeem(token: string, presented: DigestedAction, by: GrantPresentation = {}): Promise<RedeemedGrant> {
    const now = millis(this.deps.clock);
    const claims = await this.verify(token, now, by);
    let digest: string;
    try {
      digest = actionDigest(presented);
    } catch {
      return this.refuse("COUNTERSIGN_GRANT_MISMATCH", "the presented action cannot be digested", now, by, claims);
    }
    if (digest !== claims.action_digest) {
      return this.refuse("COUNTERSIGN_GRANT_MISMATCH", "the grant was issued for a different actor, action or resource", now, by, claims);
    }
    const expMs = (claims.exp as number) * 1000;
    // The spent marker outlives the grant by a margin. Its lifetime is relative (PX, from this instance's
    // clock), never an absolute PXAT: an absolute time that Redis's own clock already sees as past would
    // store nothing, and the grant could be replayed.
    const markerMs = Math.max(1, expMs - now) + SPENT_MARKER_MARGIN_MS;
    const maxUses = claims.scope === undefined ? 1 : claims.scope.uses;
    const event: GrantRedeemedEvent = {
      type: "grant.redeemed",
      at: now,
      approvalId: claims.approval_id,
      jti: claims.jti as string,
      actorId: claims.actor.id,
      ...by,
    };
    let reply: ScriptReply;
    try {
      reply = await GRANT_SPEND_SCRIPT.run(
        this.deps.redis,
        [this.keys.grantUsed(event.jti), this.keys.journal],
        [now, markerMs, event.approvalId, JSON.stringify(event), maxUses ?? 0],
      );
    } catch (err) {
      throw new ApprovalError("COUNTERSIGN_GRANT_UNAVAILABLE", `grant redemption could not reach Redis: ${(err as Error).message}`);
    }
    if (!Array.isArray(reply) || reply[0] !== "spent") {
      return this.refuse(
        "COUNTERSIGN_GRANT_REPLAYED",
        maxUses === 1 ? "the grant has already been used" : `the grant's ${maxUses} uses are spent`,
        now,
        by,
        claims,
      );
    }
    const use = Number(reply[2] ?? 1);
    const redeemed: RedeemedGrant = {
      approvalId: claims.approval_id,
      jti: claims.jti as string,
      actorId: claims.actor.id,
      approvers: claims.approvers,
      expiresAt: expMs,
      use,
      maxUses,
    };
    await this.deps.events?.onApprovalEvent({
      ...event,
      ...(maxUses === 1 ? {} : { use, maxUses }),
      ...(typeof reply[1] === "string" ? { journal: [reply[1]] } : {}),
    });
    return redeemed;
  }

  /** The public keys for `/.well-known/jwks.json`. */
  jwks(): { keys: Readonly<Record<string, string>>[] } {
    return { keys: [this.deps.key.publicJwk] };
  }

  /** Verifies signature, type, issuer, audience and expiry; returns the claims. */
  private async verify(token: string, now: number, by: GrantPresentation): Promise<GrantClaims> {
    if (typeof token !== "string" || token.length === 0 || token.length > 8192) {
      return this.refuse("COUNTERSIGN_GRANT_INVALID", "the grant is not a token", now, by);
    }
    try {
      const { payload } = await jwtVerify(token, this.deps.key.publicKey, {
        algorithms: ["EdDSA"],
        issuer: GRANT_ISSUER,
        audience: GRANT_AUDIENCE,
        typ: GRANT_TYPE,
        currentDate: new Date(now),
        requiredClaims: ["jti", "exp", "sub"],
      });
      if (!isGrantClaims(payload)) return this.refuse("COUNTERSIGN_GRANT_INVALID", "the grant lacks its Countersign claims", now, by);
      return payload;
    } catch (err) {
      if (err instanceof ApprovalError) throw err;
      if (err instanceof joseErrors.JWTExpired) {
        const payload = err.payload;
        return this.refuse("COUNTERSIGN_GRANT_EXPIRED", "the grant has expired", now, by, isGrantClaims(payload) ? payload : undefined);
      }
      return this.refuse("COUNTERSIGN_GRANT_INVALID", `the grant does not verify: ${(err as Error).message}`, now, by);
    }
  }

  private async refuse(code: ApprovalErrorCode, reason: string, now: number, by: GrantPresentation, claims?: GrantClaims): Promise<never> {
    await this.deps.events?.onApprovalEvent({
      type: "grant.redemption_refused",
      at: now,
      code,
      reason,
      ...by,
      ...(claims ? { approvalId: claims.approval_id, jti: claims.jti as string } : {}),
    });
    throw new ApprovalError(code, reason);
  }
}

function isGrantClaims(payload: JWTPayload): payload is GrantClaims {
  const p = payload as Partial<GrantClaims>;
  return (
    typeof p.jti === "string" &&
    typeof p.exp === "number" &&
    typeof p.approval_id === "string" &&
    typeof p.action_digest === "string" &&
    typeof p.actor === "object" &&
    p.actor !== null &&
    typeof p.actor.id === "string" &&
    Array.isArray(p.approvers) &&
    (p.scope === undefined ||
      (typeof p.scope === "object" &&
        p.scope !== null &&
        (p.scope.uses === null || (Number.isSafeInteger(p.scope.uses) && p.scope.uses >= 1))))
  );
}
