/**
 * A service killed mid-burst, end to end: `countersign serve` runs as a child process on a real
 * redis-server, takes a burst of require_approval decisions and verdicts, and is killed with SIGKILL in the
 * middle of it. A second instance then starts on the same Redis; its recovery pass must leave the store and
 * the trail consistent: no request hidden or approvable without its decision in the trail, every request's
 * creation, verdicts and final state recorded, the journal empty, and the trail verifying.
 */

import { spawn, type ChildProcess } from "node:child_process";
import { ApprovalKeys } from "../../src/approvals/approval-keys";
import { RedisAuditStore } from "../../src/audit/redis-audit-store";
import { loadVerificationKey } from "../../src/audit/signing-key";
import { verifyStoredTrail } from "../../src/audit/verify";
import { startService } from "../../src/main";
import { CLI } from "../cli/cli-helpers";
import { useRedisServer } from "../support/redis-server";
import { captureLogger, eventually, exportBody, removeTempDirs, tempDir, writeBundle } from "./service-harness";
import { storedEntries } from "../audit/audit-fixtures";

const redis = useRedisServer();
let bundlesDir: string;

beforeAll(async () => {
  bundlesDir = tempDir();
  await writeBundle(bundlesDir, "example", { revision: "crash-1" });
});
afterAll(() => removeTempDirs());

/** Starts `countersign serve` on a free port; resolves with its URL once it listens. */
function serveChild(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--bundles", bundlesDir], {
    env: { ...process.env, REDIS_URL: redis.url, NODE_ENV: "development", COUNTERSIGN_CONFIG: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 20_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const m = /serving decisions on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]! });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`serve exited (${code}):\n${out}`)));
  });
}

async function post(url: string, path: string, key: string, body: unknown): Promise<{ status: number; body: any } | null> {
  try {
    const res = await fetch(url + path, {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  } catch {
    return null; // the server was killed under this request
  }
}

it("leaves nothing unrecorded after a SIGKILL in the middle of a burst, once another instance has recovered", async () => {
  const { child, url } = await serveChild();
  let stop = false;
  let n = 0;
  const worker = async (): Promise<void> => {
    while (!stop) {
      const i = n++;
      const res = await post(
        url,
        "/v1/decide",
        "dev-caller-key",
        exportBody({ action: { name: "db.export", params: { table: `t${i}` } } }),
      );
      const id = res?.body?.approval?.id as string | undefined;
      if (id !== undefined && i % 2 === 0)
        await post(url, `/v1/approvals/${id}/verdicts`, i % 4 === 0 ? "dev-alice-key" : "dev-dave-key", {
          verdict: i % 8 === 0 ? "deny" : "approve",
        });
    }
  };
  const workers = Array.from({ length: 24 }, () => worker());
  await eventually(async () => (n > 150 ? true : undefined), "a burst under way");
  // Listen for the exit before the kill: it may come while the workers wind down, and a listener added after
  // it would wait forever.
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  stop = true;
  await Promise.all(workers);
  await exited;

  const conn = redis.connect();
  const keys = new ApprovalKeys();
  const left = { unrecorded: await conn.zcard(keys.unrecordedIndex), journal: await conn.xlen(keys.journal) };

  const log = captureLogger("info");
  const second = await startService({
    env: { REDIS_URL: redis.url },
    overrides: { port: 0, bundlesDir },
    logger: log.logger,
    watch: false,
    recoveryGraceMs: 500,
  });
  try {
    await eventually(
      async () => ((await conn.zcard(keys.unrecordedIndex)) === 0 && (await conn.xlen(keys.journal)) === 0 ? true : undefined),
      "recovery",
      20_000,
    );

    const entries = await storedEntries(conn);
    const has = (pred: (e: Record<string, any>) => boolean): boolean => entries.some(pred);
    const ids = (await conn.keys(`${keys.recordPrefix}*`)).map((k) => k.slice(keys.recordPrefix.length));
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) {
      const record = await conn.hgetall(keys.record(id));
      expect(record["unrecorded"]).toBeUndefined();
      const core = JSON.parse(record["core"]!) as { decisionId: string };
      expect(has((e) => e["type"] === "decision" && e["decision_id"] === core.decisionId && e["approval_id"] === id)).toBe(true);
      expect(has((e) => e["type"] === "approval.created" && e["approval_id"] === id)).toBe(true);
      for (const v of JSON.parse(record["verdicts"]!) as { reviewerId: string }[]) {
        expect(has((e) => e["type"] === "approval.verdict" && e["approval_id"] === id && e["reviewer"] === v.reviewerId)).toBe(true);
      }
      if (record["status"] !== "pending") expect(has((e) => e["type"] === "approval.final" && e["approval_id"] === id)).toBe(true);
    }
    // Every withdrawn request is gone from the store, and its decision was never recorded.
    for (const w of entries.filter((e) => e["type"] === "approval.withdrawn")) {
      expect(ids).not.toContain(w["approval_id"]);
      expect(has((e) => e["type"] === "decision" && e["decision_id"] === w["decision_id"])).toBe(false);
    }
    const store = new RedisAuditStore(conn);
    const key = loadVerificationKey((await store.readSigningKey())!);
    expect(await verifyStoredTrail(store, { keys: [key] })).toMatchObject({ ok: true });
    // What the kill left for recovery (it varies from run to run), for the record.
    console.log(
      `crash recovery: ${n} decisions sent, ${ids.length} requests kept; left by the kill: ${left.unrecorded} unrecorded, ${left.journal} journal entries`,
    );
  } finally {
    await second.close();
  }
}, 90_000);
