/**
 * Requests a client gets wrong on the wire: a malformed percent-escape in the path, a corrupt gzip body, a
 * body shorter than its Content-Length, a body nested thousands of levels deep. Each is answered with the
 * catalogue's 4xx (never a 500, never an audit failure), logged at debug at most, and the connection freed.
 */

import { createServer, type Server } from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import request from "supertest";
import { removeTempDirs, tempDir, testService, exampleConfig, writeBundle, type TestService } from "./service-harness";

let service: TestService;
let server: Server;
let port = 0;

beforeAll(async () => {
  const dir = tempDir();
  await writeBundle(dir, "example");
  const base = exampleConfig({}, dir);
  service = await testService({
    bundlesDir: dir,
    config: { ...base, server: { ...base.server, bodyTimeoutMs: 300, maxJsonDepth: 64 } },
    logLevel: "debug",
  });
  server = createServer(service.app).listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await service.close();
  removeTempDirs();
});

const errorLines = (): string[] =>
  service.log
    .lines()
    .filter((l) => (l as { level?: string }).level === "error")
    .map((l) => JSON.stringify(l));

const decideBody = (params: unknown) =>
  JSON.stringify({
    actor: { id: "svc:ci", type: "ci" },
    action: { name: "db.read", params },
    resource: { type: "database", id: "prod/x", environment: "production" },
  });

/** Sends raw bytes and collects what comes back until the server closes the connection (or `waitMs`). */
function raw(bytes: string, waitMs = 3000): Promise<{ text: string; closed: boolean; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, "127.0.0.1", () => socket.write(bytes));
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false, ms: Date.now() - started });
    }, waitMs);
    socket.on("data", (d) => (text += d.toString("utf8")));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ text, closed: true, ms: Date.now() - started });
    });
  });
}

describe("a malformed percent-escape in the path", () => {
  it.each(["/v1/approvals/%ff", "/v1/approvals/%E0%A4%A/verdicts", "/v1/approvals/%"])(
    "answers 400 without credentials and logs no error: %s",
    async (path) => {
      const before = errorLines().length;
      const method = path.endsWith("verdicts") ? "post" : "get";
      const res = await request(service.app)[method](path);
      expect([400, 401]).toContain(res.status);
      if (res.status === 400)
        expect(res.body.error).toEqual({ code: "COUNTERSIGN_INVALID_REQUEST", message: "the path holds a malformed percent-escape" });
      expect(errorLines().length).toBe(before);
    },
  );

  it("answers 400 for GET /v1/approvals/%ff specifically (the reported case)", async () => {
    const res = await request(service.app).get("/v1/approvals/%ff");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("COUNTERSIGN_INVALID_REQUEST");
  });
});

describe("a corrupt gzip body", () => {
  it("answers 400 COUNTERSIGN_INVALID_REQUEST, not 500", async () => {
    const before = errorLines().length;
    const res = await request(service.app)
      .post("/v1/decide")
      .set("Authorization", "Bearer dev-caller-key")
      .set("Content-Type", "application/json")
      .set("Content-Encoding", "gzip")
      .send(Buffer.from("1f8b0800010203", "hex"));
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: "COUNTERSIGN_INVALID_REQUEST",
      message: "the body's content encoding is corrupt: it does not decompress",
    });
    expect(errorLines().length).toBe(before);
  });
});

describe("a body shorter than its Content-Length", () => {
  it.each([
    ["the decide fast lane", "/v1/decide"],
    ["an Express route", "/v1/approvals/apr_x/verdicts"],
  ])("is answered 408 after the body timeout and the socket closed (%s)", async (_what, path) => {
    const head = `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer dev-caller-key\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"actor":`;
    const got = await raw(head);
    expect(got.closed).toBe(true);
    expect(got.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(got.text).toContain('"code":"COUNTERSIGN_REQUEST_TIMEOUT"');
  });

  it("leaves a slow but complete body alone", async () => {
    const body = decideBody({});
    const socket = net.connect(port, "127.0.0.1");
    const reply = new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (d) => {
        text += d.toString();
        if (text.includes("\r\n\r\n") && text.includes("}")) resolve(text);
      });
    });
    socket.write(
      `POST /v1/decide HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer dev-caller-key\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    await new Promise((r) => setTimeout(r, 100));
    socket.write(body);
    expect(await reply).toMatch(/^HTTP\/1\.1 200 /);
    socket.destroy();
  });
});

describe("a body nested deeper than server.max_json_depth", () => {
  /** JSON text of `depth` alternating objects and arrays around 1 (as text: JSON.stringify would overflow). */
  const nested = (depth: number): string => {
    let open = "";
    let close = "";
    for (let i = 0; i < depth; i++) {
      open += i % 2 === 0 ? '{"a":' : "[";
      close = (i % 2 === 0 ? "}" : "]") + close;
    }
    return open + "1" + close;
  };
  const deepDecide = (depth: number): string => decideBody("PARAMS").replace('"PARAMS"', `{"deep":${nested(depth)}}`);

  it("is refused up front with 400 COUNTERSIGN_BODY_TOO_DEEP on decide, not denied as audit unavailable", async () => {
    const res = await request(service.app)
      .post("/v1/decide")
      .set("Authorization", "Bearer dev-caller-key")
      .set("Content-Type", "application/json")
      .send(deepDecide(10_000));
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: "COUNTERSIGN_BODY_TOO_DEEP",
      message: "the body nests objects and arrays deeper than 64 levels",
      details: { limit: 64 },
    });
    const metrics = await request(service.app).get("/metrics");
    expect(metrics.text).not.toMatch(/countersign_decision_failures_total\{code="COUNTERSIGN_AUDIT_UNAVAILABLE"\} [1-9]/);
  });

  it("is refused on the Express routes too", async () => {
    const res = await request(service.app)
      .post("/v1/grants/redeem")
      .set("Authorization", "Bearer dev-caller-key")
      .set("Content-Type", "application/json")
      .send(`{"grant":"x","a":${nested(200)}}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("COUNTERSIGN_BODY_TOO_DEEP");
  });

  it("lets a request nested within the limit through", async () => {
    const res = await request(service.app)
      .post("/v1/decide")
      .set("Authorization", "Bearer dev-caller-key")
      .set("Content-Type", "application/json")
      .send(deepDecide(50));
    expect(res.body).toMatchObject({ outcome: "allow" });
    expect(res.status).toBe(200);
  });
});
