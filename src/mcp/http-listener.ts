/**
 * The gateway's Streamable HTTP face (`--listen PORT`): MCP sessions at `/mcp`, each with its own SDK
 * server and transport. Agents authenticate as Countersign callers do (`Authorization: Bearer <API key or
 * JWT>`); the gateway verifies nothing itself: it asks Countersign which identity the credential names
 * (`GET /v1/whoami`) when a session starts, decides that session's calls with the same credential, and
 * names that identity as the actor. A session's later requests must carry the same credential (compared in
 * constant time), so a leaked session id alone is worth nothing.
 */

import { randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CountersignError } from "../client/client-error";
import { Countersign } from "../client/countersign-client";
import type { GatewayConfig } from "./gateway-config";
import { createGatewaySession } from "./gateway-session";
import type { UpstreamSet } from "./upstream-set";

/** The path MCP is served at. */
export const MCP_PATH = "/mcp";

/** A listening gateway. */
export interface GatewayListener {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

interface Session {
  readonly transport: StreamableHTTPServerTransport;
  readonly token: string;
}

/** Starts listening; the Countersign client options are shared by every session. */
export async function listenGateway(config: GatewayConfig, upstreams: UpstreamSet, pollSeconds: number): Promise<GatewayListener> {
  const sessions = new Map<string, Session>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== MCP_PATH) return jsonRpcError(res, 404, -32601, `not found: MCP is served at ${MCP_PATH}`);
    const token = bearerOf(req);
    if (token === undefined)
      return jsonRpcError(res, 401, -32001, "authentication required: Authorization: Bearer <Countersign API key or JWT>");
    const sessionId = header(req, "mcp-session-id");
    if (sessionId !== undefined) {
      const session = sessions.get(sessionId);
      if (session === undefined) return jsonRpcError(res, 404, -32001, "unknown or closed session");
      if (!sameSecret(session.token, token)) return jsonRpcError(res, 403, -32001, "the credential does not match the session's");
      return session.transport.handleRequest(req, res);
    }
    if (req.method !== "POST") return jsonRpcError(res, 400, -32000, "no session: initialize first (POST without Mcp-Session-Id)");

    const countersign = new Countersign({ url: config.countersign, token, pollSeconds });
    let identity: { id: string };
    try {
      identity = await whoami(config.countersign, token);
    } catch (err) {
      if (err instanceof CountersignError && err.status === 401)
        return jsonRpcError(res, 401, -32001, `Countersign refused the credential: ${err.message}`);
      return jsonRpcError(res, 503, -32001, `Countersign could not be reached to authenticate the session: ${(err as Error).message}`);
    }
    const onBehalfOf = config.onBehalfOf ?? onBehalfOfClaim(token);
    const server = createGatewaySession({
      upstreams,
      callerOf: () => ({ countersign, agent: { actor: identity.id, onBehalfOf } }),
      environment: config.environment,
      maxArgumentBytes: config.maxArgumentBytes,
    });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, token });
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
      countersign.close();
    };
    await server.connect(transport);
    await transport.handleRequest(req, res);
  };

  const http: HttpServer = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) jsonRpcError(res, 500, -32603, `internal error: ${(err as Error).message}`);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(config.listen ?? 0, config.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}${MCP_PATH}`,
    port,
    close: async () => {
      await Promise.all([...sessions.values()].map((s) => s.transport.close().catch(() => undefined)));
      sessions.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** `GET /v1/whoami` with the agent's credential. */
async function whoami(base: string, token: string): Promise<{ id: string }> {
  let res: Response;
  try {
    res = await fetch(`${base}/v1/whoami`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new CountersignError("COUNTERSIGN_CLIENT_UNREACHABLE", (err as Error).message);
  }
  const body = (await res.json().catch(() => null)) as { id?: unknown; error?: { code?: string; message?: string } } | null;
  if (!res.ok || body === null || typeof body.id !== "string") {
    throw new CountersignError(
      body?.error?.code ?? "COUNTERSIGN_CLIENT_UNREACHABLE",
      body?.error?.message ?? `answered ${res.status}`,
      res.status,
    );
  }
  return { id: body.id };
}

/** An `on_behalf_of` claim of a JWT credential (Countersign has verified the token by now). */
function onBehalfOfClaim(token: string): string | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1] as string, "base64url").toString("utf8")) as { on_behalf_of?: unknown };
    return typeof claims.on_behalf_of === "string" ? claims.on_behalf_of : undefined;
  } catch {
    return undefined;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function bearerOf(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header(req, "authorization") ?? "");
  return m?.[1];
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, {
    "content-type": "application/json",
    ...(status === 401 ? { "www-authenticate": 'Bearer realm="countersign"' } : {}),
  });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}
