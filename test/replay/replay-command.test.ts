/**
 * `countersign replay`: a trail recorded by the service (as `serve` wires it, on a real redis-server) from a
 * known mix of requests, replayed against a candidate bundle; the table and the JSON report must show
 * exactly the expected changes, with example decision ids, and the decisions whose masked values a
 * candidate rule reads as not replayable.
 */

import request from "supertest";
import { main } from "../../src/cli/main";
import type { CliIo } from "../../src/cli/cli-io";
import { DirectoryArchiveStore } from "../../src/audit/archive-store";
import { RedisAuditStore } from "../../src/audit/redis-audit-store";
import { loadSigningKey } from "../../src/audit/signing-key";
import { TrailArchiver } from "../../src/audit/trail-archiver";
import { steppingClock } from "../audit/audit-fixtures";
import { useRedisServer } from "../support/redis-server";
import {
  AUTH,
  decideBody,
  decisionModule,
  exampleConfig,
  removeTempDirs,
  tempDir,
  testService,
  writeBundle,
} from "../http/service-harness";

const APPROVAL = `{"quorum": 1, "reviewers": {"roles": ["dba"]}, "ttl_seconds": 3600, "grant_ttl_seconds": 300}`;

/** The live policy: `query` is allowed and its query text masked; `login` is allowed (its password is masked as a secret-named member). */
const LIVE = decisionModule(`
default decision := {"outcome": "deny", "reasons": ["not listed"]}
decision := {"outcome": "allow", "reasons": ["listed"]} if input.action.name in {"read", "tighten", "login"}
decision := {"outcome": "allow", "reasons": ["queries are allowed"], "mask": ["/action/params/query"]} if input.action.name == "query"
decision := {"outcome": "require_approval", "reasons": ["needs a dba"], "approval": ${APPROVAL}} if input.action.name == "loosen"
`);

/** The candidate: tightens, loosens, unblocks, denies login, and reads the masked query text. */
const CANDIDATE = decisionModule(`
default decision := {"outcome": "deny", "reasons": ["not listed"]}
decision := {"outcome": "allow", "reasons": ["listed"]} if input.action.name in {"read", "loosen", "unblock"}
decision := {"outcome": "require_approval", "reasons": ["needs a dba"], "approval": ${APPROVAL}} if input.action.name == "tighten"
decision := {"outcome": "deny", "reasons": ["no drops"]} if {
	input.action.name == "query"
	contains(input.action.params.query, "drop")
}
`);

const redis = useRedisServer();
let candidate: string;

function captureIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => void stdout.push(l), err: (l) => void stderr.push(l), readStdin: async () => "" };
}

beforeAll(async () => {
  const dir = tempDir();
  await writeBundle(dir, { "live.rego": LIVE }, { revision: "live-1" });
  candidate = await writeBundle(tempDir(), { "candidate.rego": CANDIDATE }, { revision: "candidate-1", name: "candidate" });
  const service = await testService({ bundlesDir: dir, config: exampleConfig({ REDIS_URL: redis.url }, dir) });
  const send = async (
    action: string,
    params: Record<string, unknown> = { n: 1 },
    context: Record<string, unknown> = { reason: "test" },
  ): Promise<void> => {
    const res = await request(service.app)
      .post("/v1/decide")
      .set("Authorization", AUTH.caller)
      .send(decideBody({ action: { name: action, params }, context }));
    expect(res.status).toBe(200);
  };
  // decision-1..3 read, 4..5 tighten, 6 loosen, 7 unblock, 8..9 query (masked), 10 login (password masked)
  for (let i = 0; i < 3; i++) await send("read");
  for (let i = 0; i < 2; i++) await send("tighten");
  await send("loosen");
  await send("unblock");
  await send("query", { query: "select 1" });
  await send("query", { query: "drop table customers" });
  await send("login", { n: 1 }, { reason: "test", password: "hunter2" });
  await service.close();
});
afterAll(() => removeTempDirs());

describe("countersign replay", () => {
  it("prints the table of what would change, with example decision ids", async () => {
    const io = captureIo();
    expect(await main(["replay", "--bundle", candidate, "--redis", redis.url], io)).toBe(0);
    const text = io.stdout.join("\n");
    expect(text).toMatch(
      /^replayed 8 of 10 recorded decisions \(seq \d+\.\.\d+, .*\) against .*candidate\.tar\.gz \(revision candidate-1\)$/m,
    );
    expect(text).toContain("recorded under: countersign@live-1 (10)");
    expect(text).toMatch(/^allow → deny\s+1\s+decision-10$/m);
    expect(text).toMatch(/^allow → require_approval\s+2\s+decision-4, decision-5$/m);
    expect(text).toMatch(/^deny → allow\s+1\s+decision-7$/m);
    expect(text).toMatch(/^require_approval → allow\s+1\s+decision-6$/m);
    expect(text).toMatch(/^unchanged\s+3$/m);
    expect(text).toMatch(/^not replayable: \/action\/params\/query is masked\s+2\s+decision-8, decision-9$/m);
    expect(text).toContain("5 would change, 3 unchanged, 2 not replayable");
    expect(text).toMatch(
      /\/action\/params\/query: held in the trail only as a digest, and read by countersign\.decision \(\/candidate\.rego:\d+\)/,
    );
  });

  it("reports the same counts as JSON, and replays only the range asked for", async () => {
    const io = captureIo();
    expect(await main(["replay", "--bundle", candidate, "--redis", redis.url, "--json"], io)).toBe(0);
    const report = JSON.parse(io.stdout.join("\n")) as Record<string, unknown>;
    expect(report).toMatchObject({
      candidate: { bundle: "candidate", revision: "candidate-1" },
      decisions: 10,
      replayed: 8,
      unchanged: 3,
      changed: 5,
      notReplayableTotal: 2,
      changes: {
        "allow→deny": { count: 1, examples: ["decision-10"] },
        "allow→require_approval": { count: 2, examples: ["decision-4", "decision-5"] },
        "deny→allow": { count: 1, examples: ["decision-7"] },
        "require_approval→allow": { count: 1, examples: ["decision-6"] },
      },
      notReplayable: [{ pointer: "/action/params/query", count: 2, examples: ["decision-8", "decision-9"] }],
    });

    const first = (report["first"] as { seq: number }).seq;
    const ranged = captureIo();
    // From the first decision to the sixth entry after it: the three reads, then the tightens (approval
    // events between them are not decisions), whatever the seqs of the other entries.
    expect(
      await main(
        ["replay", "--bundle", candidate, "--redis", redis.url, "--json", "--from", String(first), "--to", String(first + 4)],
        ranged,
      ),
    ).toBe(0);
    const part = JSON.parse(ranged.stdout.join("\n")) as {
      decisions: number;
      unchanged: number;
      changes: Record<string, { count: number }>;
    };
    expect(part.decisions).toBe(5);
    expect(part.unchanged).toBe(3);
    expect(part.changes).toEqual({ "allow→require_approval": { count: 2, examples: ["decision-4", "decision-5"] } });
  });

  it("reads sealed segments with --archive, and refuses a range reaching into them without it", async () => {
    const conn = redis.connect();
    const store = new RedisAuditStore(conn);
    const pem = await store.readSigningKey();
    expect(pem).not.toBeNull();
    const dir = tempDir();
    const archiver = new TrailArchiver({
      redis: conn,
      store,
      archive: new DirectoryArchiveStore(dir),
      signingKey: loadSigningKey(pem!),
      clock: steppingClock(),
      segmentEntries: 4,
      maxSegmentsPerRun: 100,
    });
    const sealed = await archiver.runOnce();
    expect(sealed.length).toBeGreaterThan(0);
    expect((await store.archiveState()).seq).toBeGreaterThan(1);

    const refused = captureIo();
    expect(await main(["replay", "--bundle", candidate, "--redis", redis.url], refused)).toBe(1);
    expect(refused.stderr.join("\n")).toMatch(/archived .* pass --archive/);

    for (const args of [
      ["--redis", redis.url, "--archive", dir],
      ["--archive", dir],
    ]) {
      const io = captureIo();
      expect(await main(["replay", "--bundle", candidate, "--json", ...args], io)).toBe(0);
      const report = JSON.parse(io.stdout.join("\n")) as { decisions: number; changed: number; notReplayableTotal: number };
      if (args.length === 4) expect(report).toMatchObject({ decisions: 10, changed: 5, notReplayableTotal: 2 });
      else expect(report.decisions).toBeGreaterThan(0); // the archive alone: the sealed part of the trail
    }
  });

  it("refuses a file that is not a bundle, and a bundle that cannot answer decisions", async () => {
    const io = captureIo();
    expect(await main(["replay", "--bundle", __filename, "--redis", redis.url], io)).toBe(1);
    expect(io.stderr.join("\n")).toMatch(/^error: .*replay-command\.test\.ts/);
    const other = await writeBundle(
      tempDir(),
      { "other.rego": "package other\n\nimport rego.v1\n\np := 1\n" },
      { entrypoints: ["other/p"], name: "other" },
    );
    const io2 = captureIo();
    expect(await main(["replay", "--bundle", other, "--redis", redis.url], io2)).toBe(1);
    expect(io2.stderr.join("\n")).toMatch(/cannot answer decisions.*COUNTERSIGN_BUNDLE_NO_DECISION/);
  });
});
