/**
 * Reviewers over HTTP, on the example policy and development identities against a real redis-server: an
 * IAM change needs bob and carol (two security), a second vote by bob is refused, carol completes the
 * quorum; the actor and the human it acts for cannot approve (dave, who holds dba and security), nor can
 * the caller or a reviewer without an eligible role; one deny denies; who may read; cancelling; the
 * reviewer inbox; and the policy's `countersign/reviewer` entrypoint refusing a reviewer. Every refusal
 * leaves the request as it was.
 */

import { useRedisServer } from "../support/redis-server";
import { approvalClient, approvalIdOf } from "./approval-client";
import {
  approvalTestService,
  AUTH,
  decisionModule,
  exportBody,
  iamBody,
  removeTempDirs,
  tempDir,
  writeBundle,
  type TestService,
} from "./service-harness";

const redis = useRedisServer();
let service: TestService;
let api: ReturnType<typeof approvalClient>;

beforeAll(async () => {
  const dir = tempDir();
  await writeBundle(dir, "example", { revision: "reviewers-1" });
  service = await approvalTestService({ bundlesDir: dir, redisUrl: redis.url });
  api = approvalClient(service.app);
});
afterAll(async () => {
  await service.close();
  removeTempDirs();
});

let n = 0;
/** An IAM change of its own (a distinct role), so tests never share a pending request. */
const freshIam = (patch: Record<string, unknown> = {}) =>
  iamBody({ action: { name: "iam.role.grant", params: { role: `role-${++n}`, to: "user:mallory" } }, ...patch });
const freshExport = (patch: Record<string, unknown> = {}) =>
  exportBody({ action: { name: "db.export", params: { table: `t${++n}` } }, ...patch });

/** The request as its caller sees it now: status, version and verdicts. */
async function state(id: string): Promise<{ status: string; version: number; verdicts: unknown[] }> {
  const res = await api.read(AUTH.caller, id);
  expect(res.status).toBe(200);
  return { status: res.body.status, version: res.body.version, verdicts: res.body.verdicts };
}

describe("quorum", () => {
  it("needs two distinct security reviewers: bob, not bob twice (409), then carol", async () => {
    const decided = await api.decide(AUTH.caller, freshIam());
    expect(decided.body.approval).toMatchObject({ quorum: 2, reviewers: { roles: ["security"] } });
    const id = approvalIdOf(decided);

    const bob = await api.verdict(AUTH.bob, id, { verdict: "approve" });
    expect(bob.status).toBe(200);
    expect(bob.body).toMatchObject({ status: "pending", version: 2, progress: { approvals: 1, quorum: 2 } });

    const again = await api.verdict(AUTH.bob, id, { verdict: "approve" });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "COUNTERSIGN_ALREADY_VOTED", message: expect.stringContaining("user:bob") });
    expect(await state(id)).toMatchObject({
      status: "pending",
      version: 2,
      verdicts: [expect.objectContaining({ reviewer_id: "user:bob" })],
    });

    const carol = await api.verdict(AUTH.carol, id, { verdict: "approve" });
    expect(carol.body).toMatchObject({ status: "approved", progress: { approvals: 2, quorum: 2 } });
    const read = await api.read(AUTH.caller, id);
    expect(read.body).toMatchObject({ status: "approved", grant: expect.any(String) });

    const late = await api.verdict(AUTH.dave, id, { verdict: "approve" });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("COUNTERSIGN_ALREADY_DECIDED");
  });

  it("denies on one eligible deny, even after an approval; the caller gets no grant", async () => {
    const id = approvalIdOf(await api.decide(AUTH.caller, freshIam()));
    await api.verdict(AUTH.bob, id, { verdict: "approve" });
    const deny = await api.verdict(AUTH.carol, id, { verdict: "deny", comment: "not during the freeze" });
    expect(deny.status).toBe(200);
    expect(deny.body).toMatchObject({
      status: "denied",
      verdicts: [{ reviewer_id: "user:bob" }, { reviewer_id: "user:carol", verdict: "deny", comment: "not during the freeze" }],
    });
    const read = await api.read(AUTH.caller, id);
    expect(read.body.status).toBe("denied");
    expect(read.body.grant).toBeUndefined();
  });
});

describe("self-approval and eligibility (403, nothing changes)", () => {
  it("refuses dave approving an export he is the actor of, though he holds dba", async () => {
    const id = approvalIdOf(await api.decide(AUTH.caller, freshExport({ actor: { id: "user:dave", type: "human" } })));
    const res = await api.verdict(AUTH.dave, id, { verdict: "approve" });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: "COUNTERSIGN_SELF_APPROVAL", message: "user:dave is the actor of this request" });
    expect(await state(id)).toEqual({ status: "pending", version: 1, verdicts: [] });
    expect((await api.verdict(AUTH.alice, id, { verdict: "approve" })).body.status).toBe("approved");
  });

  it("refuses dave approving an action an agent takes on his behalf", async () => {
    const id = approvalIdOf(
      await api.decide(AUTH.caller, freshIam({ actor: { id: "agent:ops-bot", type: "ai_agent", on_behalf_of: "user:dave" } })),
    );
    const res = await api.verdict(AUTH.dave, id, { verdict: "approve" });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: "COUNTERSIGN_SELF_APPROVAL", message: expect.stringContaining("on_behalf_of") });
    expect(await state(id)).toEqual({ status: "pending", version: 1, verdicts: [] });
  });

  it("refuses the same person however the request spells them (User:Dave)", async () => {
    const id = approvalIdOf(
      await api.decide(AUTH.caller, freshIam({ actor: { id: "agent:ops-bot", type: "ai_agent", on_behalf_of: "User:Dave" } })),
    );
    expect((await api.verdict(AUTH.dave, id, { verdict: "deny" })).body.error.code).toBe("COUNTERSIGN_SELF_APPROVAL");
    expect(await state(id)).toEqual({ status: "pending", version: 1, verdicts: [] });
  });

  it("refuses a reviewer without an eligible role, naming the roles, and the caller itself", async () => {
    const id = approvalIdOf(await api.decide(AUTH.caller, freshIam()));
    const alice = await api.verdict(AUTH.alice, id, { verdict: "approve" });
    expect(alice.status).toBe(403);
    expect(alice.body.error).toMatchObject({
      code: "COUNTERSIGN_NOT_ELIGIBLE",
      message: "user:alice has none of the roles this request needs (security)",
    });
    const erin = await api.verdict(AUTH.erin, id, { verdict: "deny" });
    expect(erin.status).toBe(403);
    expect(erin.body.error.code).toBe("COUNTERSIGN_NOT_ELIGIBLE");
    const caller = await api.verdict(AUTH.caller, id, { verdict: "approve" });
    expect(caller.status).toBe(403);
    expect(caller.body.error.code).toBe("COUNTERSIGN_SELF_APPROVAL");
    expect(await state(id)).toEqual({ status: "pending", version: 1, verdicts: [] });
  });
});

describe("reading", () => {
  it("lets the creating caller and eligible reviewers read, and tells anyone else the request does not exist", async () => {
    const id = approvalIdOf(await api.decide(AUTH.caller, freshIam({ actor: { id: "user:dave", type: "human" } })));
    expect((await api.read(AUTH.caller, id)).status).toBe(200);
    expect((await api.read(AUTH.bob, id)).status).toBe(200);
    expect((await api.read(AUTH.carol, id)).status).toBe(200);
    for (const outsider of [AUTH.alice, AUTH.erin, AUTH.dave]) {
      const res = await api.read(outsider, id);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("COUNTERSIGN_APPROVAL_NOT_FOUND");
    }
  });
});

describe("cancelling", () => {
  it("lets the creating caller cancel; a reviewer is refused (403), an outsider told 404; a cancelled request takes no verdict", async () => {
    const id = approvalIdOf(await api.decide(AUTH.caller, freshIam()));
    const byBob = await api.cancel(AUTH.bob, id);
    expect(byBob.status).toBe(403);
    expect(byBob.body.error.code).toBe("COUNTERSIGN_NOT_REQUESTER");
    expect((await api.cancel(AUTH.erin, id)).status).toBe(404);
    expect(await state(id)).toEqual({ status: "pending", version: 1, verdicts: [] });

    const cancelled = await api.cancel(AUTH.caller, id, { reason: "change ticket withdrawn" });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "cancelled", cancellation: { by: "svc:ci", reason: "change ticket withdrawn" } });
    expect((await api.cancel(AUTH.caller, id)).body.error.code).toBe("COUNTERSIGN_ALREADY_DECIDED");
    expect((await api.verdict(AUTH.bob, id, { verdict: "approve" })).body.error.code).toBe("COUNTERSIGN_ALREADY_DECIDED");
  });

  it("cancels without a body", async () => {
    const id = approvalIdOf(await api.decide(AUTH.caller, freshIam()));
    const res = await api.cancel(AUTH.caller, id);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("cancelled");
  });
});

describe("the reviewer inbox", () => {
  it("lists only the pending requests the calling reviewer may decide now", async () => {
    await redis.flush();
    const exportId = approvalIdOf(await api.decide(AUTH.caller, freshExport()));
    const iamId = approvalIdOf(await api.decide(AUTH.caller, freshIam()));
    const davesExport = approvalIdOf(await api.decide(AUTH.caller, freshExport({ actor: { id: "user:dave", type: "human" } })));
    const decided = approvalIdOf(await api.decide(AUTH.caller, freshExport()));
    await api.verdict(AUTH.alice, decided, { verdict: "deny" });

    const ids = async (auth: string): Promise<string[]> => {
      const res = await api.inbox(auth);
      expect(res.status).toBe(200);
      return (res.body.approvals as { id: string }[]).map((a) => a.id);
    };
    expect(await ids(AUTH.alice)).toEqual([exportId, davesExport]);
    expect(await ids(AUTH.dave)).toEqual([exportId, iamId]);
    expect(await ids(AUTH.bob)).toEqual([iamId]);
    expect(await ids(AUTH.erin)).toEqual([]);
    expect(await ids(AUTH.caller)).toEqual([]);

    await api.verdict(AUTH.bob, iamId, { verdict: "approve" });
    expect(await ids(AUTH.bob)).toEqual([]);
    expect(await ids(AUTH.carol)).toEqual([iamId]);

    const listed = (await api.inbox(AUTH.alice, "")).body.approvals[0];
    expect(listed.request.action.params).toEqual({ table: expect.any(String) });
    expect(listed.grant).toBeUndefined();
    expect((await api.inbox(AUTH.alice, "?status=pending&limit=1")).body.approvals).toHaveLength(1);
  });

  it("masks what the policy marks sensitive", async () => {
    await api.decide(
      AUTH.caller,
      freshExport({ action: { name: "db.export", params: { table: `t${++n}`, query: "select ssn from people" } } }),
    );
    const listed = (await api.inbox(AUTH.alice)).body.approvals as { request: { action: { params: { query?: string } } } }[];
    const queries = listed.map((a) => a.request.action.params.query).filter((q) => q !== undefined);
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.every((q) => q === "[MASKED]")).toBe(true);
  });
});

describe("the countersign/reviewer policy", () => {
  let restricted: TestService;
  let rapi: ReturnType<typeof approvalClient>;
  beforeAll(async () => {
    const dir = tempDir();
    const rego = decisionModule(`
decision := {"outcome": "require_approval", "reasons": ["needs security"],
  "approval": {"quorum": 1, "reviewers": {"roles": ["security"]}, "ttl_seconds": 600, "grant_ttl_seconds": 60, "reason_required": false}}

reviewer := {"eligible": false, "reason": "bob is on leave"} if input.reviewer.id == "user:bob"
`);
    await writeBundle(
      dir,
      { "policy.rego": rego },
      { revision: "reviewer-policy", entrypoints: ["countersign/decision", "countersign/reviewer"] },
    );
    restricted = await approvalTestService({ bundlesDir: dir, redisUrl: redis.url });
    rapi = approvalClient(restricted.app);
  });
  afterAll(async () => {
    await restricted.close();
  });

  it("refuses a reviewer it rules out (403 with its reason, nothing recorded), hides the request from them, and admits the others", async () => {
    const id = approvalIdOf(await rapi.decide(AUTH.caller, freshIam()));
    const bob = await rapi.verdict(AUTH.bob, id, { verdict: "approve" });
    expect(bob.status).toBe(403);
    expect(bob.body.error).toMatchObject({ code: "COUNTERSIGN_REVIEWER_POLICY_REFUSED", message: "bob is on leave" });
    expect((await rapi.read(AUTH.bob, id)).status).toBe(404);
    expect((await rapi.inbox(AUTH.bob)).body.approvals).toEqual([]);
    expect((await rapi.read(AUTH.caller, id)).body).toMatchObject({ status: "pending", version: 1, verdicts: [] });
    expect((await rapi.inbox(AUTH.carol)).body.approvals.map((a: { id: string }) => a.id)).toContain(id);
    expect((await rapi.verdict(AUTH.carol, id, { verdict: "approve" })).body.status).toBe("approved");
  });
});
