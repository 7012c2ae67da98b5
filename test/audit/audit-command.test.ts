import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { maskDigest } from "../../src/audit/masking";
import { RedisAuditStore } from "../../src/audit/redis-audit-store";
import { resolveSigningKey } from "../../src/audit/signing-key";
import { runAuditCommand } from "../../src/cli/audit-command";
import type { CliIo } from "../../src/cli/cli-io";
import { useRedisServer } from "../support/redis-server";
import { makeTrail, sampleDecision } from "./audit-fixtures";

const redis = useRedisServer({ flushBetweenTests: true });

function io(): CliIo & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return { out_, err_, out: (l) => out_.push(l), err: (l) => err_.push(l), readStdin: async () => "" };
}

describe("countersign audit", () => {
  it("key prints the generated public key, which verify --key accepts", async () => {
    const conn = redis.connect();
    const key = await resolveSigningKey(undefined, new RedisAuditStore(conn));
    const { trail } = makeTrail(conn, { key });
    await trail.record(sampleDecision(1));
    const k = io();
    expect(await runAuditCommand("key", [], { redis: redis.url }, k, { env: {} })).toBe(0);
    const lines = k.out_.join("\n").split("\n");
    expect(lines[0]).toBe("-----BEGIN PUBLIC KEY-----");
    expect(lines).toContain(`kid: ${key.verification.kid}`);
    const pem = lines.slice(0, lines.indexOf("-----END PUBLIC KEY-----") + 1).join("\n");
    const v = io();
    expect(await runAuditCommand("verify", [], { redis: redis.url, key: [pem] }, v, { env: {} })).toBe(0);
    expect(v.out_[0]).toMatch(/^ok: 1 entries, head [0-9a-f]{64}$/);
  });

  it("takes the Redis URL from REDIS_URL", async () => {
    const v = io();
    expect(await runAuditCommand("verify", [], {}, v, { env: { REDIS_URL: redis.url } })).toBe(0);
    expect(v.out_[0]).toBe(`ok: 0 entries, head ${"0".repeat(64)}`);
  });

  it("digest prints the masking marker of a value, from the salt in a file or the environment", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "countersign-audit-salt-"));
    try {
      const saltFile = path.join(dir, "salt");
      await fs.writeFile(saltFile, "a-salt-of-sixteen-bytes\n");
      const a = io();
      expect(await runAuditCommand("digest", ['"hunter2"'], { saltFile }, a, { env: {} })).toBe(0);
      expect(JSON.parse(a.out_[0]!)).toEqual({ $masked: maskDigest("hunter2", Buffer.from("a-salt-of-sixteen-bytes")) });
      const b = io();
      await runAuditCommand("digest", ['{"b":1,"a":2}'], {}, b, { env: { COUNTERSIGN_AUDIT_MASK_SALT: "a-salt-of-sixteen-bytes" } });
      expect(JSON.parse(b.out_[0]!)).toEqual({ $masked: maskDigest({ a: 2, b: 1 }, Buffer.from("a-salt-of-sixteen-bytes")) });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it("explains usage mistakes", async () => {
    await expect(runAuditCommand("frobnicate", [], {}, io(), { env: {} })).rejects.toMatchObject({ code: "COUNTERSIGN_CLI_USAGE" });
    await expect(runAuditCommand("verify", [], {}, io(), { env: {} })).rejects.toMatchObject({ code: "COUNTERSIGN_CLI_USAGE" });
    await expect(runAuditCommand("export", [], { redis: redis.url, from: "last tuesday" }, io(), { env: {} })).rejects.toMatchObject({
      code: "COUNTERSIGN_CLI_USAGE",
    });
    await expect(
      runAuditCommand("digest", ["hunter2"], {}, io(), { env: { COUNTERSIGN_AUDIT_MASK_SALT: "x".repeat(16) } }),
    ).rejects.toMatchObject({
      code: "COUNTERSIGN_CLI_USAGE",
    });
  });

  it("reports a trail file that does not exist", async () => {
    const e = io();
    expect(await runAuditCommand("verify", ["/nonexistent/trail.jsonl"], {}, e, { env: {} })).toBe(1);
    expect(e.err_[0]).toMatch(/no such file \[COUNTERSIGN_AUDIT_UNREADABLE\]/);
  });
});
