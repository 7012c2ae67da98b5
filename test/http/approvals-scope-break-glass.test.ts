/**
 * Scoped approvals and break-glass through the service (`assembleService` on a real redis-server, a policy
 * that allows a scope of up to 3 uses and break-glass on exports): the reviewer picks the scope in the API,
 * `/v1/decide` with the grant allows exactly that many times and says how many uses are left; a break-glass
 * export is allowed at once, recorded loudly (trail, warn log, metric) and opens a post-hoc review that
 * reviewers acknowledge and that yields no grant; where the policy does not allow it, break-glass is a deny
 * with its own code; a justification too short is a 400. The workflow's metrics appear on /metrics.
 */

import request from "supertest";
import { approvalClient, approvalIdOf } from "./approval-client";
import { approvalTestService, AUTH, decisionModule, removeTempDirs, tempDir, writeBundle, type TestService } from "./service-harness";
import { useRedisServer } from "../support/redis-server";
import { storedEntries } from "../audit/audit-fixtures";

const redis = useRedisServer({ flushBetweenTests: true });
let bundlesDir: string;
let service: TestService;

const POLICY = decisionModule(`
default decision := {"outcome": "allow", "reasons": ["nothing to check"]}

decision := {
  "outcome": "require_approval",
  "reasons": ["exports need a dba"],
  "approval": {"quorum": 1, "reviewers": {"roles": ["dba"]}, "ttl_seconds": 3600, "max_scope": {"count": 3}, "break_glass_allowed": true},
} if input.action.name == "db.export"

decision := {
  "outcome": "require_approval",
  "reasons": ["role grants need security"],
  "approval": {"quorum": 1, "reviewers": {"roles": ["security"]}, "ttl_seconds": 3600},
} if input.action.name == "iam.role.grant"
`);

beforeAll(async () => {
  bundlesDir = tempDir();
  await writeBundle(bundlesDir, { "policy.rego": POLICY }, { revision: "scope-1" });
});
beforeEach(async () => {
  service = await approvalTestService({ bundlesDir, redisUrl: redis.url });
});
afterEach(async () => {
  await service.close();
});
afterAll(() => removeTempDirs());

function exportBody(table: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    actor: { id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: "user:mallory" },
    action: { name: "db.export", params: { table } },
    resource: { type: "database", id: "prod/customers", environment: "production" },
    context: { reason: "incident 42" },
    ...extra,
  };
}

it("the reviewer grants 3 uses: decide with the grant allows three times, then denies", async () => {
  const api = approvalClient(service.app);
  const opened = await api.decide(AUTH.caller, exportBody("customers"));
  expect(opened.body.approval).toMatchObject({ max_scope: { count: 3 }, break_glass_allowed: true });
  const id = approvalIdOf(opened);

  const tooWide = await api.verdict(AUTH.alice, id, { verdict: "approve", scope: { count: 5 } });
  expect(tooWide.status).toBe(403);
  expect(tooWide.body.error).toMatchObject({
    code: "COUNTERSIGN_SCOPE_TOO_WIDE",
    message: "a scope of 5 uses is wider than this request allows (3 uses)",
  });
  const bad = await api.verdict(AUTH.alice, id, { verdict: "approve", scope: "forever" });
  expect(bad.status).toBe(400);
  expect((await api.verdict(AUTH.alice, id, { verdict: "approve", scope: { count: 3 }, comment: "for the incident" })).status).toBe(200);

  const grant = (await api.read(AUTH.caller, id)).body.grant as string;
  const uses = [];
  for (let i = 0; i < 4; i++) uses.push((await api.decide(AUTH.caller, exportBody("customers", { grant }))).body);
  expect(uses.slice(0, 3).map((d) => [d.outcome, d.grant.use, d.grant.uses_left])).toEqual([
    ["allow", 1, 2],
    ["allow", 2, 1],
    ["allow", 3, 0],
  ]);
  expect(uses[3]).toMatchObject({ outcome: "deny", code: "COUNTERSIGN_GRANT_REPLAYED" });
  // Another table is another action: the grant does not cover it.
  const other = await api.decide(AUTH.caller, exportBody("payments", { grant }));
  expect(other.body).toMatchObject({ outcome: "deny", code: "COUNTERSIGN_GRANT_MISMATCH" });
});

it("break-glass: allowed at once, recorded loudly, a post-hoc review to acknowledge that yields no grant", async () => {
  const api = approvalClient(service.app);
  const justification = "prod is down, customers cannot log in (INC-42)";
  const answer = await api.decide(AUTH.caller, exportBody("sessions", { break_glass: { justification } }));
  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({
    outcome: "allow",
    break_glass: { review_id: expect.any(String), status_url: expect.stringMatching(/^\/v1\/approvals\//) },
  });
  expect(answer.body.reasons).toContain(`break-glass: ${justification}`);
  const reviewId = answer.body.break_glass.review_id as string;

  // Loud: warn log, metric, the trail's decision event.
  expect(service.log.lines().some((l) => l["level"] === "warn" && String(l["message"]).includes("BREAK-GLASS"))).toBe(true);
  const metrics = await request(service.app).get("/metrics");
  expect(metrics.text).toMatch(/^countersign_break_glass_total 1$/m);
  const events = await storedEntries(redis.connect());
  expect(events.find((e) => e["type"] === "decision" && e["outcome"] === "allow")).toMatchObject({
    approval_id: reviewId,
    break_glass: { justification },
  });

  // The review: in dba inboxes, acknowledged by a dba; it never carries a grant.
  const inbox = await api.inbox(AUTH.alice);
  expect(inbox.body.approvals.map((a: { id: string }) => a.id)).toContain(reviewId);
  const review = (await api.read(AUTH.alice, reviewId)).body;
  expect(review).toMatchObject({
    status: "pending",
    break_glass: { justification },
    required: { quorum: 1, reviewers: { roles: ["dba"] } },
  });
  expect((await api.verdict(AUTH.alice, reviewId, { verdict: "approve", comment: "acknowledged" })).body.status).toBe("approved");
  expect((await api.read(AUTH.caller, reviewId)).body.grant).toBeUndefined();

  // A break-glass use never absorbs a later ordinary request for the same action.
  const ordinary = await api.decide(AUTH.caller, exportBody("sessions"));
  expect(ordinary.body.outcome).toBe("require_approval");
  expect(ordinary.body.approval.id).not.toBe(reviewId);
});

it("break-glass where the policy does not allow it is a deny; a justification too short is a 400", async () => {
  const api = approvalClient(service.app);
  const iam = {
    actor: { id: "svc:ci", type: "ci" },
    action: { name: "iam.role.grant", params: { role: "admin" } },
    resource: { type: "iam", id: "roles/admin" },
    break_glass: { justification: "need it now, on call" },
  };
  const refused = await api.decide(AUTH.caller, iam);
  expect(refused.body).toMatchObject({ outcome: "deny", code: "COUNTERSIGN_BREAK_GLASS_NOT_ALLOWED" });
  expect((await api.inbox(AUTH.bob)).body.approvals).toEqual([]);

  const short = await api.decide(AUTH.caller, exportBody("x", { break_glass: { justification: "pls" } }));
  expect(short.status).toBe(400);
  expect(JSON.stringify(short.body)).toContain("break_glass");
});

it("the workflow's metrics: pending requests, time to first verdict and to decision", async () => {
  const api = approvalClient(service.app);
  const a = approvalIdOf(await api.decide(AUTH.caller, exportBody("a")));
  approvalIdOf(await api.decide(AUTH.caller, exportBody("b")));
  await api.verdict(AUTH.alice, a, { verdict: "deny", comment: "no" });
  const text = (await request(service.app).get("/metrics")).text;
  expect(text).toMatch(/^countersign_approvals_pending 1$/m);
  expect(text).toMatch(/^countersign_approval_time_to_first_verdict_seconds_count\{verdict="deny"\} 1$/m);
  expect(text).toMatch(/^countersign_approval_time_to_decision_seconds_count\{outcome="denied"\} 1$/m);
  expect(text).toMatch(/^countersign_approval_reminders_total 0$/m);
});
