/**
 * The service when its Redis goes away, over HTTP, with an embedded redis-server (AOF on) the test stops
 * and restarts: require_approval answers 200 deny "approval store unavailable" (fail closed), a grant
 * cannot be spent (deny), /readyz answers 503 naming Redis, the approval routes 503, and decisions that need
 * no human still answer. Once Redis is back on its data, everything resumes: the pending request is still
 * there and the unspent grant redeems.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import request from "supertest";
import { startEmbeddedRedis, type EmbeddedRedis } from "../../src/redis/embedded-redis";
import { approvalClient, approvalIdOf } from "./approval-client";
import {
  approvalTestService,
  AUTH,
  decideBody,
  eventually,
  exportBody,
  removeTempDirs,
  tempDir,
  writeBundle,
  type TestService,
} from "./service-harness";

let dataDir: string;
let redis: EmbeddedRedis;
let service: TestService;
let api: ReturnType<typeof approvalClient>;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-redis-down-"));
  redis = await startEmbeddedRedis({ dir: dataDir });
  const bundles = tempDir();
  await writeBundle(bundles, "example", { revision: "redis-down-1" });
  service = await approvalTestService({ bundlesDir: bundles, redisUrl: redis.url });
  api = approvalClient(service.app);
});
afterAll(async () => {
  await service.close();
  await redis.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  removeTempDirs();
});

describe("Redis unavailable, then back", () => {
  it("fails closed while Redis is down and resumes, with its data, once it is back", async () => {
    const pendingBody = exportBody({ action: { name: "db.export", params: { table: "pending" } } });
    const pendingId = approvalIdOf(await api.decide(AUTH.caller, pendingBody));
    const grantedBody = exportBody({ action: { name: "db.export", params: { table: "granted" } } });
    const grantedId = approvalIdOf(await api.decide(AUTH.caller, grantedBody));
    await api.verdict(AUTH.alice, grantedId, { verdict: "approve" });
    const grant = (await api.read(AUTH.caller, grantedId)).body.grant as string;
    expect((await request(service.app).get("/readyz")).status).toBe(200);

    await redis.stop();

    const started = Date.now();
    const denied = await api.decide(AUTH.caller, exportBody({ action: { name: "db.export", params: { table: "while-down" } } }));
    expect(denied.status).toBe(200);
    // The approval store fails first (a deny with its code, logged), then the deny cannot be recorded in the
    // audit trail either: the answer is the audit's deny, never an answer without its record.
    expect(denied.body).toMatchObject({ outcome: "deny", reasons: ["audit unavailable"], code: "COUNTERSIGN_AUDIT_UNAVAILABLE" });
    expect(denied.body.approval).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2000);
    // Every later decision too: commands fail at once while the connection is down, rather than each
    // waiting out the 2 s command timeout in the offline queue (denials took 4 to 9 s).
    for (let i = 0; i < 4; i++) {
      const t = Date.now();
      const body = i % 2 === 0 ? decideBody() : exportBody({ action: { name: "db.export", params: { table: `down-${i}` } } });
      expect((await api.decide(AUTH.caller, body)).body).toMatchObject({ outcome: "deny", code: "COUNTERSIGN_AUDIT_UNAVAILABLE" });
      expect(Date.now() - t).toBeLessThan(2000);
    }
    expect(service.log.lines().some((l) => l["level"] === "error" && l["code"] === "COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE")).toBe(true);
    expect(
      service.log
        .lines()
        .some((l) => l["level"] === "warn" && (l["failure"] as { code?: string } | undefined)?.code === "COUNTERSIGN_AUDIT_UNAVAILABLE"),
    ).toBe(true);

    const withGrant = await api.decide(AUTH.caller, { ...grantedBody, grant });
    expect(withGrant.body).toMatchObject({ outcome: "deny", reasons: ["audit unavailable"], code: "COUNTERSIGN_AUDIT_UNAVAILABLE" });

    const ready = await request(service.app).get("/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body.error.code).toBe("COUNTERSIGN_NOT_READY");
    expect(ready.body.error.details.checks).toMatchObject({ policy: { ok: true }, redis: { ok: false } });

    const read = await api.read(AUTH.caller, pendingId);
    expect(read.status).toBe(503);
    expect(read.body.error.code).toBe("COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE");

    // Without its audit record no decision is an allow, however routine.
    expect((await api.decide(AUTH.caller, decideBody())).body).toMatchObject({
      outcome: "deny",
      reasons: ["audit unavailable"],
      code: "COUNTERSIGN_AUDIT_UNAVAILABLE",
    });

    redis = await startEmbeddedRedis({ dir: dataDir, port: redis.port });
    await eventually(
      async () => ((await request(service.app).get("/readyz")).status === 200 ? true : undefined),
      "readiness after Redis is back",
    );
    expect((await api.read(AUTH.caller, pendingId)).body).toMatchObject({ status: "pending", version: 1 });
    expect((await api.decide(AUTH.caller, { ...grantedBody, grant })).body).toMatchObject({
      outcome: "allow",
      reasons: ["approved by user:alice"],
    });
    expect((await api.decide(AUTH.caller, pendingBody)).body.approval).toMatchObject({ id: pendingId, created: false });
  });
});
