/**
 * The Ed25519 key that signs grants: taken from configuration (PKCS#8 PEM or a private JWK), or generated
 * once and kept in Redis, so every instance signs and verifies with the same key.
 *
 * The generated key is stored with SET NX: when several instances start together, the first write wins and
 * the others adopt it. It is kept in Redis in clear, which suits development and single-tenant setups;
 * production should configure its own key (and protect Redis as it holds pending approvals anyway).
 */

import { createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from "node:crypto";
import type Redis from "ioredis";
import { calculateJwkThumbprint } from "jose";
import type { GrantKeyConfig } from "../config/approval-config";
import { CodedError } from "../errors/coded-error";

/** A signing key pair with its public JWK and key id. */
export interface GrantSigningKey {
  /** RFC 7638 thumbprint of the public key. */
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public key as published in the JWKS (with kid, alg and use). */
  readonly publicJwk: Readonly<Record<string, string>>;
}

/** Why no usable signing key could be had. */
export class GrantKeyError extends CodedError<"COUNTERSIGN_GRANT_KEY_INVALID"> {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super("COUNTERSIGN_GRANT_KEY_INVALID", message, options);
  }
}

/** Builds the key pair from a private key object. */
export async function signingKeyFrom(privateKey: KeyObject): Promise<GrantSigningKey> {
  if (privateKey.asymmetricKeyType !== "ed25519")
    throw new GrantKeyError(`grant signing key must be Ed25519, not ${privateKey.asymmetricKeyType ?? "symmetric"}`);
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: "jwk" }) as { kty: string; crv: string; x: string };
  const kid = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x });
  return { kid, privateKey, publicKey, publicJwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid, alg: "EdDSA", use: "sig" } };
}

/** The configured key, when one is configured. */
export async function configuredSigningKey(config: GrantKeyConfig): Promise<GrantSigningKey | undefined> {
  try {
    if (config.privateKeyPem) return await signingKeyFrom(createPrivateKey({ key: config.privateKeyPem, format: "pem" }));
    if (config.privateJwk) return await signingKeyFrom(createPrivateKey({ key: config.privateJwk, format: "jwk" }));
  } catch (err) {
    if (err instanceof GrantKeyError) throw err;
    throw new GrantKeyError(`the configured grant signing key cannot be read: ${(err as Error).message}`);
  }
  return undefined;
}

/**
 * The key shared through Redis at `redisKey`: read it, or generate one and store it with SET NX, adopting
 * whichever key won.
 */
export async function sharedSigningKey(redis: Redis, redisKey: string): Promise<GrantSigningKey> {
  let stored = await redis.get(redisKey);
  if (stored === null) {
    const { privateKey } = generateKeyPairSync("ed25519");
    const jwk = JSON.stringify(privateKey.export({ format: "jwk" }));
    const won = await redis.set(redisKey, jwk, "NX");
    stored = won === "OK" ? jwk : await redis.get(redisKey);
    if (stored === null) throw new GrantKeyError("the shared grant signing key vanished from Redis");
  }
  try {
    return await signingKeyFrom(createPrivateKey({ key: JSON.parse(stored) as JsonWebKey, format: "jwk" }));
  } catch (err) {
    if (err instanceof GrantKeyError) throw err;
    throw new GrantKeyError(`the grant signing key stored in Redis is unusable: ${(err as Error).message}`);
  }
}
