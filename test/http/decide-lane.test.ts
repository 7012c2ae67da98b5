/**
 * The decide fast lane: which requests it takes (and which it leaves to the Express app), that its answers
 * are the app's answers for the same request, and that nothing thrown on it escapes as a crash.
 */

import type { IncomingMessage, RequestListener } from "node:http";
import { createServer } from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import request from "supertest";
import { createAuthenticator } from "../../src/identity/authenticator";
import { createApp } from "../../src/http/app";
import { decideLane, laneLength } from "../../src/http/decide-lane";
import { AUTH, captureLogger, decideBody, removeTempDirs, tempDir, testService, writeBundle, type TestService } from "./service-harness";

const LIMIT = 1024;

/** A request head as the lane sees it: nothing but method, url and headers. */
function head(patch: { method?: string; url?: string; headers?: Record<string, string> } = {}): IncomingMessage {
  return {
    method: patch.method ?? "POST",
    url: patch.url ?? "/v1/decide",
    headers: { "content-type": "application/json", "content-length": "100", ...patch.headers },
  } as unknown as IncomingMessage;
}

describe("which requests the lane takes", () => {
  it("takes a POST to /v1/decide or /decide with a plain JSON body of known length within the limit", () => {
    expect(laneLength(head(), LIMIT)).toBe(100);
    expect(laneLength(head({ url: "/decide" }), LIMIT)).toBe(100);
    expect(laneLength(head({ url: "/v1/decide?trace=1" }), LIMIT)).toBe(100);
    expect(laneLength(head({ headers: { "content-type": "application/json; charset=utf-8" } }), LIMIT)).toBe(100);
    expect(laneLength(head({ headers: { "content-type": "Application/JSON;charset=UTF-8" } }), LIMIT)).toBe(100);
    expect(laneLength(head({ headers: { "content-encoding": "identity" } }), LIMIT)).toBe(100);
    expect(laneLength(head({ headers: { "content-length": String(LIMIT) } }), LIMIT)).toBe(LIMIT);
  });

  it("leaves every other request to the app", () => {
    const declined = [
      head({ method: "GET" }),
      head({ method: "PUT" }),
      head({ url: "/v1/decide/" }),
      head({ url: "/V1/decide" }),
      head({ url: "/v1/decides" }),
      head({ url: "/v1/approvals" }),
      head({ headers: { "content-type": "text/plain" } }),
      head({ headers: { "content-type": "application/vnd.api+json" } }),
      head({ headers: { "content-type": "application/json; charset=latin1" } }),
      head({ headers: { "content-encoding": "gzip" } }),
      head({ headers: { "transfer-encoding": "chunked" } }),
      head({ headers: { "content-length": "0" } }),
      head({ headers: { "content-length": String(LIMIT + 1) } }),
      head({ headers: { "content-length": "1e3" } }),
    ];
    for (const req of declined)
      expect([req.method, req.url, req.headers, laneLength(req, LIMIT)]).toEqual([req.method, req.url, req.headers, null]);
    const { "content-type": _t, ...untyped } = head().headers;
    expect(laneLength({ ...head(), headers: untyped } as unknown as IncomingMessage, LIMIT)).toBeNull();
    const { "content-length": _l, ...unsized } = head().headers;
    expect(laneLength({ ...head(), headers: unsized } as unknown as IncomingMessage, LIMIT)).toBeNull();
  });

  it("passes what it leaves to the app untouched, body unread", async () => {
    const seen: string[] = [];
    const general: RequestListener = (req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (body += c));
      req.on("end", () => {
        seen.push(`${req.method} ${req.url} ${body}`);
        res.end("general");
      });
    };
    const lane = decideLane(
      {
        answer: async () => Promise.reject(new Error("not here")),
        authenticator: createAuthenticator({ byApiKey: () => undefined, byId: () => undefined } as never),
        logger: captureLogger().logger,
        bodyLimitBytes: LIMIT,
      },
      general,
    );
    const res = await request(lane).post("/v1/decide/").set("Content-Type", "application/json").send('{"a":1}');
    expect(res.text).toBe("general");
    expect(seen).toEqual(['POST /v1/decide/ {"a":1}']);
  });
});

describe("answers on the lane and through the app", () => {
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

  /** The same request on the lane (`/v1/decide`) and through Express (`/v1/decide/`, which the lane leaves). */
  async function both(send: (path: string) => request.Test): Promise<[request.Response, request.Response]> {
    return [await send("/v1/decide"), await send("/v1/decide/")];
  }

  /** What must be equal: status, the headers a client reads, and the body without the per-decision id. */
  function comparable(res: request.Response): unknown {
    const body = res.headers["content-type"]?.startsWith("application/json")
      ? { ...(res.body as object), decision_id: undefined }
      : res.text;
    return {
      status: res.status,
      type: res.headers["content-type"],
      cache: res.headers["cache-control"],
      challenge: res.headers["www-authenticate"],
      body,
    };
  }

  const post = (path: string, auth: string | null = AUTH.caller, type = "application/json") => {
    const r = request(service.app).post(path).set("Content-Type", type);
    return auth === null ? r : r.set("Authorization", auth);
  };

  const cases: [string, (path: string) => request.Test][] = [
    ["an allow", (p) => post(p).send(JSON.stringify(decideBody()))],
    ["a deny", (p) => post(p).send(JSON.stringify(decideBody({ action: { name: "db.drop" } })))],
    ["a body with a UTF-8 byte order mark", (p) => post(p).send("\ufeff" + JSON.stringify(decideBody()))],
    ["a charset parameter", (p) => post(p, AUTH.caller, "application/json; charset=utf-8").send(JSON.stringify(decideBody()))],
    ["a missing field", (p) => post(p).send(JSON.stringify({ ...decideBody(), actor: undefined }))],
    ["an unknown field", (p) => post(p).send(JSON.stringify(decideBody({ extra: true })))],
    ["malformed JSON", (p) => post(p).send('{"actor": ')],
    ["a JSON string", (p) => post(p).send('"hello"')],
    ["JSON null", (p) => post(p).send("null")],
    ["a JSON array", (p) => post(p).send(" [1, 2]")],
    ["whitespace only", (p) => post(p).send("   ")],
    ["no credentials", (p) => post(p, null).send(JSON.stringify(decideBody()))],
    ["an unknown API key", (p) => post(p, "Bearer not-a-key").send(JSON.stringify(decideBody()))],
    ["a malformed Authorization header", (p) => post(p, "Basic abc").send(JSON.stringify(decideBody()))],
  ];

  it.each(cases)("gives the same answer to %s", async (_name, send) => {
    const [lane, app] = await both(send);
    expect(comparable(lane)).toEqual(comparable(app));
  });

  it("serves the next request on the connection after a body cut short", async () => {
    const server = createServer(service.app).listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    try {
      const port = (server.address() as AddressInfo).port;
      await new Promise<void>((resolve) => {
        const socket = net.connect(port, "127.0.0.1", () => {
          socket.write(
            `POST /v1/decide HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH.caller}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"actor":`,
          );
          setTimeout(() => socket.destroy(), 20);
        });
        socket.on("close", () => resolve());
        socket.on("error", () => undefined);
      });
      const after = await request(server).post("/v1/decide").set("Authorization", AUTH.caller).send(decideBody());
      expect(after.status).toBe(200);
      expect(after.body.outcome).toBe("allow");
    } finally {
      server.close();
    }
  });
});

describe("failures on the lane", () => {
  it("answers 500 with the catalogue body, and logs, when the use case fails unexpectedly", async () => {
    const log = captureLogger();
    const app = createApp({
      decide: async () => {
        throw new Error("boom");
      },
      authenticator: {
        authenticate: () => ({ ok: true, principal: { id: "svc:ci", kind: "service", roles: [] } as never, method: "api_key" }),
      },
      readiness: async () => ({ ready: true, checks: [] }) as never,
      metrics: { metrics: async () => "", contentType: "text/plain" } as never,
      logger: log.logger,
      bodyLimitBytes: LIMIT,
    });
    const res = await request(app).post("/v1/decide").set("Authorization", AUTH.caller).send(decideBody());
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: "COUNTERSIGN_INTERNAL", message: "internal error" } });
    expect(log.lines()).toContainEqual(
      expect.objectContaining({ level: "error", message: "unexpected error", error: "boom", path: "/v1/decide" }),
    );
    expect(log.text()).not.toContain("nightly report");
  });
});
