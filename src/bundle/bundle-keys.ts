/**
 * Keys for bundle signatures: the JWS algorithms OPA's bundle signing accepts, and how a key given as text
 * (a PEM file's contents, or an HMAC secret) becomes a key for signing or verifying.
 *
 * Like OPA, an HS* key is the secret's bytes as written; any other key is PEM: a private key (PKCS#8,
 * PKCS#1 or SEC1) to sign, and a public key (SPKI or PKCS#1), an X.509 certificate or a private key (its
 * public half is used) to verify.
 */

import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from "node:crypto";
import { BundleError } from "./bundle-error";

/** JWS algorithms a bundle may be signed with. */
export const SIGNING_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "HS256",
  "HS384",
  "HS512",
] as const;

/** One of SIGNING_ALGORITHMS. */
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** The algorithm `countersign build --signing-key` uses unless told otherwise (OPA's default too). */
export const DEFAULT_SIGNING_ALGORITHM: SigningAlgorithm = "RS256";

/** Whether a name is one of SIGNING_ALGORITHMS. */
export function isSigningAlgorithm(alg: string): alg is SigningAlgorithm {
  return (SIGNING_ALGORITHMS as readonly string[]).includes(alg);
}

/** True for the HMAC algorithms, whose key is a shared secret. */
export function isHmac(alg: SigningAlgorithm): boolean {
  return alg.startsWith("HS");
}

/** The key to sign with. Throws BundleError COUNTERSIGN_BUNDLE_BAD_KEY. */
export function signingKeyFrom(text: string, alg: SigningAlgorithm, origin: string): KeyObject {
  if (isHmac(alg)) return secretOf(text, origin);
  try {
    return createPrivateKey(text);
  } catch (err) {
    throw new BundleError("COUNTERSIGN_BUNDLE_BAD_KEY", `${origin}: not a PEM private key for ${alg} (${(err as Error).message})`);
  }
}

/** The key to verify with. Throws BundleError COUNTERSIGN_BUNDLE_BAD_KEY. */
export function verificationKeyFrom(text: string, alg: SigningAlgorithm, origin: string): KeyObject {
  if (isHmac(alg)) return secretOf(text, origin);
  try {
    return createPublicKey(text);
  } catch (err) {
    throw new BundleError(
      "COUNTERSIGN_BUNDLE_BAD_KEY",
      `${origin}: not a PEM public key, certificate or private key for ${alg} (${(err as Error).message})`,
    );
  }
}

function secretOf(text: string, origin: string): KeyObject {
  if (text.length === 0) throw new BundleError("COUNTERSIGN_BUNDLE_BAD_KEY", `${origin}: the HMAC secret is empty`);
  return createSecretKey(Buffer.from(text, "utf8"));
}
