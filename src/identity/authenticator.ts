/**
 * Authenticating a caller from its `Authorization` header: `Bearer <api key>`, or `Bearer <jwt>` when JWT
 * authentication is configured.
 *
 * A token of JWT form (three base64url segments) is treated as a JWT only when an issuer is configured;
 * otherwise every bearer token is an API key. API keys must therefore not look like JWTs.
 */

import type { AuthFailure } from "./auth-failure";
import type { IdentityDirectory } from "./identity-directory";
import type { JwtVerifier } from "./jwt-verifier";
import type { AuthMethod, Principal } from "./principal";

/** The outcome of authenticating one request. */
export type AuthResult =
  { readonly ok: true; readonly principal: Principal; readonly method: AuthMethod } | { readonly ok: false; readonly failure: AuthFailure };

/** Turns an Authorization header into a principal; synchronous unless a JWT must be verified. */
export interface Authenticator {
  authenticate(authorization: string | undefined): AuthResult | Promise<AuthResult>;
}

const BEARER = /^Bearer +([\x21-\x7e]+) *$/i;
const JWT_FORM = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** An authenticator over the configured identities and, optionally, a JWT issuer. */
export function createAuthenticator(directory: IdentityDirectory, jwt?: JwtVerifier): Authenticator {
  return {
    authenticate(authorization: string | undefined): AuthResult | Promise<AuthResult> {
      if (authorization === undefined || authorization === "") {
        return fail("missing_credentials", "authentication required: send Authorization: Bearer <api key>");
      }
      const m = BEARER.exec(authorization);
      if (m === null) return fail("malformed_credentials", "the Authorization header must be: Bearer <api key or token>");
      const token = m[1]!;
      if (jwt !== undefined && JWT_FORM.test(token)) {
        return jwt.verify(token).then((verified): AuthResult => {
          if (!verified.ok) return { ok: false, failure: verified.failure };
          const principal = directory.byId(verified.subject);
          if (principal === undefined) return fail("unknown_subject", "the token's subject is not a known identity");
          return { ok: true, principal, method: "jwt" };
        });
      }
      const principal = directory.byApiKey(token);
      if (principal === undefined) return fail("unknown_api_key", "unknown API key");
      return { ok: true, principal, method: "api_key" };
    },
  };
}

function fail(reason: AuthFailure["reason"], message: string): AuthResult {
  return { ok: false, failure: { reason, message } };
}
