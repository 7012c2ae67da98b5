/**
 * Caller authentication on POST /v1/decide: API keys and signed JWTs. Every failure is a 401 with the
 * error body and a WWW-Authenticate challenge, and no policy is evaluated.
 */

import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type KeyLike } from "jose";
import request from "supertest";
import { exampleConfigPath, parseServiceConfig } from "../../src/config/config-loader";
import { AUTH, decideBody, NOW_NS, removeTempDirs, tempDir, testService, writeBundle, type TestService } from "./service-harness";

const NOW_S = Number(NOW_NS / 1_000_000_000n);
const ISSUER = "https://login.test.invalid/";
const AUDIENCE = "countersign";

let bundlesDir: string;
let apiKeyService: TestService;

beforeAll(async () => {
  bundlesDir = tempDir();
  await writeBundle(bundlesDir, "example");
  apiKeyService = await testService({ bundlesDir });
});
afterAll(async () => {
  await apiKeyService.close();
  removeTempDirs();
});

/** How many decisions the service has made, from its own metrics. */
async function decisionsMade(service: TestService): Promise<number> {
  const res = await request(service.app).get("/metrics");
  let total = 0;
  for (const m of res.text.matchAll(/^countersign_decisions_total\{[^}]*\} (\d+)$/gm)) total += Number(m[1]);
  return total;
}

async function expectUnauthenticated(service: TestService, authorization: string | undefined, reason: string): Promise<void> {
  const before = await decisionsMade(service);
  let req = request(service.app).post("/v1/decide");
  if (authorization !== undefined) req = req.set("Authorization", authorization);
  const res = await req.send(decideBody());
  expect(res.status).toBe(401);
  expect(res.body).toEqual({ error: { code: "COUNTERSIGN_UNAUTHENTICATED", message: expect.any(String), details: { reason } } });
  expect(res.headers["www-authenticate"]).toMatch(/^Bearer realm="countersign"/);
  expect(await decisionsMade(service)).toBe(before);
}

describe("API keys", () => {
  it("accepts a configured key and decides as its identity", async () => {
    const res = await request(apiKeyService.app).post("/v1/decide").set("Authorization", AUTH.caller).send(decideBody());
    expect(res.status).toBe(200);
    expect(apiKeyService.log.lines().find((l) => l["message"] === "decision")).toMatchObject({ caller: "svc:ci" });
  });

  it("accepts the scheme name in any case", async () => {
    const res = await request(apiKeyService.app).post("/v1/decide").set("Authorization", "bearer dev-alice-key").send(decideBody());
    expect(res.status).toBe(200);
  });

  it("refuses a request without credentials", async () => {
    await expectUnauthenticated(apiKeyService, undefined, "missing_credentials");
  });

  it("refuses an unknown key", async () => {
    await expectUnauthenticated(apiKeyService, "Bearer not-a-configured-key", "unknown_api_key");
  });

  it("refuses a key that differs from a real one only by case", async () => {
    await expectUnauthenticated(apiKeyService, "Bearer DEV-CALLER-KEY", "unknown_api_key");
  });

  it("refuses a malformed Authorization header", async () => {
    await expectUnauthenticated(apiKeyService, "Basic ZGV2OmtleQ==", "malformed_credentials");
    await expectUnauthenticated(apiKeyService, "Bearer", "malformed_credentials");
    await expectUnauthenticated(apiKeyService, "dev-caller-key", "malformed_credentials");
    await expectUnauthenticated(apiKeyService, "Bearer two words", "malformed_credentials");
  });

  it("authenticates before reading the body: a bad key with a malformed body is still a 401", async () => {
    const res = await request(apiKeyService.app)
      .post("/v1/decide")
      .set("Authorization", "Bearer nope")
      .set("Content-Type", "application/json")
      .send("{not json");
    expect(res.status).toBe(401);
  });

  it("never logs the presented key", async () => {
    await request(apiKeyService.app).post("/v1/decide").set("Authorization", "Bearer secret-guess-123").send(decideBody());
    expect(apiKeyService.log.text()).not.toContain("secret-guess-123");
  });
});

describe("signed JWTs", () => {
  let issuerKey: KeyLike;
  let otherKey: KeyLike;
  let pemService: TestService;
  let jwksService: TestService;
  let jwksServer: http.Server;

  const token = (claims: Record<string, unknown>, key: KeyLike = issuerKey, kid = "k1"): Promise<string> => {
    const jwt = new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid }).setIssuedAt(NOW_S - 60);
    if (!("iss" in claims)) jwt.setIssuer(ISSUER);
    if (!("aud" in claims)) jwt.setAudience(AUDIENCE);
    if (!("exp" in claims)) jwt.setExpirationTime(NOW_S + 300);
    return jwt.sign(key);
  };

  const configWith = (jwtYaml: string) =>
    parseServiceConfig(`${fs.readFileSync(exampleConfigPath(), "utf8")}\nauth:\n  jwt:\n${jwtYaml}`, "jwt-config.yaml", {}, { bundlesDir });

  beforeAll(async () => {
    const pair = await generateKeyPair("ES256");
    issuerKey = pair.privateKey;
    otherKey = (await generateKeyPair("ES256")).privateKey;
    const spki = await exportSPKI(pair.publicKey);
    const pemYaml = `    issuer: ${ISSUER}\n    audience: ${AUDIENCE}\n    algorithms: [ES256]\n    public_key: |\n${spki
      .trim()
      .split("\n")
      .map((l) => `      ${l}`)
      .join("\n")}\n`;
    pemService = await testService({ bundlesDir, config: configWith(pemYaml) });

    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "ES256", use: "sig" };
    jwksServer = http.createServer((req, res) => {
      if (req.url === "/jwks.json") res.setHeader("Content-Type", "application/json").end(JSON.stringify({ keys: [jwk] }));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => jwksServer.listen(0, "127.0.0.1", r));
    const port = (jwksServer.address() as AddressInfo).port;
    jwksService = await testService({
      bundlesDir,
      config: configWith(`    issuer: ${ISSUER}\n    audience: ${AUDIENCE}\n    jwks_url: http://127.0.0.1:${port}/jwks.json\n`),
    });
  });
  afterAll(async () => {
    await pemService.close();
    await jwksService.close();
    await new Promise((r) => jwksServer.close(r));
  });

  it("accepts a token from the configured issuer whose sub is an identity (public key)", async () => {
    const res = await request(pemService.app)
      .post("/v1/decide")
      .set("Authorization", `Bearer ${await token({ sub: "svc:ci" })}`)
      .send(decideBody());
    expect(res.status).toBe(200);
    expect(
      pemService.log
        .lines()
        .filter((l) => l["message"] === "decision")
        .pop(),
    ).toMatchObject({ caller: "svc:ci" });
  });

  it("accepts a token verified through the issuer's JWKS", async () => {
    const res = await request(jwksService.app)
      .post("/v1/decide")
      .set("Authorization", `Bearer ${await token({ sub: "user:alice" })}`)
      .send(decideBody());
    expect(res.status).toBe(200);
  });

  it("still accepts API keys when JWTs are configured", async () => {
    const res = await request(pemService.app).post("/v1/decide").set("Authorization", AUTH.caller).send(decideBody());
    expect(res.status).toBe(200);
  });

  it("refuses a token signed by another key", async () => {
    await expectUnauthenticated(pemService, `Bearer ${await token({ sub: "svc:ci" }, otherKey)}`, "invalid_token");
    await expectUnauthenticated(jwksService, `Bearer ${await token({ sub: "svc:ci" }, otherKey)}`, "invalid_token");
  });

  it("refuses an expired token (by the injected clock)", async () => {
    await expectUnauthenticated(pemService, `Bearer ${await token({ sub: "svc:ci", exp: NOW_S - 3600 })}`, "expired_token");
  });

  it("refuses a token whose sub is no configured identity", async () => {
    await expectUnauthenticated(pemService, `Bearer ${await token({ sub: "svc:stranger" })}`, "unknown_subject");
  });

  it("refuses a token for another audience or from another issuer", async () => {
    await expectUnauthenticated(pemService, `Bearer ${await token({ sub: "svc:ci", aud: "someone-else" })}`, "invalid_token");
    await expectUnauthenticated(pemService, `Bearer ${await token({ sub: "svc:ci", iss: "https://evil.invalid/" })}`, "invalid_token");
  });

  it("refuses an unsigned token", async () => {
    const header = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
    const body = Buffer.from(JSON.stringify({ sub: "svc:ci", iss: ISSUER, aud: AUDIENCE, exp: NOW_S + 300 })).toString("base64url");
    await expectUnauthenticated(pemService, `Bearer ${header}.${body}.c2ln`, "invalid_token");
  });
});
