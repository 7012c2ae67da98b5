/**
 * The MCP gateway end to end over stdio: the SDK's client launches `countersign mcp-gateway` (the built CLI)
 * as an agent would; the gateway spawns the SDK-built tool server over stdio and decides every call with the
 * real Countersign service (example policy, real redis-server). Allowed calls return the upstream's result;
 * denied ones an error result with the reason; held calls complete after a reviewer approves (exactly the
 * approved arguments, once), fail after a deny, an expiry or a cancellation; changed arguments need a new
 * approval; twenty held calls resolve to their own verdicts; a restarted gateway picks up a pending
 * request; Countersign down, an unknown tool, oversized arguments, a hanging or crashing upstream: clear
 * errors and nothing forwarded undecided.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { useRedisServer } from "../support/redis-server";
import { approvalTestService, removeTempDirs, tempDir, writeBundle, type ManualClock, type TestService } from "../http/service-harness";
import { CLI, GATEWAY_ENTRYPOINTS, listenOnLoopback, recordedCalls, reviewer, stdioAgent, TOOL_SERVER } from "./gateway-harness";
import { storedEntries } from "../audit/audit-fixtures";

jest.setTimeout(60_000);
// Jest runs afterAll hooks in the order they are declared: this one comes before useRedisServer's, so the
// service closes its Redis connections while redis-server still runs (else ioredis keeps a 2 s timer alive
// on each dead connection, and Jest does not exit).
afterAll(async () => {
  await agent?.client.close();
  await countersign?.close();
  await service?.close();
  removeTempDirs();
});
const redis = useRedisServer();

let service: TestService & { clock: ManualClock };
let countersign: Awaited<ReturnType<typeof listenOnLoopback>>;
let dir: string;
let log: string;
let configFile: string;
let agent: Awaited<ReturnType<typeof stdioAgent>>;
let bob: ReturnType<typeof reviewer>;

/** The gateway's flags, as a user would type them (the config file adds only the progress interval). */
const gatewayArgs = (countersignUrl: string, extra: string[] = []): string[] => [
  "--countersign",
  countersignUrl,
  "--api-key-env",
  "GW_KEY",
  "--actor",
  "agent:coder",
  "--on-behalf-of",
  "user:dana",
  "--environment",
  "production",
  "--upstream",
  `fs=stdio:node ${TOOL_SERVER} ${log} fs`,
  "--config",
  configFile,
  "--call-timeout-ms",
  "3000",
  ...extra,
];

const text = (result: unknown): string => ((result as { content: { text: string }[] }).content[0] as { text: string }).text;

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build)`);
  dir = tempDir("countersign-mcp-");
  log = path.join(dir, "calls.jsonl");
  configFile = path.join(dir, "gateway.yaml");
  fs.writeFileSync(configFile, "gateway:\n  progress_interval_ms: 1000\n");
  await writeBundle(dir, "example", { revision: "mcp-1", entrypoints: GATEWAY_ENTRYPOINTS });
  service = await approvalTestService({ bundlesDir: dir, redisUrl: redis.url });
  countersign = await listenOnLoopback(service.app);
  bob = reviewer(countersign.url);
  agent = await stdioAgent(gatewayArgs(countersign.url));
});

const auditLength = async (): Promise<number> => Number(await redis.connect().xlen("countersign:audit"));
/** How many require_approval decisions the trail holds for this approval request. */
const requireApprovalDecisions = async (approvalId: string): Promise<number> => {
  return (await storedEntries(redis.connect())).filter(
    (e) => e["type"] === "decision" && e["approval_id"] === approvalId && e["outcome"] === "require_approval",
  ).length;
};
const callsOf = (name: string) => recordedCalls(log).filter((c) => c.name === name);
let unique = 0;
const freshPath = () => `/srv/data/file-${++unique}.txt`;

describe("decisions on tool calls", () => {
  it("lists the upstream's tools under their own names (one upstream), leaving out those the policy denies outright", async () => {
    const auditBefore = await auditLength();
    const { tools } = await agent.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["read_file", "echo", "delete_file", "hang", "crash"]);
    // Asking the policy which tools to hide opened no request and recorded no decision.
    expect(await auditLength()).toBe(auditBefore);
    expect(await bob.inbox()).toEqual([]);
    expect(tools.find((t) => t.name === "delete_file")?.annotations).toEqual({ destructiveHint: true });
  });

  it("forwards an allowed call (a read-only tool) and returns the upstream's result unchanged", async () => {
    const result = await agent.client.callTool({ name: "read_file", arguments: { path: "/etc/motd" } });
    expect(result).toEqual({ content: [{ type: "text", text: "contents of /etc/motd" }] });
    expect(callsOf("read_file").at(-1)?.args).toEqual({ path: "/etc/motd" });
  });

  it("answers a denied call with isError and the policy's reason, and never forwards it", async () => {
    const result = await agent.client.callTool({ name: "format_disk", arguments: { device: "/dev/sda" } });
    expect(result.isError).toBe(true);
    expect(text(result)).toBe("Countersign denied mcp:fs/format_disk: the tool fs/format_disk may not be run through the gateway");
    expect(callsOf("format_disk")).toEqual([]);
  });

  it("shows the policy the documented input", async () => {
    const p = freshPath();
    const held = agent.client.callTool({ name: "delete_file", arguments: { path: p } });
    const item = await bob.held("mcp:fs/delete_file", { path: p });
    expect(item.request.actor).toEqual({ id: "agent:coder", type: "ai_agent", on_behalf_of: "user:dana" });
    expect(item.request.resource).toEqual({
      type: "mcp_tool",
      id: "fs/delete_file",
      annotations: { destructiveHint: true },
      environment: "production",
    });
    expect(item.request.context).toEqual({
      mcp: { client: { name: "test-agent", version: "1.0.0" }, upstream: "fs", tool: "delete_file" },
    });
    await bob.verdict(item.id, "deny", "not now");
    await held;
  });
});

describe("held calls", () => {
  it("holds a destructive call, reports progress, and after approval forwards exactly the approved arguments once", async () => {
    const p = freshPath();
    const progress: string[] = [];
    const held = agent.client.callTool({ name: "delete_file", arguments: { path: p } }, undefined, {
      onprogress: (n) => void progress.push(n.message ?? ""),
      resetTimeoutOnProgress: true,
    });
    const item = await bob.held("mcp:fs/delete_file", { path: p });
    await new Promise((r) => setTimeout(r, 1500));
    expect(callsOf("delete_file").filter((c) => c.args["path"] === p)).toEqual([]);
    expect((await bob.verdict(item.id, "approve", "looks right")).status).toBe(200);
    const result = await held;
    expect(result).toEqual({ content: [{ type: "text", text: `deleted ${p}` }] });
    expect(callsOf("delete_file").filter((c) => c.args["path"] === p)).toEqual([{ server: "fs", name: "delete_file", args: { path: p } }]);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress[0]).toContain(`waiting for approval ${item.id}`);
    // The grant was spent by the gateway.
    expect((await bob.read(item.id)).body.status).toBe("approved");
  });

  it("returns an error result saying who denied it, and forwards nothing", async () => {
    const p = freshPath();
    const held = agent.client.callTool({ name: "delete_file", arguments: { path: p } });
    const item = await bob.held("mcp:fs/delete_file", { path: p });
    await bob.verdict(item.id, "deny", "wrong file");
    const result = await held;
    expect(result.isError).toBe(true);
    expect(text(result)).toBe(
      `approval request ${item.id} for mcp:fs/delete_file was denied by user:bob: wrong file; the call was not forwarded`,
    );
    expect(callsOf("delete_file").filter((c) => c.args["path"] === p)).toEqual([]);
  });

  it("fails after expiry", async () => {
    const p = freshPath();
    const held = agent.client.callTool({ name: "delete_file", arguments: { path: p } });
    const item = await bob.held("mcp:fs/delete_file", { path: p });
    service.clock.advance(901_000);
    const result = await held;
    service.clock.advance(-901_000);
    expect(result.isError).toBe(true);
    expect(text(result)).toContain(`approval request ${item.id} for mcp:fs/delete_file was expired`);
    expect(callsOf("delete_file").filter((c) => c.args["path"] === p)).toEqual([]);
  });

  it("asks again when the arguments change after an approval: the old grant never covers them", async () => {
    const first = freshPath();
    const held = agent.client.callTool({ name: "delete_file", arguments: { path: first } });
    const approved = await bob.held("mcp:fs/delete_file", { path: first });
    await bob.verdict(approved.id, "approve");
    await held;
    const other = freshPath();
    const second = agent.client.callTool({ name: "delete_file", arguments: { path: other } });
    const again = await bob.held("mcp:fs/delete_file", { path: other });
    expect(again.id).not.toBe(approved.id);
    expect(callsOf("delete_file").filter((c) => c.args["path"] === other)).toEqual([]);
    await bob.verdict(again.id, "deny");
    expect((await second).isError).toBe(true);
    expect(callsOf("delete_file").filter((c) => c.args["path"] === other)).toEqual([]);
    expect(callsOf("delete_file").filter((c) => c.args["path"] === first)).toHaveLength(1);
  });

  it("withdraws the pending request when the client cancels the call", async () => {
    const p = freshPath();
    const abort = new AbortController();
    const held = agent.client.callTool({ name: "delete_file", arguments: { path: p } }, undefined, { signal: abort.signal });
    const item = await bob.held("mcp:fs/delete_file", { path: p });
    abort.abort("changed my mind");
    await expect(held).rejects.toThrow();
    const read = await waitFor(async () => {
      const r = await bob.read(item.id);
      return r.body.status === "cancelled" ? r : undefined;
    });
    expect(read.body.cancellation).toMatchObject({ reason: "the MCP client cancelled the tool call" });
    expect(callsOf("delete_file").filter((c) => c.args["path"] === p)).toEqual([]);
  });

  it("resolves twenty concurrent held calls each to its own verdict", async () => {
    const paths = Array.from({ length: 20 }, () => freshPath());
    const calls = paths.map((p) => agent.client.callTool({ name: "delete_file", arguments: { path: p } }));
    const items = await Promise.all(paths.map((p) => bob.held("mcp:fs/delete_file", { path: p })));
    expect(new Set(items.map((i) => i.id)).size).toBe(20);
    await Promise.all(items.map((item, i) => bob.verdict(item.id, i % 2 === 0 ? "approve" : "deny")));
    const results = await Promise.all(calls);
    results.forEach((result, i) => {
      const p = paths[i] as string;
      if (i % 2 === 0) expect(result).toEqual({ content: [{ type: "text", text: `deleted ${p}` }] });
      else expect(text(result)).toContain("was denied by user:bob");
      expect(callsOf("delete_file").filter((c) => c.args["path"] === p)).toHaveLength(i % 2 === 0 ? 1 : 0);
    });
  });
});

describe("restarts and failures", () => {
  it("loses no approval when the gateway restarts while a call is held: the retried call picks up the same request", async () => {
    const p = freshPath();
    const first = await stdioAgent(gatewayArgs(countersign.url));
    const held = first.client.callTool({ name: "delete_file", arguments: { path: p } }).catch((e: Error) => e);
    const item = await bob.held("mcp:fs/delete_file", { path: p });
    await first.client.close(); // the agent and its gateway go away
    expect(await held).toBeInstanceOf(Error);

    const second = await stdioAgent(gatewayArgs(countersign.url));
    try {
      const retried = second.client.callTool({ name: "delete_file", arguments: { path: p } });
      await new Promise((r) => setTimeout(r, 500));
      expect((await bob.inbox()).filter((i) => i.request.action.params["path"] === p).map((i) => i.id)).toEqual([item.id]);
      await bob.verdict(item.id, "approve");
      expect(await retried).toEqual({ content: [{ type: "text", text: `deleted ${p}` }] });
      expect(callsOf("delete_file").filter((c) => c.args["path"] === p)).toHaveLength(1);
    } finally {
      await second.client.close();
    }
  });

  it("picks up an approval given while no gateway was waiting: the retried call runs on it, and only once", async () => {
    const p = freshPath();
    const first = await stdioAgent(gatewayArgs(countersign.url));
    const held = first.client.callTool({ name: "delete_file", arguments: { path: p } }).catch((e: Error) => e);
    const item = await bob.held("mcp:fs/delete_file", { path: p });
    await first.client.close(); // the agent and its gateway go away
    expect(await held).toBeInstanceOf(Error);
    expect((await bob.verdict(item.id, "approve", "fine")).status).toBe(200); // nobody is waiting now

    const second = await stdioAgent(gatewayArgs(countersign.url));
    try {
      const retried = await second.client.callTool({ name: "delete_file", arguments: { path: p } });
      expect(retried).toEqual({ content: [{ type: "text", text: `deleted ${p}` }] });
      expect(callsOf("delete_file").filter((c) => c.args["path"] === p)).toHaveLength(1);
      expect(await requireApprovalDecisions(item.id)).toBe(2); // the first call and the retry: one request

      // The grant is spent: the same call once more is a new request, never the old approval.
      const again = second.client.callTool({ name: "delete_file", arguments: { path: p } });
      const next = await bob.held("mcp:fs/delete_file", { path: p });
      expect(next.id).not.toBe(item.id);
      await bob.verdict(next.id, "deny", "once is enough");
      expect(text(await again)).toContain("was denied by user:bob: once is enough");
      expect(callsOf("delete_file").filter((c) => c.args["path"] === p)).toHaveLength(1);
    } finally {
      await second.client.close();
    }
  });

  it("holds identical concurrent calls on one request: the approval runs one of them, the others are told so", async () => {
    const p = freshPath();
    const calls = [0, 1, 2].map(() => agent.client.callTool({ name: "delete_file", arguments: { path: p } }));
    const item = await bob.held("mcp:fs/delete_file", { path: p });
    await waitFor(async () => ((await requireApprovalDecisions(item.id)) === 3 ? true : undefined));
    expect((await bob.inbox()).filter((i) => i.request.action.params["path"] === p)).toHaveLength(1);
    await bob.verdict(item.id, "approve");
    const texts = (await Promise.all(calls)).map(text);
    expect(texts.filter((t) => t === `deleted ${p}`)).toHaveLength(1);
    expect(
      texts.filter(
        (t) =>
          t ===
          `approval ${item.id} for mcp:fs/delete_file was used by an identical call, which ran; this call was not forwarded (call again to ask for a new approval)`,
      ),
    ).toHaveLength(2);
    expect(callsOf("delete_file").filter((c) => c.args["path"] === p)).toHaveLength(1);
  });

  it("refuses every call when Countersign cannot be reached (fail closed)", async () => {
    const down = await listenOnLoopback((_req, res) => res.end());
    const url = down.url;
    await down.close();
    const cut = await stdioAgent(gatewayArgs(url));
    try {
      const before = recordedCalls(log).length;
      const result = await cut.client.callTool({ name: "read_file", arguments: { path: "/etc/hosts" } });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(
        /^Countersign could not decide mcp:fs\/read_file \(COUNTERSIGN_CLIENT_UNREACHABLE\): .*; the call was not forwarded$/,
      );
      expect(recordedCalls(log).length).toBe(before);
    } finally {
      await cut.client.close();
    }
  });

  it("answers an unknown tool and oversized arguments with InvalidParams, deciding and forwarding nothing", async () => {
    const before = recordedCalls(log).length;
    await expect(agent.client.callTool({ name: "no_such_tool", arguments: {} })).rejects.toThrow(/-32602.*unknown tool: no_such_tool/);
    await expect(agent.client.callTool({ name: "echo", arguments: { blob: "x".repeat(40_000) } })).rejects.toThrow(
      /-32602.*over the gateway's limit of 32768/,
    );
    expect(recordedCalls(log).length).toBe(before);
  });

  it("times out an upstream that hangs, and reports an upstream that crashed by name", async () => {
    await expect(agent.client.callTool({ name: "hang", arguments: {} })).rejects.toThrow(/calling fs\/hang: Request timed out/);
    await expect(agent.client.callTool({ name: "crash", arguments: {} })).rejects.toThrow(/calling fs\/crash/);
    await expect(agent.client.callTool({ name: "read_file", arguments: { path: "/x" } })).rejects.toThrow(/upstream fs is unavailable/);
  });
});

async function waitFor<T>(check: () => Promise<T | undefined>, deadlineMs = 10_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
