/**
 * Signing in with OpenID Connect through `openid-client`: the authorization code flow with PKCE (S256), a
 * state and a nonce, all kept in the sealed sign-in cookie; the ID token's configured claim names the
 * configured identity. The provider's discovery document is read on the first sign-in (and again after a
 * failure), so the service starts while the provider is unreachable.
 */

import * as client from "openid-client";
import type { ConsoleOidcConfig } from "./console-config";
import { ConsoleError } from "./console-errors";
import type { SignInTransaction } from "./console-session";

/** Where the provider sends the browser back to, below the public URL. */
export const CALLBACK_PATH = "/console/auth/callback";

/** The OpenID Connect client of the console. */
export class OidcSignIn {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(
    private readonly config: ConsoleOidcConfig,
    /** The console's public URL (no trailing slash). */
    private readonly publicUrl: string,
  ) {}

  /** A new transaction and the provider URL that starts it. */
  async start(returnTo: string): Promise<{ url: string; tx: SignInTransaction }> {
    const configuration = await this.discovered();
    const verifier = client.randomPKCECodeVerifier();
    const tx: SignInTransaction = { state: client.randomState(), nonce: client.randomNonce(), verifier, returnTo };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.publicUrl + CALLBACK_PATH,
      scope: this.config.scopes.join(" "),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state: tx.state,
      nonce: tx.nonce,
    });
    return { url: url.href, tx };
  }

  /**
   * Completes a sign-in from the callback's query string: exchanges the code (with the verifier), checks the
   * state, the nonce and the ID token, and returns the configured claim's value.
   */
  async finish(search: string, tx: SignInTransaction): Promise<string> {
    const configuration = await this.discovered();
    let claims: Record<string, unknown> | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, new URL(this.publicUrl + CALLBACK_PATH + search), {
        pkceCodeVerifier: tx.verifier,
        expectedState: tx.state,
        expectedNonce: tx.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims() as Record<string, unknown> | undefined;
    } catch (err) {
      throw new ConsoleError("COUNTERSIGN_CONSOLE_SIGN_IN_FAILED", `the identity provider's answer was refused: ${(err as Error).message}`);
    }
    const value = claims?.[this.config.claim];
    if (typeof value !== "string" || value === "") {
      throw new ConsoleError(
        "COUNTERSIGN_CONSOLE_UNKNOWN_IDENTITY",
        `the ID token has no ${this.config.claim} claim to name your identity`,
      );
    }
    return value;
  }

  private discovered(): Promise<client.Configuration> {
    if (this.configuration === undefined) {
      const issuer = new URL(this.config.issuer);
      const started = client
        .discovery(
          issuer,
          this.config.clientId,
          this.config.clientSecret,
          this.config.clientSecret === undefined ? client.None() : client.ClientSecretPost(this.config.clientSecret),
          {
            ...(issuer.protocol === "http:" ? { execute: [client.allowInsecureRequests] } : {}),
          },
        )
        .catch((err: unknown) => {
          this.configuration = undefined; // try again at the next sign-in
          throw new ConsoleError(
            "COUNTERSIGN_CONSOLE_SIGN_IN_FAILED",
            `the identity provider ${this.config.issuer} cannot be reached: ${(err as Error).message}`,
          );
        });
      this.configuration = started;
    }
    return this.configuration;
  }
}
