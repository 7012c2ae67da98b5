/**
 * The MCP gateway in process with the service: the agent (the SDK's client) launches `countersign serve`
 * with `gateway.in_process` in its configuration file and talks MCP to it over stdio; the service decides
 * each call through its own decide use case (no HTTP request) on a real redis-server, records it in the
 * audit trail, and forwards allowed calls to the SDK-built tool server. A reviewer decides held calls
 * through the same service's HTTP API.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { exampleConfigPath } from "../../src/config/config-loader";
import { assembleGatewayInProcess } from "../../src/mcp/in-process-gateway";
import { GatewayError } from "../../src/mcp/gateway-error";
import { useRedisServer } from "../support/redis-server";
import { eventually, removeTempDirs, tempDir, writeBundle } from "../http/service-harness";
import { CLI, GATEWAY_ENTRYPOINTS, recordedCalls, reviewer, TOOL_SERVER } from "./gateway-harness";
import { decisionView } from "../../src/audit/decision-entry";
import { storedEntries } from "../audit/audit-fixtures";

jest.setTimeout(60_000);
afterAll(async () => {
  await client?.close();
  removeTempDirs();
});
const redis = useRedisServer();

let client: Client;
let stderr = "";
let base: string;
let log: string;

const text = (result: unknown): string => ((result as { content: { text: string }[] }).content[0] as { text: string }).text;
const auditEntries = async (): Promise<Record<string, unknown>[]> => storedEntries(redis.connect());

beforeAll(async () => {
  const dir = tempDir("countersign-mcp-in-process-");
  log = path.join(dir, "calls.jsonl");
  await writeBundle(dir, "example", { revision: "mcp-in-process-1", entrypoints: GATEWAY_ENTRYPOINTS });
  const config = parseYaml(fs.readFileSync(exampleConfigPath(), "utf8")) as Record<string, any>;
  delete config["audit"].mirror_file;
  config["server"].port = 0;
  config["gateway"] = {
    in_process: true,
    api_key_env: "GW_KEY",
    actor: "agent:coder",
    on_behalf_of: "user:dana",
    environment: "production",
    progress_interval_ms: 1000,
    upstreams: { fs: `stdio:node ${TOOL_SERVER} ${log} fs` },
  };
  const file = path.join(dir, "service.yaml");
  fs.writeFileSync(file, stringifyYaml(config));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "serve", "--config", file, "--bundles", dir],
    env: { PATH: process.env["PATH"] ?? "", GW_KEY: "dev-caller-key", REDIS_URL: redis.url },
    stderr: "pipe",
  });
  transport.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  client = new Client({ name: "test-agent", version: "1.0.0" });
  await client.connect(transport);
  base = await eventually(
    async () => /serving decisions on (http:\/\/[^\s]+)\/v1\/decide/.exec(stderr)?.[1],
    "the service's address on stderr",
  );
});

describe("the gateway in process with the service (serve with gateway.in_process)", () => {
  it("forwards an allowed call unchanged, after recording its decision in the audit trail", async () => {
    const before = (await auditEntries()).length;
    const result = await client.callTool({ name: "read_file", arguments: { path: "/etc/motd" } });
    expect(result).toEqual({ content: [{ type: "text", text: "contents of /etc/motd" }] });
    expect(recordedCalls(log).at(-1)).toEqual({ server: "fs", name: "read_file", args: { path: "/etc/motd" } });
    // stored entries are version 2 (each fact once); the projections asserted below are read back in full
    const recorded = (await auditEntries())
      .slice(before)
      .filter((e) => e["type"] === "decision")
      .map(decisionView);
    expect(recorded).toHaveLength(1);
    // The caller is the identity of the gateway's key, the actor the configured agent, as over HTTP.
    expect(recorded[0]).toMatchObject({
      caller: "svc:ci",
      actor: "agent:coder",
      on_behalf_of: "user:dana",
      action: "mcp:fs/read_file",
      outcome: "allow",
    });
  });

  it("answers a denied call with isError and the policy's reason, and forwards nothing", async () => {
    const result = await client.callTool({ name: "format_disk", arguments: { device: "/dev/sda" } });
    expect(result.isError).toBe(true);
    expect(text(result)).toBe("Countersign denied mcp:fs/format_disk: the tool fs/format_disk may not be run through the gateway");
    expect(recordedCalls(log).filter((c) => c.name === "format_disk")).toEqual([]);
  });

  it("holds a destructive call until a reviewer approves it, then forwards exactly those arguments once", async () => {
    const bob = reviewer(base);
    const held = client.callTool({ name: "delete_file", arguments: { path: "/srv/in-process.txt" } });
    const item = await bob.held("mcp:fs/delete_file", { path: "/srv/in-process.txt" });
    expect(recordedCalls(log).filter((c) => c.name === "delete_file")).toEqual([]);
    expect((await bob.verdict(item.id, "approve", "fine")).status).toBe(200);
    expect(await held).toEqual({ content: [{ type: "text", text: "deleted /srv/in-process.txt" }] });
    expect(recordedCalls(log).filter((c) => c.name === "delete_file")).toEqual([
      { server: "fs", name: "delete_file", args: { path: "/srv/in-process.txt" } },
    ]);
  });

  it("keeps standard output for MCP: the service logs to standard error", () => {
    expect(stderr).toContain("MCP gateway in process: serving the agent on stdio");
  });

  it("refuses Streamable HTTP in process, and a key the service does not know", async () => {
    const service = {
      authenticate: () => ({ ok: false as const, failure: { reason: "unknown_api_key" as const, message: "unknown API key" } }),
      decide: async () => ({}),
      maxJsonDepth: 64,
    };
    const deps = { service, host: "127.0.0.1", port: 1, env: { GW_KEY: "nope" } };
    const section = { in_process: true, api_key_env: "GW_KEY", actor: "agent:coder", upstreams: { fs: `stdio:node ${TOOL_SERVER}` } };
    await expect(assembleGatewayInProcess({ ...section, listen: 0 }, deps)).rejects.toThrow(/stdio only/);
    await expect(assembleGatewayInProcess(section, deps)).rejects.toBeInstanceOf(GatewayError);
    await expect(assembleGatewayInProcess(section, deps)).rejects.toThrow(/does not accept that key/);
  });
});
