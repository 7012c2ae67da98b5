/**
 * Grants against a real redis-server: issued once on approval and shown only to the creating caller;
 * redeemed once (also under concurrency); refused when the action differs, when expired, when signed by
 * another key or malformed; one signing key shared by all instances; JWKS verifies what we sign.
 */

import { generateKeyPairSync } from "node:crypto";
import type Redis from "ioredis";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT } from "jose";
import { useRedisServer } from "../support/redis-server";
import { ApprovalKeys } from "../../src/approvals/approval-keys";
import { renderApprovalView } from "../../src/approvals/approval-view";
import { GrantService, GRANT_AUDIENCE, GRANT_ISSUER, GRANT_TYPE } from "../../src/grants/grant-service";
import { configuredSigningKey, sharedSigningKey, signingKeyFrom } from "../../src/grants/grant-signing-key";
import { alice, bob, caller, carol, exportRequest, instance, TestClock, twoSecurity, type Instance } from "../approvals/approval-fixtures";

const redisServer = useRedisServer({ flushBetweenTests: true });

let redis: Redis;
let clock: TestClock;
let grants: GrantService;
let a: Instance;

beforeAll(() => {
  redis = redisServer.connect();
});

beforeEach(async () => {
  clock = new TestClock();
  const key = await sharedSigningKey(redis, new ApprovalKeys().grantSigningKey);
  const events = { onApprovalEvent: (e: Parameters<Instance["events"]["onApprovalEvent"]>[0]) => a.events.onApprovalEvent(e) };
  grants = new GrantService({ redis, key, clock, events });
  a = instance(redis, clock, { grants });
});

afterEach(async () => {
  await a.close();
});

/** Creates a request needing bob and carol and approves it; returns its id and the caller's grant token. */
async function approved(): Promise<{ id: string; token: string }> {
  const { approval } = await a.service.createFromDecision(exportRequest({ requirements: twoSecurity }));
  await a.service.castVerdict({ approvalId: approval.id, reviewer: bob, verdict: "approve", channel: "api" });
  await a.service.castVerdict({ approvalId: approval.id, reviewer: carol, verdict: "approve", channel: "teams" });
  const access = await a.service.get({ approvalId: approval.id, viewer: caller });
  if (!access.grant) throw new Error("no grant");
  return { id: approval.id, token: access.grant.token };
}

const presented = () => {
  const r = exportRequest().request;
  return { actor: r.actor, action: r.action, resource: r.resource };
};

describe("issuing", () => {
  it("signs an EdDSA JWT with the approval, digest, actor, approvers and the grant ttl", async () => {
    const { id, token } = await approved();
    const header = decodeProtectedHeader(token);
    const claims = decodeJwt(token);
    const stored = await a.store.get(id);
    expect(header).toMatchObject({ alg: "EdDSA", typ: GRANT_TYPE, kid: grants.jwks().keys[0]?.kid });
    expect(claims).toMatchObject({
      iss: GRANT_ISSUER,
      aud: GRANT_AUDIENCE,
      sub: "agent:deploy-bot",
      approval_id: id,
      action_digest: stored?.actionDigest,
      actor: { id: "agent:deploy-bot", on_behalf_of: "user:mallory" },
      approvers: ["user:bob", "user:carol"],
      iat: Math.floor(clock.ms / 1000),
      exp: Math.floor(clock.ms / 1000) + 300,
    });
    expect(typeof claims.jti).toBe("string");
    const { payload } = await jwtVerify(token, createLocalJWKSet(grants.jwks() as never), { currentDate: new Date(clock.ms) });
    expect(payload.approval_id).toBe(id);
  });

  it("issues once and gives it to the creating caller only", async () => {
    const { id, token } = await approved();
    const again = await a.service.get({ approvalId: id, viewer: caller });
    expect(again.grant?.token).toBe(token);
    expect(renderApprovalView(again).grant).toBe(token);
    const reviewerView = await a.service.get({ approvalId: id, viewer: bob });
    expect(reviewerView.grant).toBeUndefined();
    expect(JSON.stringify(renderApprovalView(reviewerView))).not.toContain(token);
    expect(a.events.ofType("grant.issued")).toHaveLength(1);
  });

  it("gives no grant for a pending or denied request", async () => {
    const { approval } = await a.service.createFromDecision(exportRequest());
    expect((await a.service.get({ approvalId: approval.id, viewer: caller })).grant).toBeUndefined();
    await a.service.castVerdict({ approvalId: approval.id, reviewer: alice, verdict: "deny", channel: "api" });
    expect((await a.service.get({ approvalId: approval.id, viewer: caller })).grant).toBeUndefined();
  });
});

describe("redeeming", () => {
  it("succeeds once and refuses the replay", async () => {
    const { id, token } = await approved();
    await expect(grants.redeem(token, presented())).resolves.toMatchObject({
      approvalId: id,
      actorId: "agent:deploy-bot",
      approvers: ["user:bob", "user:carol"],
    });
    await expect(grants.redeem(token, presented())).rejects.toMatchObject({ code: "COUNTERSIGN_GRANT_REPLAYED", status: 409 });
    expect(a.events.ofType("grant.redeemed")).toHaveLength(1);
    expect(a.events.ofType("grant.redemption_refused")).toMatchObject([{ code: "COUNTERSIGN_GRANT_REPLAYED", approvalId: id }]);
  });

  it("lets exactly one of many concurrent redemptions through, across instances", async () => {
    const { token } = await approved();
    const other = new GrantService({
      redis: redisServer.connect(),
      key: await sharedSigningKey(redisServer.connect(), new ApprovalKeys().grantSigningKey),
      clock,
    });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => (i % 2 ? grants : other).redeem(token, presented())));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("refuses a different actor, action or resource and leaves the grant usable", async () => {
    const { token } = await approved();
    const p = presented();
    for (const wrong of [
      { ...p, resource: { ...p.resource, id: "prod/orders" } },
      { ...p, action: { ...p.action, params: { table: "customers", rows: 10001, query: "select *" } } },
      { ...p, actor: { ...p.actor, id: "agent:other" } },
    ]) {
      await expect(grants.redeem(token, wrong)).rejects.toMatchObject({ code: "COUNTERSIGN_GRANT_MISMATCH", status: 403 });
    }
    // Key order and number spelling do not matter: the digest is over canonical JSON.
    const reordered = { resource: { environment: "production", id: "prod/customers", type: "database" }, action: p.action, actor: p.actor };
    await expect(grants.redeem(token, reordered)).resolves.toMatchObject({ actorId: "agent:deploy-bot" });
  });

  it("refuses an expired grant", async () => {
    const { token } = await approved();
    clock.advance(300_000);
    await expect(grants.redeem(token, presented())).rejects.toMatchObject({ code: "COUNTERSIGN_GRANT_EXPIRED", status: 410 });
    expect(a.events.ofType("grant.redemption_refused")).toMatchObject([{ code: "COUNTERSIGN_GRANT_EXPIRED" }]);
  });

  it("refuses a grant signed by another key, even one claiming our kid", async () => {
    const { token } = await approved();
    const claims = decodeJwt(token);
    const foreign = generateKeyPairSync("ed25519").privateKey;
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: "EdDSA", typ: GRANT_TYPE, kid: grants.jwks().keys[0]?.kid })
      .sign(foreign);
    await expect(grants.redeem(forged, presented())).rejects.toMatchObject({ code: "COUNTERSIGN_GRANT_INVALID", status: 401 });
    const otherService = new GrantService({ redis, key: await signingKeyFrom(foreign), clock });
    await expect(otherService.redeem(token, presented())).rejects.toMatchObject({ code: "COUNTERSIGN_GRANT_INVALID" });
    // The real grant is still unused.
    await expect(grants.redeem(token, presented())).resolves.toBeDefined();
  });

  it.each([
    ["an empty", ""],
    ["a garbage", "not.a.jwt"],
    ["a huge", "a".repeat(9000)],
  ])("refuses %s token", async (_what, token) => {
    await expect(grants.redeem(token, presented())).rejects.toMatchObject({ code: "COUNTERSIGN_GRANT_INVALID" });
  });

  it("refuses a token of another type signed by our key", async () => {
    const key = await sharedSigningKey(redis, new ApprovalKeys().grantSigningKey);
    const other = await new SignJWT({ approval_id: "x" })
      .setProtectedHeader({ alg: "EdDSA", typ: "JWT" })
      .setIssuer(GRANT_ISSUER)
      .setAudience(GRANT_AUDIENCE)
      .setExpirationTime(Math.floor(clock.ms / 1000) + 60)
      .sign(key.privateKey);
    await expect(grants.redeem(other, presented())).rejects.toMatchObject({ code: "COUNTERSIGN_GRANT_INVALID" });
  });
});

describe("signing keys", () => {
  it("generates one key for all instances (SET NX) and keeps it", async () => {
    await redis.del(new ApprovalKeys().grantSigningKey);
    const keys = await Promise.all(
      Array.from({ length: 5 }, () => sharedSigningKey(redisServer.connect(), new ApprovalKeys().grantSigningKey)),
    );
    expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
    expect((await sharedSigningKey(redis, new ApprovalKeys().grantSigningKey)).kid).toBe(keys[0]?.kid);
  });

  it("takes a configured PEM or JWK key, and refuses a non-Ed25519 one", async () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const pem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const fromPem = await configuredSigningKey({ privateKeyPem: pem });
    const fromJwk = await configuredSigningKey({ privateJwk: privateKey.export({ format: "jwk" }) });
    expect(fromPem?.kid).toBe(fromJwk?.kid);
    expect(fromPem?.publicJwk).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
    expect(fromPem?.publicJwk).not.toHaveProperty("d");
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    await expect(configuredSigningKey({ privateKeyPem: rsa })).rejects.toMatchObject({ code: "COUNTERSIGN_GRANT_KEY_INVALID" });
    await expect(configuredSigningKey({ privateKeyPem: "nonsense" })).rejects.toMatchObject({ code: "COUNTERSIGN_GRANT_KEY_INVALID" });
    expect(await configuredSigningKey({})).toBeUndefined();
  });
});
