/**
 * The approval workflow end to end over HTTP, on the example policy and development identities, against a
 * real redis-server: a production export needs a DBA; alice approves; the caller reads `approved` with the
 * grant; the grant allows exactly this action exactly once (at /v1/decide or at the executor's
 * /v1/grants/redeem), verifies with the published JWKS, and is refused replayed, expired, for another action
 * or forged. Idempotent creation and reason_required over HTTP; a policy that now denies wins over a grant.
 */

import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import request from "supertest";
import { GRANT_AUDIENCE, GRANT_ISSUER, GRANT_TYPE } from "../../src/grants/grant-service";
import { DECISION_SCHEMA } from "../../src/http/api-schemas";
import { APPROVAL_VIEW_SCHEMA, REDEEMED_GRANT_SCHEMA } from "../../src/http/approval-schemas";
import { useRedisServer } from "../support/redis-server";
import { approvalClient, approvalIdOf } from "./approval-client";
import {
  approvalTestService,
  AUTH,
  decisionModule,
  exportBody,
  removeTempDirs,
  tempDir,
  writeBundle,
  type ManualClock,
  type TestService,
} from "./service-harness";

const redis = useRedisServer();
const ajv = addFormats(new Ajv2020({ strict: false }));
ajv.addSchema(APPROVAL_VIEW_SCHEMA, "#/components/schemas/Approval");
const validDecision = ajv.compile(DECISION_SCHEMA);
const validApproval = ajv.compile(APPROVAL_VIEW_SCHEMA);
const validRedeemed = ajv.compile(REDEEMED_GRANT_SCHEMA);

let service: TestService & { clock: ManualClock };
let api: ReturnType<typeof approvalClient>;

beforeAll(async () => {
  const dir = tempDir();
  await writeBundle(dir, "example", { revision: "flow-1" });
  service = await approvalTestService({ bundlesDir: dir, redisUrl: redis.url });
  api = approvalClient(service.app);
});
afterAll(async () => {
  await service.close();
  removeTempDirs();
});

/** A unique export (its own table), so tests never share a pending request. */
let tables = 0;
const freshExport = (patch: Record<string, unknown> = {}) =>
  exportBody({ action: { name: "db.export", params: { table: `t${++tables}`, query: "select * from customers" } }, ...patch });

/** Opens an export, has alice approve it, and returns its id, the request body and the caller's grant. */
async function approvedExport(): Promise<{ id: string; body: Record<string, unknown>; grant: string }> {
  const body = freshExport();
  const id = approvalIdOf(await api.decide(AUTH.caller, body));
  expect((await api.verdict(AUTH.alice, id, { verdict: "approve" })).status).toBe(200);
  const read = await api.read(AUTH.caller, id);
  expect(read.body).toMatchObject({ status: "approved", grant: expect.any(String) });
  return { id, body, grant: read.body.grant as string };
}

describe("a production export, from decision to single use", () => {
  it("needs a DBA; alice approves; the caller gets the grant; the grant allows once, then is refused at decide and at the executor", async () => {
    const body = freshExport();
    const first = await api.decide(AUTH.caller, body);
    expect(first.status).toBe(200);
    expect(validDecision(first.body)).toBe(true);
    expect(first.body).toMatchObject({
      outcome: "require_approval",
      reasons: ["exporting production data needs a DBA"],
      approval: {
        status: "pending",
        created: true,
        quorum: 1,
        reviewers: { roles: ["dba"] },
        ttl_seconds: 3600,
        grant_ttl_seconds: 300,
        reason_required: true,
      },
      mask: ["/action/params/query"],
    });
    const id = approvalIdOf(first);
    expect(first.body.approval.status_url).toBe(`/v1/approvals/${id}`);
    expect(Date.parse(first.body.approval.expires_at) - Date.parse(first.body.approval.created_at)).toBe(3600_000);

    const pending = await api.read(AUTH.caller, first.body.approval.status_url.slice("/v1/approvals/".length));
    expect(pending.status).toBe(200);
    expect(validApproval(pending.body)).toBe(true);
    expect(pending.body).toMatchObject({
      id,
      status: "pending",
      version: 1,
      verdicts: [],
      required: { quorum: 1 },
      progress: { approvals: 0, quorum: 1 },
    });
    expect(pending.body.request.action.params.query).toBe("select * from customers");
    expect(pending.body.grant).toBeUndefined();

    const asAlice = await api.read(AUTH.alice, id);
    expect(asAlice.status).toBe(200);
    expect(asAlice.body.request.action.params.query).toBe("[MASKED]");

    const verdict = await api.verdict(AUTH.alice, id, { verdict: "approve", comment: "ticket OPS-1234 checked" });
    expect(verdict.status).toBe(200);
    expect(validApproval(verdict.body)).toBe(true);
    expect(verdict.body).toMatchObject({
      status: "approved",
      verdicts: [{ reviewer_id: "user:alice", verdict: "approve", comment: "ticket OPS-1234 checked", channel: "api" }],
    });
    expect(verdict.body.grant).toBeUndefined();

    const approved = await api.read(AUTH.caller, id);
    expect(approved.body).toMatchObject({ status: "approved", grant: expect.any(String), grant_expires_at: expect.any(String) });
    expect((await api.read(AUTH.alice, id)).body.grant).toBeUndefined();
    const grant = approved.body.grant as string;

    const allowed = await api.decide(AUTH.caller, { ...body, grant });
    expect(allowed.status).toBe(200);
    expect(validDecision(allowed.body)).toBe(true);
    expect(allowed.body).toMatchObject({
      outcome: "allow",
      reasons: ["approved by user:alice"],
      grant: { approval_id: id, approvers: ["user:alice"] },
    });
    expect(allowed.body.code).toBeUndefined();

    const replayed = await api.decide(AUTH.caller, { ...body, grant });
    expect(replayed.body).toMatchObject({
      outcome: "deny",
      code: "COUNTERSIGN_GRANT_REPLAYED",
      reasons: ["the grant has already been used"],
    });
    expect(replayed.body.grant).toBeUndefined();

    const atExecutor = await api.redeem(AUTH.caller, { grant, actor: body["actor"], action: body["action"], resource: body["resource"] });
    expect(atExecutor.status).toBe(409);
    expect(atExecutor.body.error.code).toBe("COUNTERSIGN_GRANT_REPLAYED");
  });

  it("redeems a fresh grant once at the executor's endpoint, after which /v1/decide refuses it too", async () => {
    const { id, body, grant } = await approvedExport();
    const presented = { grant, actor: body["actor"], action: body["action"], resource: body["resource"] };
    const redeemed = await api.redeem(AUTH.bob, presented);
    expect(redeemed.status).toBe(200);
    expect(validRedeemed(redeemed.body)).toBe(true);
    expect(redeemed.body).toMatchObject({ redeemed: true, approval_id: id, actor_id: "agent:deploy-bot", approvers: ["user:alice"] });
    expect((await api.redeem(AUTH.bob, presented)).body.error.code).toBe("COUNTERSIGN_GRANT_REPLAYED");
    expect((await api.decide(AUTH.caller, { ...body, grant })).body).toMatchObject({ outcome: "deny", code: "COUNTERSIGN_GRANT_REPLAYED" });
  });

  it("publishes the key that verifies a grant at /.well-known/jwks.json, without authentication", async () => {
    const { id, grant } = await approvedExport();
    const res = await request(service.app).get("/.well-known/jwks.json");
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toMatch(/public/);
    expect(res.body.keys).toEqual([
      expect.objectContaining({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig", kid: expect.any(String) }),
    ]);
    const { payload, protectedHeader } = await jwtVerify(grant, createLocalJWKSet(res.body), {
      issuer: GRANT_ISSUER,
      audience: GRANT_AUDIENCE,
      typ: GRANT_TYPE,
    });
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", kid: res.body.keys[0].kid });
    expect(payload).toMatchObject({
      approval_id: id,
      actor: { id: "agent:deploy-bot", on_behalf_of: "user:mallory" },
      approvers: ["user:alice"],
      sub: "agent:deploy-bot",
    });
    expect((payload.exp as number) - (payload.iat as number)).toBe(300);
  });

  it("denies a grant presented for another action (mismatch), and it stays usable for its own", async () => {
    const { body, grant } = await approvedExport();
    const other = { ...body, resource: { type: "database", id: "prod/orders", environment: "production" }, grant };
    expect((await api.decide(AUTH.caller, other)).body).toMatchObject({ outcome: "deny", code: "COUNTERSIGN_GRANT_MISMATCH" });
    const otherAction = { ...body, action: { name: "db.dump", params: (body["action"] as { params: unknown }).params }, grant };
    expect((await api.decide(AUTH.caller, otherAction)).body).toMatchObject({ outcome: "deny", code: "COUNTERSIGN_GRANT_MISMATCH" });
    const otherActor = { ...body, actor: { id: "agent:other-bot", type: "ai_agent", on_behalf_of: "user:mallory" }, grant };
    expect((await api.decide(AUTH.caller, otherActor)).body).toMatchObject({ outcome: "deny", code: "COUNTERSIGN_GRANT_MISMATCH" });
    expect((await api.decide(AUTH.caller, { ...body, grant })).body).toMatchObject({ outcome: "allow" });
  });

  it("denies a forged, a tampered and an expired grant", async () => {
    const body = freshExport();
    expect((await api.decide(AUTH.caller, { ...body, grant: "not-a-grant" })).body).toMatchObject({
      outcome: "deny",
      code: "COUNTERSIGN_GRANT_INVALID",
    });
    const { body: approvedBody, grant } = await approvedExport();
    const [header, , signature] = grant.split(".");
    const claims = { ...decodeJwt(grant), approvers: ["user:mallory"] };
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
    expect((await api.decide(AUTH.caller, { ...approvedBody, grant: tampered })).body).toMatchObject({
      outcome: "deny",
      code: "COUNTERSIGN_GRANT_INVALID",
    });
    service.clock.advance(301_000);
    expect((await api.decide(AUTH.caller, { ...approvedBody, grant })).body).toMatchObject({
      outcome: "deny",
      code: "COUNTERSIGN_GRANT_EXPIRED",
    });
  });

  it("lets a policy that now denies outright win over a valid grant, which stays unspent", async () => {
    const { body, grant } = await approvedExport();
    const dir = tempDir();
    await writeBundle(
      dir,
      { "deny.rego": decisionModule('decision := {"outcome": "deny", "reasons": ["exports are frozen"]}') },
      { revision: "frozen" },
    );
    const frozen = await approvalTestService({ bundlesDir: dir, redisUrl: redis.url, clock: service.clock });
    try {
      const denied = await approvalClient(frozen.app).decide(AUTH.caller, { ...body, grant });
      expect(denied.body).toMatchObject({ outcome: "deny", reasons: ["exports are frozen"], policy: { revision: "frozen" } });
      expect(denied.body.code).toBeUndefined();
    } finally {
      await frozen.close();
    }
    expect((await api.decide(AUTH.caller, { ...body, grant })).body).toMatchObject({
      outcome: "allow",
      reasons: ["approved by user:alice"],
    });
  });
});

describe("creating requests", () => {
  it("returns the existing request for the same idempotency key or the same pending action, and refuses a key reused for another action", async () => {
    const body = freshExport({ idempotency_key: `job-${tables}` });
    const first = await api.decide(AUTH.caller, body);
    const again = await api.decide(AUTH.caller, body);
    expect(approvalIdOf(again)).toBe(approvalIdOf(first));
    expect(again.body.approval).toMatchObject({ created: false, status: "pending" });
    const sameAction = await api.decide(AUTH.caller, { ...body, idempotency_key: undefined });
    expect(approvalIdOf(sameAction)).toBe(approvalIdOf(first));
    const reused = await api.decide(AUTH.caller, { ...body, resource: { type: "database", id: "prod/orders", environment: "production" } });
    expect(reused.status).toBe(422);
    expect(reused.body.error).toMatchObject({ code: "COUNTERSIGN_IDEMPOTENCY_KEY_REUSED", details: { approval_id: approvalIdOf(first) } });
    expect((await api.inbox(AUTH.alice)).body.approvals.filter((a: { id: string }) => a.id === approvalIdOf(first))).toHaveLength(1);
  });

  it("answers the same action with its approved request while the grant is unused and unexpired, and with a new request after", async () => {
    const body = freshExport();
    const first = approvalIdOf(await api.decide(AUTH.caller, body));
    expect((await api.verdict(AUTH.alice, first, { verdict: "approve" })).status).toBe(200);
    // The caller lost the answer and asks again: the approval, not a new request.
    const again = await api.decide(AUTH.caller, body);
    expect(approvalIdOf(again)).toBe(first);
    expect(again.body.approval).toMatchObject({ created: false, status: "approved" });
    const grant = (await api.read(AUTH.caller, first)).body.grant as string;
    expect((await api.decide(AUTH.caller, { ...body, grant })).body.outcome).toBe("allow");
    // Spent: the same action is a new request.
    const after = await api.decide(AUTH.caller, body);
    expect(after.body.approval).toMatchObject({ created: true, status: "pending" });
    expect(approvalIdOf(after)).not.toBe(first);
    // Approved again but never used, then expired: a new request too.
    expect((await api.verdict(AUTH.alice, approvalIdOf(after), { verdict: "approve" })).status).toBe(200);
    expect((await api.read(AUTH.caller, approvalIdOf(after))).body.grant).toEqual(expect.any(String));
    service.clock.advance(24 * 3600_000);
    const expired = await api.decide(AUTH.caller, body);
    service.clock.advance(-24 * 3600_000);
    expect(expired.body.approval).toMatchObject({ created: true, status: "pending" });
  });

  it("refuses a request without context.reason where the policy requires one (400), storing nothing", async () => {
    const before = (await api.inbox(AUTH.alice)).body.approvals.length;
    const res = await api.decide(AUTH.caller, freshExport({ context: { ticket: "OPS-1" } }));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: "COUNTERSIGN_REASON_REQUIRED",
      message: expect.stringContaining("context.reason"),
      details: { field: "context.reason" },
    });
    expect((await api.decide(AUTH.caller, freshExport({ context: { reason: "   " } }))).status).toBe(400);
    expect((await api.inbox(AUTH.alice)).body.approvals).toHaveLength(before);
  });

  it("still allows and denies outright without touching Redis when the policy needs no human", async () => {
    expect(
      (await api.decide(AUTH.caller, freshExport({ resource: { type: "database", id: "staging/customers", environment: "staging" } })))
        .body,
    ).toMatchObject({
      outcome: "allow",
    });
    const drop = await api.decide(AUTH.caller, freshExport({ action: { name: "db.drop", params: {} } }));
    expect(drop.body).toMatchObject({ outcome: "deny" });
    expect(drop.body.approval).toBeUndefined();
  });
});
