import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createFileAuditMirror } from "../../src/audit/audit-mirror";
import { decisionEvent } from "../../src/audit/audit-event";
import { maskDigest } from "../../src/audit/masking";
import { runAuditCommand } from "../../src/cli/audit-command";
import { useRedisServer } from "../support/redis-server";
import { makeTrail, steppingClock, TEST_SALT } from "./audit-fixtures";

const redis = useRedisServer();

const SECRETS = {
  query: "select card_number from payments where owner='SECRET-QUERY-7f3a'",
  password: "hunter2-PASSWORD-91c4",
  authorization: "Bearer SECRET-TOKEN-0b5e",
  nested: "SECRET-API-KEY-d2aa",
};

it("never stores masked values in clear in Redis, the mirror file or an export", async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "countersign-audit-secrets-"));
  try {
    const mirrorFile = path.join(dir, "audit.jsonl");
    const conn = redis.connect();
    const { trail } = makeTrail(conn, { mirror: createFileAuditMirror({ filename: mirrorFile }) });
    const draft = decisionEvent({
      decisionId: "d-secret",
      caller: "svc:ci",
      input: {
        actor: { id: "agent:deploy-bot", type: "ai_agent" },
        action: { name: "db.query", params: { query: SECRETS.query, options: [{ api_key: SECRETS.nested }] } },
        resource: { type: "database", id: "prod/payments" },
        context: { password: SECRETS.password, Authorization: SECRETS.authorization, reason: "incident 42" },
      },
      outcome: "require_approval",
      reasons: ["needs a dba"],
      policy: { bundle: "countersign", revision: "r" },
      mask: ["/action/params/query"],
    });
    await trail.record(draft);
    await trail.close();

    // Everything Redis holds, byte for byte: an uncompressed RDB snapshot of the whole database.
    await conn.config("SET", "rdbcompression", "no");
    await conn.save();
    const [, redisDir] = (await conn.config("GET", "dir")) as [string, string];
    const [, rdbName] = (await conn.config("GET", "dbfilename")) as [string, string];
    const rdb = await fs.readFile(path.join(redisDir, rdbName));
    const mirror = await fs.readFile(mirrorFile);
    const out: string[] = [];
    await runAuditCommand(
      "export",
      [],
      { redis: redis.url },
      { out: (l) => out.push(l), err: () => undefined, readStdin: async () => "" },
      { env: {}, clock: steppingClock() },
    );
    const exported = Buffer.from(out.join("\n"));

    expect(rdb.includes(Buffer.from("incident 42"))).toBe(true); // the snapshot is readable: the search means something
    for (const [where, bytes] of [
      ["redis", rdb],
      ["mirror", mirror],
      ["export", exported],
    ] as const) {
      for (const secret of Object.values(SECRETS)) {
        expect({ where, found: bytes.includes(Buffer.from(secret)) }).toEqual({ where, found: false });
      }
    }
    // What is there instead: the keyed digest an auditor holding the value can recompute.
    const entry = JSON.parse(mirror.toString().trim()) as { input: { action: { params: { query: unknown } } }; masked: string[] };
    expect(entry.input.action.params.query).toEqual({ $masked: maskDigest(SECRETS.query, TEST_SALT) });
    expect(entry.masked).toEqual(
      expect.arrayContaining([
        "/input/action/params/query",
        "/input/context/password",
        "/input/context/Authorization",
        "/input/action/params/options/0/api_key",
      ]),
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
