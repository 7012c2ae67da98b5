/**
 * Benchmark: the MCP gateway's overhead on an allowed call. The same SDK client calls the same trivial tool
 * (`echo`, read-only, so the example policy allows it) of the same SDK tool server
 * (`test/mcp/fixtures/tool-server.cjs`) four ways in the same run:
 * - directly over stdio (the baseline);
 * - through a relay that decides nothing (`mcp-relay.ts`: the SDK's server relaying to the SDK's client over
 *   stdio), the floor of any gateway built on the SDK: two stdio hops;
 * - through `countersign mcp-gateway` over stdio, a separate process that decides every call with
 *   `POST /v1/decide` on a real Countersign service (a child process, example policy, audit trail on the
 *   embedded redis-server) before forwarding it over stdio;
 * - through the gateway in process with the service (`countersign serve` with `gateway.in_process`, the
 *   agent talking to it over stdio), deciding through the service's decide use case without HTTP.
 * Every gateway call is a real decision, recorded durably in the audit trail (the append script has run in
 * Redis, its head signed) before the tool runs. Rounds alternate between the three so a change in the
 * machine's load hits all alike; at 1, 4 and 16 calls in flight it reports p50 and p99 latency and calls per
 * second (medians over rounds), and the ratios to the direct call.
 *
 * For the breakdown it times, from this process: `POST /v1/decide` alone through the client SDK with the very
 * request the gateway sends; and the floor of a durable decision, measured on the same redis-server: one
 * audit trail record of a decision-sized entry at a time (mask, canonical JSON, SHA-256 chain, Ed25519 head
 * signature, one append script in Redis), the signature alone, and a Redis PING. Figures only; nothing here
 * asserts on time.
 */

import { sign } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import type { AuditDraft } from "../../src/audit/audit-event";
import { AuditTrail } from "../../src/audit/audit-trail";
import { RedisAuditStore } from "../../src/audit/redis-audit-store";
import { generateSigningKeyPem, loadSigningKey } from "../../src/audit/signing-key";
import { buildBundle } from "../../src/bundle/bundle-build";
import { writeBundleFile } from "../../src/bundle/bundle-writer";
import { loadSourceSet } from "../../src/bundle/source-set";
import { Countersign } from "../../src/client/countersign-client";
import type { DecideRequest } from "../../src/client/client-types";
import { exampleConfigPath } from "../../src/config/config-loader";
import { systemClock } from "../../src/policy/clock";
import { startEmbeddedRedis } from "../../src/redis/embedded-redis";
import { openRedis } from "../../src/redis/redis-connection";
import { median, startServer, stopServer, type Server } from "./http-decide";
import { fmt } from "./measure";

const ROUNDS = 5;
const CALLS = 400;
const WARMUP = 300;
const CONCURRENCY = [1, 4, 16] as const;
const ARGS = { message: "hello", n: 1 };

type Way = "direct" | "relay" | "separate" | "inProcess";
const WAYS: readonly Way[] = ["direct", "relay", "separate", "inProcess"];
const LABEL: Record<Way, string> = {
  direct: "direct stdio call",
  relay: "relay only, nothing decided (the SDK floor)",
  separate: "gateway, separate process (HTTP /v1/decide)",
  inProcess: "gateway in process with the service",
};

/** What one run of `n` calls with `inFlight` callers measured. */
interface Run {
  readonly p50: number;
  readonly p99: number;
  readonly rate: number;
}

/** Latencies (ms) and calls per second of `n` calls made by `inFlight` callers, each one call after another. */
async function run(fn: () => Promise<unknown>, n: number, inFlight: number): Promise<Run> {
  const latencies: number[] = [];
  let left = n;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (left-- > 0) {
        const t = process.hrtime.bigint();
        await fn();
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), rate: n / seconds };
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

/** The example configuration with the in-process gateway section, for `countersign serve`. */
function inProcessConfig(dir: string, toolServer: string): string {
  const config = parseYaml(fs.readFileSync(exampleConfigPath(), "utf8")) as {
    server: { port?: number };
    audit: { mirror_file?: string };
    gateway?: unknown;
  };
  // No mirror file (the trail in Redis is what is measured), any free port.
  delete config.audit.mirror_file;
  config.server.port = 0;
  config.gateway = {
    in_process: true,
    api_key_env: "GW_KEY",
    actor: "agent:bench",
    on_behalf_of: "user:dana",
    upstreams: { fs: `stdio:${process.execPath} ${toolServer}` },
  };
  const file = path.join(dir, "in-process.yaml");
  fs.writeFileSync(file, stringifyYaml(config));
  return file;
}

/** Runs the benchmark and prints its figures. */
export async function benchMcpGateway(root: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-bench-mcp-"));
  const redis = await startEmbeddedRedis({ dir: path.join(dir, "redis") });
  const conn = openRedis(redis.url);
  let service: Server | undefined;
  const clients: Client[] = [];
  let sdk: Countersign | undefined;
  try {
    const built = await buildBundle({
      sources: await loadSourceSet([path.join(root, "rego")]),
      entrypoints: ["countersign/decision", "countersign/mcp_hidden_tools"],
    });
    if (!built.ok) throw new Error("rego/ does not compile");
    await writeBundleFile(path.join(dir, "countersign.tar.gz"), built.bundle);
    service = await startServer("countersign", dir, redis.url);
    const base = service.url.replace(/\/v1\/decide$/, "");
    const toolServer = path.join(root, "test", "mcp", "fixtures", "tool-server.cjs");
    const cli = path.join(root, "dist", "src", "cli", "main.js");
    const env = { PATH: process.env["PATH"] ?? "", GW_KEY: "dev-caller-key" };

    const direct = await connect(process.execPath, [toolServer]);
    clients.push(direct);
    const relay = await connect(process.execPath, [path.join(root, "dist", "scripts", "bench", "mcp-relay.js"), toolServer]);
    clients.push(relay);
    const separate = await connect(
      process.execPath,
      [
        cli,
        "mcp-gateway",
        "--countersign",
        base,
        "--api-key-env",
        "GW_KEY",
        "--actor",
        "agent:bench",
        "--on-behalf-of",
        "user:dana",
        "--upstream",
        `fs=stdio:${process.execPath} ${toolServer}`,
      ],
      env,
    );
    clients.push(separate);
    const inProcess = await connect(process.execPath, [cli, "serve", "--config", inProcessConfig(dir, toolServer), "--bundles", dir], {
      ...env,
      REDIS_URL: redis.url,
    });
    clients.push(inProcess);
    const call: Record<Way, () => Promise<unknown>> = {
      direct: () => direct.callTool({ name: "echo", arguments: ARGS }),
      relay: () => relay.callTool({ name: "echo", arguments: ARGS }),
      separate: () => separate.callTool({ name: "echo", arguments: ARGS }),
      inProcess: () => inProcess.callTool({ name: "echo", arguments: ARGS }),
    };
    const expected = JSON.stringify(await call.direct());
    for (const way of ["relay", "separate", "inProcess"] as const) {
      const through = JSON.stringify(await call[way]());
      if (through !== expected) throw new Error(`the ${way} gateway answered ${through}, not the upstream's ${expected}`);
    }
    // The request the gateway sends for this call (tool-call-request.ts), for the decide-alone line.
    const decideRequest: DecideRequest = {
      actor: { id: "agent:bench", type: "ai_agent", on_behalf_of: "user:dana" },
      action: { name: "mcp:fs/echo", params: ARGS },
      resource: { type: "mcp_tool", id: "fs/echo", annotations: { readOnlyHint: true } },
      context: { mcp: { client: { name: "bench-agent", version: "1.0.0" }, upstream: "fs", tool: "echo" } },
    };
    sdk = new Countersign({ url: base, token: "dev-caller-key" });
    const client = sdk;
    const decide = async (): Promise<void> => {
      const d = await client.decide(decideRequest);
      if (d.outcome !== "allow") throw new Error(`decide answered ${JSON.stringify(d)}`);
    };

    // The floor: a durable record of a decision-sized entry, its signature, a Redis round trip.
    const key = loadSigningKey(generateSigningKeyPem());
    const trail = new AuditTrail({
      store: new RedisAuditStore(conn, "bench:mcp-floor"),
      signingKey: key,
      clock: systemClock,
      maskSalt: Buffer.alloc(16, 7),
    });
    const draft = {
      body: {
        type: "decision",
        decision_id: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        caller: "svc:ci",
        input: decideRequest,
        outcome: "allow",
        reasons: ["read-only tool"],
        pad: "x".repeat(900),
      },
      mask: [],
    } as unknown as AuditDraft;
    const record = () => trail.record(draft);
    const signOnly = async () => sign(null, Buffer.alloc(120, 1), key.privateKey);
    const ping = () => conn.ping();

    for (const way of WAYS) await run(call[way], WARMUP, 1);
    await run(decide, WARMUP, 1);
    await run(record, WARMUP, 1);
    const runs: Record<Way, Record<number, Run[]>> = { direct: {}, relay: {}, separate: {}, inProcess: {} };
    const floor = { decide: [] as number[], record: [] as number[], sign: [] as number[], ping: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const inFlight of CONCURRENCY) {
        for (const way of WAYS) (runs[way][inFlight] ??= []).push(await run(call[way], inFlight === 1 ? CALLS : CALLS * 2, inFlight));
      }
      floor.decide.push((await run(decide, CALLS, 1)).p50);
      floor.record.push((await run(record, CALLS, 1)).p50);
      floor.sign.push((await run(signOnly, CALLS, 1)).p50);
      floor.ping.push((await run(ping, CALLS, 1)).p50);
    }
    const at = (way: Way, inFlight: number, pick: (r: Run) => number): number => median(runs[way][inFlight]!.map(pick));
    const load = os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ");

    console.log("");
    console.log(`MCP gateway: an allowed tools/call of a trivial tool (echo), the SDK client over stdio every way (load average ${load})`);
    for (const inFlight of CONCURRENCY) {
      console.log(`  ${inFlight} in flight`);
      for (const way of WAYS) {
        console.log(
          `    ${LABEL[way].padEnd(46)} p50 ${fmt(
            at(way, inFlight, (r) => r.p50),
            3,
          ).padStart(7)} ms   p99 ${fmt(
            at(way, inFlight, (r) => r.p99),
            3,
          ).padStart(7)} ms   ${fmt(
            at(way, inFlight, (r) => r.rate),
            0,
          ).padStart(6)} calls/s`,
        );
      }
    }
    const d1 = at("direct", 1, (r) => r.p50);
    const recordMs = median(floor.record);
    // What no gateway on the SDK that records each decision durably can go under: the relay plus the record.
    const floorMs = at("relay", 1, (r) => r.p50) + recordMs;
    for (const way of ["relay", "separate", "inProcess"] as const) {
      const rates = CONCURRENCY.map((k) => `${fmt(at("direct", k, (r) => r.rate) / at(way, k, (r) => r.rate))}× at ${k}`).join(", ");
      const p50 = at(way, 1, (r) => r.p50);
      console.log(
        `  ratio, ${LABEL[way]}: ${fmt(p50 / d1)}× p50 latency (issue's target ≤ 1.5×)${way === "relay" ? "" : `, ${fmt(p50 / floorMs)}× the floor below`}, ${fmt(at(way, 1, (r) => r.p99) / at("direct", 1, (r) => r.p99))}× p99; throughput ${rates}`,
      );
    }
    console.log("  breakdown, one call at a time (p50)");
    console.log(
      `    POST /v1/decide alone, client SDK                ${fmt(median(floor.decide), 3)} ms (HTTP, validation, policy, durable audit record)`,
    );
    console.log(
      `    durable audit record alone                       ${fmt(recordMs, 3)} ms (mask, canonical JSON, SHA-256 chain, Ed25519 head signature, append script in Redis)`,
    );
    console.log(
      `      of which the Ed25519 signature                 ${fmt(median(floor.sign), 3)} ms; a Redis PING ${fmt(median(floor.ping), 3)} ms`,
    );
    console.log(
      `    floor of a gateway: the relay + the record       ${fmt(floorMs, 3)} ms = ${fmt(floorMs / d1)}× the direct call (policy evaluation, ~0.05 ms, not counted)`,
    );
  } finally {
    for (const c of clients) await c.close().catch(() => undefined);
    sdk?.close();
    if (service !== undefined) await stopServer(service);
    await conn.quit().catch(() => undefined);
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
