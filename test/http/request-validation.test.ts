/**
 * Bad requests to POST /v1/decide: each is refused with the error body, a stable code and, for schema
 * failures, the offending field as a JSON pointer; none reaches the policy.
 */

import request from "supertest";
import { AUTH, decideBody, exampleConfig, removeTempDirs, tempDir, testService, writeBundle, type TestService } from "./service-harness";

let service: TestService;

beforeAll(async () => {
  const dir = tempDir();
  await writeBundle(dir, "example");
  service = await testService({ bundlesDir: dir });
});
afterAll(async () => {
  await service.close();
  removeTempDirs();
});

const post = () => request(service.app).post("/v1/decide").set("Authorization", AUTH.caller);

async function expectInvalid(body: unknown, field: string, message: RegExp): Promise<void> {
  const res = await post().send(body as object);
  expect(res.status).toBe(400);
  expect(res.body.error).toMatchObject({ code: "COUNTERSIGN_INVALID_REQUEST", details: { field } });
  expect(res.body.error.details.problems).toContainEqual({ field, message: expect.stringMatching(message) });
  expect(res.body.error.message).toMatch(/^invalid request: /);
}

describe("schema validation", () => {
  it("names a missing required field", async () => {
    const { actor: _a, ...noActor } = decideBody();
    await expectInvalid(noActor, "/actor", /is required/);
    await expectInvalid(decideBody({ actor: { type: "ci" } }), "/actor/id", /is required/);
    await expectInvalid(decideBody({ action: { params: {} } }), "/action/name", /is required/);
    await expectInvalid(decideBody({ resource: { type: "database" } }), "/resource/id", /is required/);
  });

  it("names a field of the wrong type", async () => {
    await expectInvalid(decideBody({ action: { name: 42 } }), "/action/name", /must be a string/);
    await expectInvalid(decideBody({ action: { name: "db.read", params: ["x"] } }), "/action/params", /must be an object/);
    await expectInvalid(decideBody({ context: "because" }), "/context", /must be an object/);
  });

  it("refuses an actor type outside service, human, ai_agent, ci", async () => {
    await expectInvalid(
      decideBody({ actor: { id: "bot:x", type: "robot" } }),
      "/actor/type",
      /must be one of service, human, ai_agent, ci/,
    );
  });

  it("refuses unknown top-level fields, and unknown actor fields (a misspelt on_behalf_of)", async () => {
    await expectInvalid(decideBody({ urgent: true }), "/urgent", /is not a known field/);
    await expectInvalid(
      decideBody({ actor: { id: "agent:a", type: "ai_agent", on_behalf: "user:alice" } }),
      "/actor/on_behalf",
      /is not a known field/,
    );
  });

  it("limits idempotency_key to 200 characters", async () => {
    await expectInvalid(decideBody({ idempotency_key: "k".repeat(201) }), "/idempotency_key", /at most 200/);
  });

  it("refuses a JSON array or an empty body", async () => {
    await expectInvalid([decideBody()], "", /must be an object/);
    const res = await post().set("Content-Type", "application/json").send("");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("COUNTERSIGN_INVALID_REQUEST");
  });

  it("reports every problem, the first one in the message", async () => {
    const res = await post().send({ actor: { id: "", type: "robot" }, action: {}, resource: {}, extra: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.details.problems.length).toBeGreaterThanOrEqual(5);
    expect(res.body.error.message).toMatch(/and \d+ more problems/);
  });
});

describe("transport-level refusals", () => {
  it("refuses malformed JSON with 400 COUNTERSIGN_MALFORMED_JSON", async () => {
    const res = await post().set("Content-Type", "application/json").send('{"actor": {"id": "svc:ci",');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "COUNTERSIGN_MALFORMED_JSON", message: expect.any(String) } });
  });

  it("refuses a body that is not application/json with 415", async () => {
    const form = await post().set("Content-Type", "application/x-www-form-urlencoded").send("actor=svc:ci");
    expect(form.status).toBe(415);
    expect(form.body.error.code).toBe("COUNTERSIGN_UNSUPPORTED_MEDIA_TYPE");
    const text = await post().set("Content-Type", "text/plain").send(JSON.stringify(decideBody()));
    expect(text.status).toBe(415);
  });

  it("accepts application/json with a charset parameter", async () => {
    const res = await post().set("Content-Type", "application/json; charset=utf-8").send(JSON.stringify(decideBody()));
    expect(res.status).toBe(200);
  });

  it("refuses a body over the configured limit with 413", async () => {
    const big = decideBody({ context: { blob: "x".repeat(70 * 1024) } });
    const res = await post().send(big);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: "COUNTERSIGN_PAYLOAD_TOO_LARGE", details: { limit: 65536 } });
  });

  it("honours a smaller configured limit", async () => {
    const dir = tempDir();
    await writeBundle(dir, "example");
    const base = exampleConfig({}, dir);
    const small = await testService({ bundlesDir: dir, config: { ...base, server: { ...base.server, bodyLimitBytes: 512 } } });
    try {
      const res = await request(small.app)
        .post("/v1/decide")
        .set("Authorization", AUTH.caller)
        .send(decideBody({ context: { note: "y".repeat(600) } }));
      expect(res.status).toBe(413);
    } finally {
      await small.close();
    }
  });

  it("answers 405 with Allow for another method on the decide routes, and 404 for unknown routes", async () => {
    const get = await request(service.app).get("/v1/decide");
    expect(get.status).toBe(405);
    expect(get.headers["allow"]).toBe("POST");
    expect(get.body.error.code).toBe("COUNTERSIGN_METHOD_NOT_ALLOWED");
    const none = await request(service.app).post("/v2/decide").send({});
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe("COUNTERSIGN_NOT_FOUND");
  });

  it("made no decision for any refused request", async () => {
    const lines = service.log.lines().filter((l) => l["message"] === "decision");
    // Only the two requests above that were valid produced decisions.
    expect(lines).toHaveLength(1);
  });
});
