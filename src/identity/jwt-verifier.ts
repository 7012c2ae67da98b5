/**
 * Verifying a caller's signed JWT (issuer, audience, algorithm, signature, expiry) with jose, against a
 * JWKS URL or a configured public key, using the injected clock.
 */

import { createPublicKey, type KeyObject } from "node:crypto";
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from "jose";
import type { JwtAuthConfig } from "./identity-config";
import type { Clock } from "../policy/clock";
import type { AuthFailure } from "./auth-failure";

/** The outcome of verifying one token. */
export type JwtVerification = { readonly ok: true; readonly subject: string } | { readonly ok: false; readonly failure: AuthFailure };

/** Verifies tokens for one configured issuer. */
export interface JwtVerifier {
  verify(token: string): Promise<JwtVerification>;
}

/** A verifier for the configured issuer; keys from the JWKS URL are fetched and cached by jose. */
export function createJwtVerifier(config: JwtAuthConfig, clock: Clock): JwtVerifier {
  const key: KeyObject | JWTVerifyGetKey =
    config.publicKeyPem !== undefined ? createPublicKey(config.publicKeyPem) : createRemoteJWKSet(new URL(config.jwksUrl!));
  return {
    async verify(token: string): Promise<JwtVerification> {
      try {
        const options = {
          issuer: config.issuer,
          audience: config.audience,
          algorithms: [...config.algorithms],
          clockTolerance: config.clockToleranceSeconds,
          currentDate: new Date(Number(clock.nowNs() / 1_000_000n)),
        };
        const { payload } = typeof key === "function" ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options);
        if (typeof payload.sub !== "string" || payload.sub === "") {
          return { ok: false, failure: { reason: "invalid_token", message: "the token has no sub claim" } };
        }
        return { ok: true, subject: payload.sub };
      } catch (err) {
        return { ok: false, failure: describeJoseError(err) };
      }
    },
  };
}

function describeJoseError(err: unknown): AuthFailure {
  if (err instanceof errors.JWTExpired) return { reason: "expired_token", message: "the token has expired" };
  if (err instanceof errors.JWTClaimValidationFailed) {
    return { reason: err.claim === "nbf" ? "expired_token" : "invalid_token", message: `the token's ${err.claim} claim is not accepted` };
  }
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return { reason: "invalid_token", message: "the token's signature does not verify" };
  if (err instanceof errors.JOSEAlgNotAllowed) return { reason: "invalid_token", message: "the token's signing algorithm is not accepted" };
  if (err instanceof errors.JWKSNoMatchingKey) return { reason: "invalid_token", message: "the token is signed by an unknown key" };
  if (err instanceof errors.JOSEError) return { reason: "invalid_token", message: "the token is not a valid JWT" };
  return { reason: "invalid_token", message: "the token could not be verified" };
}
