/**
 * Benchmark: the MCP gateway's overhead on an allowed call. The same SDK client calls the same trivial tool
 * (`echo`, read-only, so the example policy allows it) of the same SDK tool server
 * (`test/mcp/fixtures/tool-server.cjs`) two ways in the same run: directly over stdio (the baseline), and
 * through `countersign mcp-gateway` over stdio, which decides every call with a real Countersign service (a
 * child process, example policy, audit trail on the embedded redis-server) before forwarding it over stdio.
 * Rounds alternate between the two so a change in the machine's load hits both alike; the figures are the
 * medians over rounds of each round's median latency (one call at a time), and the throughput with 16 calls
 * in flight. For the breakdown it also times `POST /v1/decide` alone from this process, with the very
 * request the gateway sends. Figures only; nothing here asserts on time.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { buildBundle } from "../../src/bundle/bundle-build";
import { writeBundleFile } from "../../src/bundle/bundle-writer";
import { loadSourceSet } from "../../src/bundle/source-set";
import { startEmbeddedRedis } from "../../src/redis/embedded-redis";
import { HEADERS, median, startServer, stopServer, type Server } from "./http-decide";
import { fmt } from "./measure";

const ROUNDS = 5;
const CALLS = 400;
const WARMUP = 200;
const IN_FLIGHT = 16;
const ARGS = { message: "hello", n: 1 };

/** Milliseconds per call, one at a time, `n` calls. */
async function sequential(fn: () => Promise<unknown>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return out;
}

/** Calls per second with `inFlight` callers, `n` calls in all. */
async function throughput(fn: () => Promise<unknown>, n: number, inFlight: number): Promise<number> {
  let left = n;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (left-- > 0) await fn();
    }),
  );
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

async function connect(command: string, args: string[], env?: Record<string, string>): Promise<Client> {
  const client = new Client({ name: "bench-agent", version: "1.0.0" });
  await client.connect(new StdioClientTransport({ command, args, stderr: "ignore", ...(env === undefined ? {} : { env }) }));
  return client;
}

/** Runs the benchmark and prints its figures. */
export async function benchMcpGateway(root: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-bench-mcp-"));
  const redis = await startEmbeddedRedis({ dir: path.join(dir, "redis") });
  let service: Server | undefined;
  const clients: Client[] = [];
  try {
    const built = await buildBundle({ sources: await loadSourceSet([path.join(root, "rego")]), entrypoints: ["countersign/decision", "countersign/mcp_hidden_tools"] });
    if (!built.ok) throw new Error("rego/ does not compile");
    await writeBundleFile(path.join(dir, "countersign.tar.gz"), built.bundle);
    service = await startServer("countersign", dir, redis.url);
    const base = service.url.replace(/\/v1\/decide$/, "");
    const toolServer = path.join(root, "test", "mcp", "fixtures", "tool-server.cjs");
    const cli = path.join(root, "dist", "src", "cli", "main.js");

    const direct = await connect(process.execPath, [toolServer]);
    clients.push(direct);
    const gateway = await connect(
      process.execPath,
      [cli, "mcp-gateway", "--countersign", base, "--api-key-env", "GW_KEY", "--actor", "agent:bench", "--on-behalf-of", "user:dana", "--upstream", `fs=stdio:${process.execPath} ${toolServer}`],
      { PATH: process.env["PATH"] ?? "", GW_KEY: "dev-caller-key" },
    );
    clients.push(gateway);
    const callDirect = () => direct.callTool({ name: "echo", arguments: ARGS });
    const callGateway = () => gateway.callTool({ name: "echo", arguments: ARGS });
    const expected = JSON.stringify(await callDirect());
    const through = JSON.stringify(await callGateway());
    if (through !== expected) throw new Error(`the gateway answered ${through}, not the upstream's ${expected}`);
    // The request the gateway sends for this call (tool-call-request.ts), for the decide-alone line.
    const decideBody = JSON.stringify({
      actor: { id: "agent:bench", type: "ai_agent", on_behalf_of: "user:dana" },
      action: { name: "mcp:fs/echo", params: ARGS },
      resource: { type: "mcp_tool", id: "fs/echo", annotations: { readOnlyHint: true } },
      context: { mcp: { client: { name: "bench-agent", version: "1.0.0" }, upstream: "fs", tool: "echo" } },
    });
    const decide = async () => {
      const res = await fetch(service!.url, { method: "POST", headers: HEADERS, body: decideBody });
      const d = (await res.json()) as { outcome?: string };
      if (d.outcome !== "allow") throw new Error(`decide answered ${JSON.stringify(d)}`);
    };

    await sequential(callDirect, WARMUP);
    await sequential(callGateway, WARMUP);
    await sequential(decide, WARMUP);
    const p50 = { direct: [] as number[], gateway: [] as number[], decide: [] as number[] };
    const p99 = { direct: [] as number[], gateway: [] as number[] };
    const rate = { direct: [] as number[], gateway: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      const d = await sequential(callDirect, CALLS);
      const g = await sequential(callGateway, CALLS);
      const c = await sequential(decide, CALLS);
      p50.direct.push(quantile(d, 0.5));
      p50.gateway.push(quantile(g, 0.5));
      p50.decide.push(quantile(c, 0.5));
      p99.direct.push(quantile(d, 0.99));
      p99.gateway.push(quantile(g, 0.99));
      rate.direct.push(await throughput(callDirect, CALLS * 2, IN_FLIGHT));
      rate.gateway.push(await throughput(callGateway, CALLS * 2, IN_FLIGHT));
    }
    const directMs = median(p50.direct);
    const gatewayMs = median(p50.gateway);
    const decideMs = median(p50.decide);
    console.log("");
    console.log("MCP gateway: an allowed tools/call of a trivial tool (echo), the SDK client over stdio both ways");
    console.log(`  direct stdio call                p50 ${fmt(directMs, 3)} ms   p99 ${fmt(median(p99.direct), 3)} ms   ${fmt(median(rate.direct), 0)} calls/s with ${IN_FLIGHT} in flight`);
    console.log(`  through countersign mcp-gateway  p50 ${fmt(gatewayMs, 3)} ms   p99 ${fmt(median(p99.gateway), 3)} ms   ${fmt(median(rate.gateway), 0)} calls/s with ${IN_FLIGHT} in flight`);
    console.log(`  ratio gateway / direct           ${fmt(gatewayMs / directMs)}× latency (issue's target ≤ 1.5×), ${fmt(median(rate.direct) / median(rate.gateway))}× throughput`);
    console.log(`  of which POST /v1/decide alone   p50 ${fmt(decideMs, 3)} ms (decision + durable audit record); the extra stdio hop ≈ ${fmt(gatewayMs - directMs - decideMs, 3)} ms`);
  } finally {
    for (const c of clients) await c.close().catch(() => undefined);
    if (service !== undefined) await stopServer(service);
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
