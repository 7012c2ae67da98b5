/**
 * The Ed25519 key pair that signs the chain head, and how verifiers name and load its public half.
 *
 * Why Ed25519 rather than HMAC: an auditor verifies a trail with the public key alone and so cannot forge
 * one, and a key id (the RFC 7638 JWK thumbprint) in every signed head says which key signed it, which
 * makes "signed with another key" a precise finding. The key is separate from the grant key by
 * construction (its own config field and Redis key). It comes from configuration, or, when none is
 * configured, is generated once and stored in Redis with SET NX so every instance converges on the same one.
 */

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { AuditError } from "./audit-error";
import { canonicalJson } from "../json/canonical-json";

/** The public half, with its id. */
export interface AuditVerificationKey {
  readonly publicKey: KeyObject;
  /** RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key. */
  readonly kid: string;
  /** The raw 32-byte public key, base64url (the JWK `x`). */
  readonly x: string;
}

/** The private key that signs heads, and its public half. */
export interface AuditSigningKey {
  readonly privateKey: KeyObject;
  readonly verification: AuditVerificationKey;
}

/** A new Ed25519 private key as PKCS#8 PEM. */
export function generateSigningKeyPem(): string {
  const { privateKey } = generateKeyPairSync("ed25519");
  return privateKey.export({ format: "pem", type: "pkcs8" }).toString();
}

/** Loads an Ed25519 private key from PKCS#8 PEM. */
export function loadSigningKey(pem: string): AuditSigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: "pem" });
  } catch (err) {
    throw new AuditError("COUNTERSIGN_AUDIT_BAD_KEY", `the audit signing key is not a PEM private key: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw new AuditError(
      "COUNTERSIGN_AUDIT_BAD_KEY",
      `the audit signing key must be Ed25519, got ${privateKey.asymmetricKeyType ?? "a symmetric key"}`,
    );
  }
  return { privateKey, verification: verificationKeyFromPublic(createPublicKey(privateKey)) };
}

/**
 * Loads a verification key from text: a PEM public key (SPKI), a PEM private key (its public half is
 * used), an Ed25519 JWK (`{"kty":"OKP","crv":"Ed25519","x":…}`), or the bare base64url `x`.
 */
export function loadVerificationKey(text: string): AuditVerificationKey {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith("-----BEGIN")) {
      const key = trimmed.includes("PRIVATE KEY") ? createPublicKey(createPrivateKey(trimmed)) : createPublicKey(trimmed);
      return checkEd25519(key);
    }
    if (trimmed.startsWith("{")) {
      const jwk = JSON.parse(trimmed) as { kty?: unknown; crv?: unknown; x?: unknown };
      if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string") throw new Error("not an Ed25519 JWK");
      return checkEd25519(createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: jwk.x }, format: "jwk" }));
    }
    if (/^[A-Za-z0-9_-]{43}$/.test(trimmed)) {
      return checkEd25519(createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: trimmed }, format: "jwk" }));
    }
  } catch (err) {
    if (err instanceof AuditError) throw err;
    throw new AuditError("COUNTERSIGN_AUDIT_BAD_KEY", `cannot read the audit verification key: ${(err as Error).message}`, { cause: err });
  }
  throw new AuditError(
    "COUNTERSIGN_AUDIT_BAD_KEY",
    "the audit verification key must be a PEM key, an Ed25519 JWK, or a base64url public key",
  );
}

/** The public key as PEM (SPKI), for handing to auditors. */
export function publicKeyPem(key: AuditVerificationKey): string {
  return key.publicKey.export({ format: "pem", type: "spki" }).toString();
}

/** Where a generated key is kept so every instance uses the same one. */
export interface SigningKeyStore {
  /** Stores `pem` unless a key is already stored (SET NX); resolves to the stored key either way. */
  ensureSigningKey(pem: string): Promise<string>;
}

/** The configured key, or the one stored in Redis (generated and stored with SET NX on first use). */
export async function resolveSigningKey(configuredPem: string | undefined, store: SigningKeyStore): Promise<AuditSigningKey> {
  if (configuredPem !== undefined) return loadSigningKey(configuredPem);
  return loadSigningKey(await store.ensureSigningKey(generateSigningKeyPem()));
}

function checkEd25519(key: KeyObject): AuditVerificationKey {
  if (key.asymmetricKeyType !== "ed25519") {
    throw new AuditError(
      "COUNTERSIGN_AUDIT_BAD_KEY",
      `the audit verification key must be Ed25519, got ${key.asymmetricKeyType ?? "a symmetric key"}`,
    );
  }
  return verificationKeyFromPublic(key);
}

function verificationKeyFromPublic(publicKey: KeyObject): AuditVerificationKey {
  const jwk = publicKey.export({ format: "jwk" }) as { x?: string };
  const x = jwk.x as string;
  const kid = createHash("sha256")
    .update(canonicalJson({ crv: "Ed25519", kty: "OKP", x }), "utf8")
    .digest("base64url");
  return { publicKey, kid, x };
}
