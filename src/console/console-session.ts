/**
 * Console sessions: a sealed token in a cookie (JWE, `dir` + A256GCM, made and opened with `jose`), so the
 * server keeps no session state and every instance sharing the session key accepts it.
 *
 * Every visitor has a session, signed in or not: it carries the CSRF token that every form of the console
 * must send back (`console-csrf.ts`), so even the sign-in forms are protected. The cookie is `__Host-`
 * prefixed, `Secure`, `HttpOnly`, `SameSite=Lax` (Lax, not Strict, so a link from a Teams card or an e-mail
 * arrives signed in; state changes are guarded by the CSRF token, not by SameSite alone), `Path=/`.
 * The sign-in transaction of OpenID Connect (state, nonce, PKCE verifier, where to return) is sealed the same
 * way in a second, short-lived cookie.
 */

import { randomBytes } from "node:crypto";
import { parse as parseCookies, serialize as serializeCookie, type SerializeOptions } from "cookie";
import { EncryptJWT, jwtDecrypt } from "jose";

/** The session cookie's name. */
export const SESSION_COOKIE = "__Host-countersign-session";
/** The OpenID Connect sign-in transaction's cookie name. */
export const SIGN_IN_COOKIE = "__Host-countersign-sign-in";

/** What a session holds. */
export interface ConsoleSession {
  /** The configured identity signed in; absent before sign-in. */
  readonly sub?: string;
  /** How they signed in. */
  readonly via?: "oidc" | "development";
  /** The CSRF token forms carry. */
  readonly csrf: string;
  /** Epoch seconds when it ends. */
  readonly exp: number;
}

/** An OpenID Connect sign-in in progress. */
export interface SignInTransaction {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  /** A console path to go to afterwards. */
  readonly returnTo: string;
}

/** Seals and opens the console's cookies with one key. */
export class SessionSealer {
  constructor(
    private readonly key: Uint8Array,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new session (a fresh CSRF token), signed in as `sub` when given. */
  fresh(sub?: string, via?: ConsoleSession["via"]): ConsoleSession {
    return {
      ...(sub === undefined ? {} : { sub }),
      ...(via === undefined ? {} : { via }),
      csrf: randomBytes(24).toString("base64url"),
      exp: Math.floor(this.now() / 1000) + this.ttlSeconds,
    };
  }

  /** The sealed cookie value of a session. */
  async seal(session: ConsoleSession): Promise<string> {
    return this.sealClaims({ ...session }, session.exp, "session");
  }

  /** The session a cookie value holds, or null when it is missing, forged, for another purpose or expired. */
  async open(token: string | undefined): Promise<ConsoleSession | null> {
    const claims = await this.openClaims(token, "session");
    if (claims === null || typeof claims["csrf"] !== "string" || typeof claims["exp"] !== "number") return null;
    const sub = claims["sub"];
    const via = claims["via"];
    return {
      ...(typeof sub === "string" ? { sub } : {}),
      ...(via === "oidc" || via === "development" ? { via } : {}),
      csrf: claims["csrf"],
      exp: claims["exp"],
    };
  }

  /** The sealed cookie value of a sign-in transaction (valid ten minutes). */
  async sealSignIn(tx: SignInTransaction): Promise<string> {
    return this.sealClaims({ ...tx }, Math.floor(this.now() / 1000) + 600, "sign-in");
  }

  /** The sign-in transaction a cookie value holds, or null. */
  async openSignIn(token: string | undefined): Promise<SignInTransaction | null> {
    const c = await this.openClaims(token, "sign-in");
    if (c === null) return null;
    const { state, nonce, verifier, returnTo } = c;
    if (typeof state !== "string" || typeof nonce !== "string" || typeof verifier !== "string" || typeof returnTo !== "string") return null;
    return { state, nonce, verifier, returnTo };
  }

  private async sealClaims(claims: Record<string, unknown>, exp: number, purpose: string): Promise<string> {
    return new EncryptJWT({ ...claims, purpose })
      .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
      .setIssuedAt(Math.floor(this.now() / 1000))
      .setExpirationTime(exp)
      .encrypt(this.key);
  }

  private async openClaims(token: string | undefined, purpose: string): Promise<Record<string, unknown> | null> {
    if (token === undefined || token === "" || token.length > 8192) return null;
    try {
      const { payload } = await jwtDecrypt(token, this.key, {
        currentDate: new Date(this.now()),
        keyManagementAlgorithms: ["dir"],
        contentEncryptionAlgorithms: ["A256GCM"],
      });
      return payload["purpose"] === purpose ? (payload as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }
}

/** The cookies of a request header. */
export function requestCookies(header: string | undefined): Record<string, string | undefined> {
  return header === undefined ? {} : parseCookies(header);
}

/** A `Set-Cookie` value for one of the console's cookies (`maxAgeSeconds` 0 deletes it). */
export function consoleCookie(name: string, value: string, maxAgeSeconds: number): string {
  const options: SerializeOptions = {
    httpOnly: true,
    secure: true,
    sameSite: "lax",
    path: "/",
    maxAge: Math.max(0, Math.floor(maxAgeSeconds)),
  };
  return serializeCookie(name, value, options);
}
