import { generateKeyPairSync } from "node:crypto";
import { signHead, verifyHeadSignature } from "../../src/audit/head-signature";
import { RedisAuditStore } from "../../src/audit/redis-audit-store";
import { generateSigningKeyPem, loadSigningKey, loadVerificationKey, publicKeyPem, resolveSigningKey } from "../../src/audit/signing-key";
import { useRedisServer } from "../support/redis-server";

const redis = useRedisServer({ flushBetweenTests: true });

describe("audit signing key", () => {
  it("names a key by its RFC 7638 thumbprint, whatever form the public key is given in", () => {
    const key = loadSigningKey(generateSigningKeyPem());
    const jwk = key.verification.publicKey.export({ format: "jwk" });
    for (const text of [
      publicKeyPem(key.verification),
      JSON.stringify(jwk),
      key.verification.x,
      key.privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    ]) {
      expect(loadVerificationKey(text).kid).toBe(key.verification.kid);
    }
    expect(key.verification.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("signs heads that verify with its public key only", async () => {
    const key = loadSigningKey(generateSigningKeyPem());
    const other = loadSigningKey(generateSigningKeyPem());
    const head = await signHead({ seq: 7, hash: "c".repeat(64) }, key);
    expect(verifyHeadSignature(head, key.verification)).toBe(true);
    expect(verifyHeadSignature(head, other.verification)).toBe(false);
    expect(verifyHeadSignature({ ...head, seq: 8 }, key.verification)).toBe(false);
    expect(verifyHeadSignature({ ...head, hash: "d".repeat(64) }, key.verification)).toBe(false);
  });

  it("refuses keys that are not Ed25519", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    expect(() => loadSigningKey(rsa)).toThrow(expect.objectContaining({ code: "COUNTERSIGN_AUDIT_BAD_KEY" }));
    expect(() => loadSigningKey("not a key")).toThrow(expect.objectContaining({ code: "COUNTERSIGN_AUDIT_BAD_KEY" }));
    expect(() => loadVerificationKey("nonsense")).toThrow(expect.objectContaining({ code: "COUNTERSIGN_AUDIT_BAD_KEY" }));
  });

  it("uses the configured key and stores nothing", async () => {
    const conn = redis.connect();
    const pem = generateSigningKeyPem();
    const key = await resolveSigningKey(pem, new RedisAuditStore(conn));
    expect(key.verification.kid).toBe(loadSigningKey(pem).verification.kid);
    expect(await conn.exists("{countersign:audit}:signing-key")).toBe(0);
  });

  it("generates one key for all instances when none is configured (SET NX)", async () => {
    const stores = [redis.connect(), redis.connect(), redis.connect()].map((c) => new RedisAuditStore(c));
    const keys = await Promise.all(stores.map((s) => resolveSigningKey(undefined, s)));
    expect(new Set(keys.map((k) => k.verification.kid)).size).toBe(1);
    expect((await resolveSigningKey(undefined, stores[0]!)).verification.kid).toBe(keys[0]!.verification.kid);
  });
});
