/**
 * Bad input to the approval routes, against a real redis-server: unknown or malformed approval ids,
 * malformed verdicts, wrong content types, comments over the limit and over the body limit, unknown fields,
 * missing bodies, malformed query parameters, wrong methods, missing credentials, and malformed grant
 * redemptions. Each gets a clear 4xx with a stable code and leaves the request exactly as it was.
 */

import request from "supertest";
import { useRedisServer } from "../support/redis-server";
import { approvalClient, approvalIdOf } from "./approval-client";
import { approvalTestService, AUTH, exportBody, removeTempDirs, tempDir, writeBundle, type TestService } from "./service-harness";

const redis = useRedisServer();
let service: TestService;
let api: ReturnType<typeof approvalClient>;
let id: string;

beforeAll(async () => {
  const dir = tempDir();
  await writeBundle(dir, "example", { revision: "bad-input-1" });
  service = await approvalTestService({ bundlesDir: dir, redisUrl: redis.url });
  api = approvalClient(service.app);
  id = approvalIdOf(await api.decide(AUTH.caller, exportBody()));
});
afterAll(async () => {
  await service.close();
  removeTempDirs();
});

/** After every test: the request is untouched. */
afterEach(async () => {
  const res = await api.read(AUTH.caller, id);
  expect(res.body).toMatchObject({ status: "pending", version: 1, verdicts: [] });
});

const verdictPath = () => `/v1/approvals/${id}/verdicts`;

describe("unknown approval ids (404 COUNTERSIGN_APPROVAL_NOT_FOUND)", () => {
  it.each(["apr_00000000000000000000000000000000", "no-such-request", "a".repeat(129), "apr_x%20y", "apr.x"])("%s", async (unknown) => {
    for (const res of [
      await api.read(AUTH.caller, unknown),
      await api.verdict(AUTH.alice, unknown, { verdict: "approve" }),
      await api.cancel(AUTH.caller, unknown),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: "COUNTERSIGN_APPROVAL_NOT_FOUND", message: "no such approval request" });
    }
  });
});

describe("malformed verdicts (400)", () => {
  it.each([
    ["an unknown verdict", { verdict: "approved" }, "COUNTERSIGN_INVALID_VERDICT", "/verdict"],
    ["no verdict", { comment: "ok" }, "COUNTERSIGN_INVALID_VERDICT", "/verdict"],
    ["a verdict of the wrong type", { verdict: true }, "COUNTERSIGN_INVALID_VERDICT", "/verdict"],
    ["a comment that is not a string", { verdict: "approve", comment: 42 }, "COUNTERSIGN_INVALID_REQUEST", "/comment"],
    ["an unknown field", { verdict: "approve", reviewer: "user:carol" }, "COUNTERSIGN_INVALID_REQUEST", "/reviewer"],
    ["an array", [{ verdict: "approve" }], "COUNTERSIGN_INVALID_REQUEST", ""],
  ])("refuses %s", async (_what, body, code, field) => {
    const res = await api.verdict(AUTH.alice, id, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, details: { field } });
  });

  it("refuses a verdict without a body", async () => {
    const res = await request(service.app).post(verdictPath()).set("Authorization", AUTH.alice);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("COUNTERSIGN_INVALID_VERDICT");
  });

  it("refuses malformed JSON (400 COUNTERSIGN_MALFORMED_JSON)", async () => {
    const res = await request(service.app)
      .post(verdictPath())
      .set("Authorization", AUTH.alice)
      .set("Content-Type", "application/json")
      .send('{"verdict": "approve"');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("COUNTERSIGN_MALFORMED_JSON");
  });

  it("refuses another content type (415 COUNTERSIGN_UNSUPPORTED_MEDIA_TYPE)", async () => {
    for (const [type, text] of [
      ["text/plain", "approve"],
      ["application/x-www-form-urlencoded", "verdict=approve"],
    ]) {
      const res = await request(service.app).post(verdictPath()).set("Authorization", AUTH.alice).set("Content-Type", type!).send(text!);
      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe("COUNTERSIGN_UNSUPPORTED_MEDIA_TYPE");
    }
  });

  it("refuses a comment over the configured limit (400, naming it) and a body over the body limit (413)", async () => {
    const long = await api.verdict(AUTH.alice, id, { verdict: "approve", comment: "é".repeat(2001) });
    expect(long.status).toBe(400);
    expect(long.body.error).toMatchObject({
      code: "COUNTERSIGN_COMMENT_TOO_LONG",
      message: "comment is 2001 characters; the limit is 2000",
      details: { field: "comment", limit: 2000 },
    });
    const huge = await api.verdict(AUTH.alice, id, { verdict: "approve", comment: "x".repeat(70 * 1024) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe("COUNTERSIGN_PAYLOAD_TOO_LARGE");
  });

  it("accepts a comment of exactly the limit (the request then approves)", async () => {
    const other = approvalIdOf(
      await api.decide(AUTH.caller, exportBody({ resource: { type: "database", id: "prod/orders", environment: "production" } })),
    );
    const res = await api.verdict(AUTH.alice, other, { verdict: "approve", comment: "é".repeat(2000) });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("approved");
  });
});

describe("cancel bodies", () => {
  it("refuses unknown fields, a reason that is not a string, and a reason over the limit", async () => {
    expect((await api.cancel(AUTH.caller, id, { why: "x" })).body.error).toMatchObject({
      code: "COUNTERSIGN_INVALID_REQUEST",
      details: { field: "/why" },
    });
    expect((await api.cancel(AUTH.caller, id, { reason: 1 })).body.error).toMatchObject({
      code: "COUNTERSIGN_INVALID_REQUEST",
      details: { field: "/reason" },
    });
    const long = await api.cancel(AUTH.caller, id, { reason: "r".repeat(2001) });
    expect(long.status).toBe(400);
    expect(long.body.error.code).toBe("COUNTERSIGN_COMMENT_TOO_LONG");
  });
});

describe("query parameters (400 naming the parameter)", () => {
  it.each([
    [`?wait=soon`, "wait"],
    [`?wait=-1`, "wait"],
    [`?wait=1&wait=2`, "wait"],
    [`?since_version=1.5`, "since_version"],
  ])("refuses GET /v1/approvals/{id}%s", async (query, parameter) => {
    const res = await api.read(AUTH.caller, id, query);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "COUNTERSIGN_INVALID_REQUEST", details: { parameter } });
  });

  it.each([
    ["?status=approved", "status"],
    ["?limit=0", "limit"],
    ["?limit=101", "limit"],
  ])("refuses GET /v1/approvals%s", async (query, parameter) => {
    const res = await api.inbox(AUTH.alice, query);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "COUNTERSIGN_INVALID_REQUEST", details: { parameter } });
  });
});

describe("methods and credentials", () => {
  it("answers 405 with Allow for a wrong method", async () => {
    const del = await request(service.app).delete(`/v1/approvals/${id}`).set("Authorization", AUTH.caller);
    expect(del.status).toBe(405);
    expect(del.headers["allow"]).toBe("GET, HEAD");
    const get = await request(service.app).get(verdictPath()).set("Authorization", AUTH.alice);
    expect(get.status).toBe(405);
    expect(get.headers["allow"]).toBe("POST");
    expect((await request(service.app).post("/.well-known/jwks.json")).status).toBe(405);
  });

  it("answers 401 without credentials, before reading anything", async () => {
    for (const res of [
      await request(service.app).get(`/v1/approvals/${id}`),
      await request(service.app).post(verdictPath()).send({ verdict: "approve" }),
      await request(service.app).post(`/v1/approvals/${id}/cancel`),
      await request(service.app).get("/v1/approvals"),
      await request(service.app).post("/v1/grants/redeem").send({}),
      await request(service.app).post(verdictPath()).set("Authorization", "Bearer not-a-key").send({ verdict: "approve" }),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("COUNTERSIGN_UNAUTHENTICATED");
    }
  });
});

describe("grant redemption bodies", () => {
  const presented = exportBody();
  it.each([
    [
      "no grant",
      { actor: presented["actor"], action: presented["action"], resource: presented["resource"] },
      "COUNTERSIGN_INVALID_REQUEST",
      400,
    ],
    [
      "an unknown field",
      { grant: "g", actor: presented["actor"], action: presented["action"], resource: presented["resource"], context: {} },
      "COUNTERSIGN_INVALID_REQUEST",
      400,
    ],
    ["no resource", { grant: "g", actor: presented["actor"], action: presented["action"] }, "COUNTERSIGN_INVALID_REQUEST", 400],
    [
      "a token that is not a grant",
      { grant: "g.h.i", actor: presented["actor"], action: presented["action"], resource: presented["resource"] },
      "COUNTERSIGN_GRANT_INVALID",
      401,
    ],
  ])("refuses %s", async (_what, body, code, status) => {
    const res = await api.redeem(AUTH.caller, body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });
});
