/**
 * A local OpenID Connect provider for the console tests: discovery, JWKS, an authorize endpoint that signs in a
 * chosen person at once (no login form) and sends the browser back with a code, and a token endpoint that
 * checks the client secret, the redirect URI and the PKCE verifier (S256) before it answers with an ID token
 * signed with `jose` (RS256) carrying the nonce it was given. It records every token request.
 */

import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from "jose";

/** A running fake provider. */
export interface FakeOidcProvider {
  readonly issuer: string;
  /** The claims the next sign-in's ID token carries (besides iss, aud, sub, nonce, iat, exp). */
  nextUser: Record<string, unknown>;
  /** Token requests answered, and refused with their reasons. */
  readonly tokenRequests: { ok: boolean; reason?: string }[];
  close(): Promise<void>;
}

interface Grant {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly nonce: string;
  readonly claims: Record<string, unknown>;
}

/** Starts the provider on a loopback port, for `clientId` with `clientSecret`. */
export async function startFakeOidcProvider(clientId: string, clientSecret: string): Promise<FakeOidcProvider> {
  const { privateKey, publicKey } = (await generateKeyPair("RS256")) as { privateKey: KeyLike; publicKey: KeyLike };
  const jwk = { ...(await exportJWK(publicKey)), kid: "fake-1", alg: "RS256", use: "sig" };
  const codes = new Map<string, Grant>();
  let issuer = "";
  const provider: FakeOidcProvider = {
    get issuer() {
      return issuer;
    },
    nextUser: { preferred_username: "user:bob" },
    tokenRequests: [],
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    const json = (status: number, body: unknown): void =>
      void res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
    if (url.pathname === "/.well-known/openid-configuration") {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
      });
    }
    if (url.pathname === "/jwks") return json(200, { keys: [jwk] });
    if (url.pathname === "/authorize") {
      const q = url.searchParams;
      if (
        q.get("client_id") !== clientId ||
        q.get("response_type") !== "code" ||
        q.get("code_challenge_method") !== "S256" ||
        !q.get("code_challenge") ||
        !q.get("nonce")
      ) {
        return json(400, { error: "invalid_request" });
      }
      const code = randomBytes(16).toString("hex");
      codes.set(code, {
        clientId,
        redirectUri: q.get("redirect_uri") ?? "",
        challenge: q.get("code_challenge") ?? "",
        nonce: q.get("nonce") ?? "",
        claims: { ...provider.nextUser },
      });
      const back = new URL(q.get("redirect_uri") ?? "");
      back.searchParams.set("code", code);
      back.searchParams.set("state", q.get("state") ?? "");
      back.searchParams.set("iss", issuer);
      return void res.writeHead(302, { Location: back.href }).end();
    }
    if (url.pathname === "/token" && req.method === "POST") {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        void (async () => {
          const form = new URLSearchParams(body);
          const refuse = (reason: string): void => {
            provider.tokenRequests.push({ ok: false, reason });
            json(400, { error: "invalid_grant", error_description: reason });
          };
          const grant = codes.get(form.get("code") ?? "");
          codes.delete(form.get("code") ?? "");
          if (grant === undefined) return refuse("unknown code");
          if (form.get("client_id") !== clientId || form.get("client_secret") !== clientSecret)
            return refuse("client authentication failed");
          if (form.get("redirect_uri") !== grant.redirectUri) return refuse("redirect_uri differs");
          const verifier = form.get("code_verifier") ?? "";
          if (createHash("sha256").update(verifier).digest("base64url") !== grant.challenge) return refuse("PKCE verifier does not match");
          const idToken = await new SignJWT({ ...grant.claims, nonce: grant.nonce })
            .setProtectedHeader({ alg: "RS256", kid: "fake-1" })
            .setIssuer(issuer)
            .setAudience(clientId)
            .setSubject(String(grant.claims["preferred_username"] ?? "someone"))
            .setIssuedAt()
            .setExpirationTime("5m")
            .sign(privateKey);
          provider.tokenRequests.push({ ok: true });
          json(200, { access_token: randomBytes(16).toString("hex"), token_type: "Bearer", expires_in: 300, id_token: idToken });
        })();
      });
      return;
    }
    json(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return provider;
}
