/**
 * The MCP gateway over Streamable HTTP (`--listen`), with two upstreams: `fs`, the SDK-built tool server
 * spawned over stdio, and `web`, the same server reached over Streamable HTTP. The agent is the SDK's
 * client over Streamable HTTP, authenticating with its Countersign API key. Tools and prompts are prefixed
 * with their upstream's name; every call is decided with the agent's own credential and names it as the
 * actor; resources pass through; a held call completes after approval; credentials are required, checked
 * by Countersign, and bound to the session; malformed JSON-RPC is refused.
 */

import * as path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { resolveGatewayConfig } from "../../src/mcp/gateway-config";
import { startGateway, type RunningGateway } from "../../src/mcp/gateway";
import { useRedisServer } from "../support/redis-server";
import {
  approvalTestService,
  AUTH,
  removeTempDirs,
  tempDir,
  writeBundle,
  type ManualClock,
  type TestService,
} from "../http/service-harness";
import { GATEWAY_ENTRYPOINTS, httpToolServer, listenOnLoopback, recordedCalls, reviewer, TOOL_SERVER } from "./gateway-harness";

jest.setTimeout(60_000);
// Jest runs afterAll hooks in the order they are declared: this one comes before useRedisServer's, so the
// service closes its Redis connections while redis-server still runs (else ioredis keeps a 2 s timer alive
// on each dead connection, and Jest does not exit).
afterAll(async () => {
  await agent?.close();
  await gateway?.close();
  await web?.close();
  await countersign?.close();
  await service?.close();
  removeTempDirs();
});
const redis = useRedisServer();

let service: TestService & { clock: ManualClock };
let countersign: Awaited<ReturnType<typeof listenOnLoopback>>;
let web: Awaited<ReturnType<typeof httpToolServer>>;
let gateway: RunningGateway;
let log: string;
let agent: Client;

async function connectAgent(key: string): Promise<Client> {
  const client = new Client({ name: "http-agent", version: "2.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(gateway.url as string), { requestInit: { headers: { authorization: `Bearer ${key}` } } }),
  );
  return client;
}

beforeAll(async () => {
  const dir = tempDir("countersign-mcp-http-");
  log = path.join(dir, "calls.jsonl");
  await writeBundle(dir, "example", { revision: "mcp-http-1", entrypoints: GATEWAY_ENTRYPOINTS });
  service = await approvalTestService({ bundlesDir: dir, redisUrl: redis.url });
  countersign = await listenOnLoopback(service.app);
  web = await httpToolServer("web", log);
  const config = resolveGatewayConfig(
    { progress_interval_ms: 1000 },
    {
      countersign: countersign.url,
      onBehalfOf: "user:dana",
      environment: "production",
      listen: 0,
      upstream: [`fs=stdio:node ${TOOL_SERVER} ${log} fs`, `web=${web.url}`],
    },
    {},
  );
  gateway = await startGateway(config, { upstreamStderr: "ignore" });
  agent = await connectAgent("dev-caller-key");
});

describe("the gateway over Streamable HTTP with two upstreams", () => {
  it("prefixes every tool and prompt with its upstream's name and __, leaving out the tools the policy denies outright", async () => {
    const { tools } = await agent.listTools();
    // fs/format_disk is denied by the example policy; web/format_disk is not.
    expect(tools.map((t) => t.name)).toEqual([
      ...["read_file", "echo", "delete_file", "hang", "crash"].map((n) => `fs__${n}`),
      ...["read_file", "echo", "delete_file", "format_disk", "hang", "crash"].map((n) => `web__${n}`),
    ]);
    expect((await agent.listPrompts()).prompts.map((p) => p.name)).toEqual(["fs__greet", "web__greet"]);
    const prompt = await agent.getPrompt({ name: "web__greet" });
    expect(prompt.messages[0]?.content).toEqual({ type: "text", text: "hello from web (greet)" });
  });

  it("passes resources through from the upstream that holds them", async () => {
    const { resources } = await agent.listResources();
    expect(resources.map((r) => r.uri)).toEqual(["memo://fs/readme", "memo://web/readme"]);
    const read = await agent.readResource({ uri: "memo://web/readme" });
    expect(read.contents).toEqual([{ uri: "memo://web/readme", mimeType: "text/plain", text: "the readme of web" }]);
  });

  it("forwards an allowed call to the HTTP upstream, deciding it as the agent's own identity", async () => {
    const result = await agent.callTool({ name: "web__read_file", arguments: { path: "/index.html" } });
    expect(result).toEqual({ content: [{ type: "text", text: "contents of /index.html" }] });
    expect(recordedCalls(log).filter((c) => c.server === "web" && c.name === "read_file")).toEqual([
      { server: "web", name: "read_file", args: { path: "/index.html" } },
    ]);
  });

  it("holds a destructive call on the HTTP upstream until a reviewer approves, then runs it once", async () => {
    const bob = reviewer(countersign.url);
    const held = agent.callTool({ name: "web__delete_file", arguments: { path: "/cache" } });
    const item = await bob.held("mcp:web/delete_file", { path: "/cache" });
    expect(item.request.actor).toEqual({ id: "svc:ci", type: "ai_agent", on_behalf_of: "user:dana" });
    expect((item.request.context["mcp"] as Record<string, unknown>)["session_id"]).toEqual(expect.any(String));
    await bob.verdict(item.id, "approve");
    expect(await held).toEqual({ content: [{ type: "text", text: "deleted /cache" }] });
    expect(recordedCalls(log).filter((c) => c.name === "delete_file")).toEqual([
      { server: "web", name: "delete_file", args: { path: "/cache" } },
    ]);
  });

  it("denies a named tool on either upstream", async () => {
    const result = await agent.callTool({ name: "fs__format_disk", arguments: {} });
    expect(result.isError).toBe(true);
    expect(recordedCalls(log).filter((c) => c.name === "format_disk")).toEqual([]);
  });

  it("requires a credential, lets Countersign judge it, and binds it to the session", async () => {
    const url = gateway.url as string;
    const init = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } },
    };
    const post = (headers: Record<string, string>, body: string) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
        body,
      });
    const none = await post({}, JSON.stringify(init));
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    const wrong = await post({ authorization: "Bearer not-a-key" }, JSON.stringify(init));
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toContain("Countersign refused the credential");
    await expect(connectAgent("not-a-key")).rejects.toThrow();

    const ok = await post({ authorization: AUTH.caller }, JSON.stringify(init));
    expect(ok.status).toBe(200);
    const session = ok.headers.get("mcp-session-id") as string;
    const hijack = await post(
      { authorization: AUTH.alice, "mcp-session-id": session },
      JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    );
    expect(hijack.status).toBe(403);
  });

  it("refuses malformed JSON-RPC with a parse error and forwards nothing", async () => {
    const before = recordedCalls(log).length;
    const res = await fetch(gateway.url as string, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: AUTH.caller },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32700);
    expect(recordedCalls(log).length).toBe(before);
  });
});
