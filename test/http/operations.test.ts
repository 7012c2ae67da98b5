/**
 * The operational routes: /healthz, /readyz (policy loaded; Redis answering when configured, against a
 * real redis-server), /metrics in Prometheus format, and /openapi.json describing every route the app
 * serves.
 */

import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as net from "node:net";
import Ajv2020 from "ajv/dist/2020";
import request from "supertest";
import { generateSigningKeyPem } from "../../src/audit/signing-key";
import { useRedisServer } from "../support/redis-server";
import { AUTH, decideBody, exampleConfig, removeTempDirs, tempDir, testService, writeBundle, type TestService } from "./service-harness";

const redis = useRedisServer();
let bundlesDir: string;
let service: TestService;

beforeAll(async () => {
  bundlesDir = tempDir();
  await writeBundle(bundlesDir, "example", { revision: "ops-1" });
  service = await testService({ bundlesDir });
});
afterAll(async () => {
  await service.close();
  removeTempDirs();
});

/** A file holding a fresh Ed25519 audit signing key (so the trail opens without reading its key from Redis). */
function auditKeyFile(): string {
  const file = path.join(tempDir(), "audit-signing-key.pem");
  fs.writeFileSync(file, generateSigningKeyPem());
  return file;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe("health and readiness", () => {
  it("is live", async () => {
    const res = await request(service.app).get("/healthz");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
  });

  it("is ready with a bundle loaded and its Redis answering", async () => {
    const res = await request(service.app).get("/readyz");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: "ready",
      checks: {
        policy: { ok: true, detail: expect.stringContaining("countersign@ops-1") },
        redis: { ok: true, detail: expect.stringContaining("PING") },
      },
    });
  });

  it("without Redis is not ready and denies every decision: nothing can be recorded", async () => {
    const noRedis = await testService({ bundlesDir, noRedis: true });
    try {
      const res = await request(noRedis.app).get("/readyz");
      expect(res.status).toBe(503);
      expect(res.body.error.details.checks).toMatchObject({
        policy: { ok: true },
        audit: { ok: false, detail: expect.stringContaining("no Redis") },
      });
      const decided = await request(noRedis.app).post("/v1/decide").set("Authorization", AUTH.caller).send(decideBody());
      expect(decided.body).toMatchObject({ outcome: "deny", reasons: ["audit unavailable"], code: "COUNTERSIGN_AUDIT_UNAVAILABLE" });
      expect(noRedis.log.lines().some((l) => l["level"] === "error" && String(l["message"]).includes("no Redis configured"))).toBe(true);
    } finally {
      await noRedis.close();
    }
  });

  it("is ready when the configured Redis answers PING", async () => {
    const withRedis = await testService({ bundlesDir, config: exampleConfig({ REDIS_URL: redis.url }, bundlesDir) });
    try {
      const res = await request(withRedis.app).get("/readyz");
      expect(res.status).toBe(200);
      expect(res.body.checks.redis).toEqual({ ok: true, detail: expect.stringContaining("PING") });
    } finally {
      await withRedis.close();
    }
  });

  it("is not ready (503, with the reason) when the configured Redis cannot be reached", async () => {
    const port = await closedPort();
    // A grant key of its own lets the service start while its Redis is down.
    const config = exampleConfig({ REDIS_URL: `redis://127.0.0.1:${port}` }, bundlesDir);
    const privateKeyPem = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const noRedis = await testService({
      bundlesDir,
      config: {
        ...config,
        approvals: { ...config.approvals, grants: { privateKeyPem } },
        audit: { ...config.audit, signing_key_file: auditKeyFile() },
      },
    });
    try {
      const res = await request(noRedis.app).get("/readyz");
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("COUNTERSIGN_NOT_READY");
      expect(res.body.error.message).toMatch(/redis: (cannot reach|no answer from) 127\.0\.0\.1:\d+/);
      expect(res.body.error.details.checks).toMatchObject({ policy: { ok: true }, redis: { ok: false } });
    } finally {
      await noRedis.close();
    }
  });

  it("refuses to start when Redis cannot be reached and holds the only grant key", async () => {
    const port = await closedPort();
    const config = exampleConfig({ REDIS_URL: `redis://127.0.0.1:${port}` }, bundlesDir);
    await expect(
      testService({ bundlesDir, config: { ...config, audit: { ...config.audit, signing_key_file: auditKeyFile() } } }),
    ).rejects.toMatchObject({
      code: "COUNTERSIGN_REDIS_UNAVAILABLE",
      message: expect.stringMatching(
        /cannot load the shared grant signing key from Redis at 127\.0\.0\.1:\d+.*configure approvals\.grants/,
      ),
    });
  });

  it("refuses to start when Redis cannot be reached and holds the only audit signing key", async () => {
    const port = await closedPort();
    await expect(
      testService({ bundlesDir, config: exampleConfig({ REDIS_URL: `redis://127.0.0.1:${port}` }, bundlesDir) }),
    ).rejects.toMatchObject({
      code: "COUNTERSIGN_REDIS_UNAVAILABLE",
      message: expect.stringMatching(/cannot open the audit trail on Redis at 127\.0\.0\.1:\d+/),
    });
  });
});

describe("metrics", () => {
  it("exposes decisions by outcome, the evaluation latency histogram, the bundle revision and reload failures", async () => {
    await request(service.app).post("/v1/decide").set("Authorization", AUTH.caller).send(decideBody());
    await request(service.app)
      .post("/v1/decide")
      .set("Authorization", AUTH.caller)
      .send(decideBody({ action: { name: "db.drop" } }));
    const res = await request(service.app).get("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^countersign_decisions_total\{outcome="allow"\} 1$/m);
    expect(res.text).toMatch(/^countersign_decisions_total\{outcome="deny"\} 1$/m);
    expect(res.text).toMatch(/^countersign_decisions_total\{outcome="require_approval"\} 0$/m);
    expect(res.text).toMatch(/^countersign_policy_eval_seconds_count 2$/m);
    expect(res.text).toMatch(/^countersign_policy_eval_seconds_bucket\{le="0.001"\} \d+$/m);
    expect(res.text).toMatch(/^countersign_bundle_info\{bundle="countersign",revision="ops-1"\} 1$/m);
    expect(res.text).toMatch(/^countersign_policy_ready 1$/m);
    expect(res.text).toMatch(/^countersign_bundle_reload_failures_total 0$/m);
    expect(res.text).toMatch(/^countersign_process_cpu_seconds_total /m);
  });
});

describe("the OpenAPI document", () => {
  let doc: Record<string, any>;
  beforeAll(async () => {
    const res = await request(service.app).get("/openapi.json");
    expect(res.status).toBe(200);
    doc = res.body;
  });

  it("is OpenAPI 3.1 and documents every route the app serves", () => {
    expect(doc["openapi"]).toBe("3.1.0");
    expect(Object.keys(doc["paths"]).sort()).toEqual([
      "/.well-known/jwks.json",
      "/decide",
      "/healthz",
      "/metrics",
      "/openapi.json",
      "/readyz",
      "/v1/approvals",
      "/v1/approvals/{id}",
      "/v1/approvals/{id}/cancel",
      "/v1/approvals/{id}/verdicts",
      "/v1/audit",
      "/v1/decide",
      "/v1/grants/redeem",
      "/v1/mcp/hidden-tools",
      "/v1/shadow",
      "/v1/whoami",
    ]);
    expect(Object.keys(doc["paths"]["/v1/decide"])).toEqual(["post"]);
  });

  it("names, in some route or answer, every code of the error catalogue but the generic ones", () => {
    const text = JSON.stringify({ paths: doc["paths"], decision: doc["components"]["schemas"]["Decision"] });
    const generic = ["COUNTERSIGN_NOT_FOUND", "COUNTERSIGN_METHOD_NOT_ALLOWED", "COUNTERSIGN_NOT_READY"];
    const codes: string[] = doc["components"]["schemas"]["Error"].properties.error.properties.code.enum;
    expect(codes).toEqual(
      expect.arrayContaining(["COUNTERSIGN_SELF_APPROVAL", "COUNTERSIGN_GRANT_REPLAYED", "COUNTERSIGN_APPROVAL_NOT_FOUND"]),
    );
    expect(codes.filter((c) => !generic.includes(c) && !text.includes(c))).toEqual([]);
  });

  it("documents the approval routes with their bodies, answers and refusals", () => {
    const verdict = doc["paths"]["/v1/approvals/{id}/verdicts"]["post"];
    expect(verdict.requestBody.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/VerdictRequest" });
    expect(Object.keys(verdict.responses).sort()).toEqual(["200", "400", "401", "403", "404", "408", "409", "410", "413", "415", "503"]);
    expect(doc["paths"]["/v1/approvals/{id}"]["get"].parameters.map((p: { name: string }) => p.name)).toEqual([
      "id",
      "wait",
      "since_version",
    ]);
    expect(doc["paths"]["/.well-known/jwks.json"]["get"].security).toBeUndefined();
    expect(doc["components"]["schemas"]["Decision"].properties.approval.required).toEqual(
      expect.arrayContaining(["id", "status_url", "expires_at", "quorum"]),
    );
  });

  it("describes the decide request, its answer, every error status and the bearer scheme", () => {
    const op = doc["paths"]["/v1/decide"]["post"];
    expect(op.requestBody.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/DecideRequest" });
    expect(Object.keys(op.responses).sort()).toEqual(["200", "400", "401", "408", "413", "415", "422", "500"]);
    expect(op.security).toEqual([{ bearerAuth: [] }]);
    expect(doc["components"]["securitySchemes"]["bearerAuth"]).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc["components"]["schemas"]["Error"].properties.error.properties.code.enum).toContain("COUNTERSIGN_UNAUTHENTICATED");
  });

  it("embeds the very schema requests are validated with, and its example passes it", () => {
    const schema = doc["components"]["schemas"]["DecideRequest"];
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate(doc["paths"]["/v1/decide"]["post"].requestBody.content["application/json"].example)).toBe(true);
    expect(validate({ ...decideBody(), surprise: 1 })).toBe(false);
  });

  it("resolves every $ref", () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const target = ref.slice(8, -1).replace(/^#\//, "").split("/");
      let node: any = doc;
      for (const t of target) node = node?.[t];
      expect({ ref, found: node !== undefined }).toEqual({ ref, found: true });
    }
  });
});
