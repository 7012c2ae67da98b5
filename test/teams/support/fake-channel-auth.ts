/**
 * Test double of the Bot Framework channel's token issuer: an OpenID metadata document and its JWKS served
 * on 127.0.0.1 with a fresh RS256 key, and a signer for channel tokens (as Teams' channel service sends them
 * to the bot) made with that key or with a stranger's.
 *
 * `endpoints()` gives every botbuilder channel/OpenID URL setting at once, all pointing here: botbuilder
 * drops all its defaults as soon as one is set, so a partial set would send some calls to Microsoft.
 */

import express from "express";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from "jose";

/** The issuer channel tokens carry (Teams' real one). */
export const CHANNEL_TOKEN_ISSUER = "https://api.botframework.com";

/** What a channel token says. */
export interface ChannelTokenClaims {
  /** The bot's app id (`aud`). */
  readonly appId: string;
  /** The `serviceurl` claim: where the bot must send its replies. */
  readonly serviceUrl: string;
  readonly issuer?: string;
  /** Seconds from now; negative for an expired token. */
  readonly expiresIn?: number;
  /** Sign with a key the JWKS does not list (same `kid`, so only the signature is wrong). */
  readonly foreignKey?: boolean;
}

/** A running fake issuer. */
export interface FakeChannelAuth {
  /** The `teams.channel_service` section pointing every setting here. */
  endpoints(): Record<string, string | boolean>;
  /** A `Bearer …` authorization header value. */
  bearer(claims: ChannelTokenClaims): Promise<string>;
  /** Paths fetched so far (metadata and keys). */
  readonly fetched: string[];
  close(): Promise<void>;
}

/** Starts the fake issuer on 127.0.0.1, port 0. */
export async function startFakeChannelAuth(): Promise<FakeChannelAuth> {
  const kid = "countersign-test-key";
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const stranger = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid, kty: "RSA", use: "sig", alg: "RS256", endorsements: ["msteams"] };
  const fetched: string[] = [];

  const app = express();
  let base = "";
  app.get("/v1/.well-known/openidconfiguration", (req, res) => {
    fetched.push(req.path);
    res.json({
      issuer: CHANNEL_TOKEN_ISSUER,
      authorization_endpoint: `${base}/v1/authorize`,
      jwks_uri: `${base}/v1/.well-known/keys`,
      id_token_signing_alg_values_supported: ["RS256"],
      token_endpoint_auth_methods_supported: ["private_key_jwt"],
    });
  });
  app.get("/v1/.well-known/keys", (req, res) => {
    fetched.push(req.path);
    res.json({ keys: [jwk] });
  });
  app.get("/emulator/.well-known/openidconfiguration", (req, res) => {
    fetched.push(req.path);
    res.json({ issuer: "https://login.test", jwks_uri: `${base}/emulator/keys` });
  });
  app.get("/emulator/keys", (req, res) => {
    fetched.push(req.path);
    res.json({ keys: [] });
  });
  app.use((req, res) => {
    fetched.push(`unknown ${req.method} ${req.path}`);
    res.status(404).end();
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const sign = async (claims: ChannelTokenClaims, key: KeyLike): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ serviceurl: claims.serviceUrl })
      .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
      .setIssuer(claims.issuer ?? CHANNEL_TOKEN_ISSUER)
      .setAudience(claims.appId)
      .setIssuedAt(now - 10)
      .setNotBefore(now - 10)
      .setExpirationTime(now + (claims.expiresIn ?? 600))
      .sign(key);
  };

  return {
    endpoints: () => ({
      to_channel_from_bot_login_url: `${base}/login/botframework.com`,
      to_channel_from_bot_oauth_scope: "https://api.botframework.com",
      to_bot_from_channel_token_issuer: CHANNEL_TOKEN_ISSUER,
      to_bot_from_channel_openid_metadata_url: `${base}/v1/.well-known/openidconfiguration`,
      to_bot_from_emulator_openid_metadata_url: `${base}/emulator/.well-known/openidconfiguration`,
      oauth_url: `${base}/oauth`,
      caller_id: "urn:botframework:azure",
      validate_authority: true,
    }),
    bearer: async (claims) => `Bearer ${await sign(claims, claims.foreignKey ? stranger.privateKey : privateKey)}`,
    fetched,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
