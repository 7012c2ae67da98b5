import { approvalVerdictEvent, bundleRefusedEvent, decisionEvent, grantRefusedEvent } from "../../src/audit/audit-event";
import { decisionView } from "../../src/audit/decision-entry";

const input = {
  actor: { id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: "user:alice" },
  action: { name: "db.export", params: { table: "customers", query: "select ssn from customers" } },
  resource: { type: "database", id: "prod/customers", environment: "production" },
  context: { reason: "quarterly report" },
  caller: { id: "svc:ci", kind: "service", roles: [] },
  now: "2026-11-21T12:00:00.000Z",
};

describe("audit events", () => {
  it("record a decision with OPA decision-log names and the request's subject (read back in full)", () => {
    const d = decisionEvent({
      decisionId: "d-1",
      caller: "svc:ci",
      input,
      outcome: "require_approval",
      reasons: ["production export needs a dba"],
      policy: { bundle: "countersign", revision: "rev-7" },
      mask: ["/action/params/query"],
      approvalId: "a-1",
      evalNs: 1234,
    });
    // Stored: each fact once (version 2); read: with the subject and the answer derived from them.
    expect(d.body).toMatchObject({ type: "decision", v: 2, decision_id: "d-1", outcome: "require_approval", input });
    for (const derived of ["path", "caller", "actor", "actor_type", "on_behalf_of", "action", "resource", "result"])
      expect(d.body).not.toHaveProperty(derived);
    expect(decisionView(d.body)).toMatchObject({
      type: "decision",
      decision_id: "d-1",
      path: "countersign/decision",
      bundles: { countersign: { revision: "rev-7" } },
      caller: "svc:ci",
      actor: "agent:deploy-bot",
      actor_type: "ai_agent",
      on_behalf_of: "user:alice",
      action: "db.export",
      resource: { type: "database", id: "prod/customers", environment: "production" },
      outcome: "require_approval",
      reasons: ["production export needs a dba"],
      result: {
        decision_id: "d-1",
        outcome: "require_approval",
        reasons: ["production export needs a dba"],
        mask: [],
        policy: { bundle: "countersign", revision: "rev-7" },
      },
      approval_id: "a-1",
      metrics: { timer_eval_ns: 1234 },
    });
    expect(d.mask).toEqual(["/input/action/params/query", "/input/grant"]);
  });

  it("leaves a subject field out when the policy masks it", () => {
    const d = decisionEvent({
      decisionId: "d-2",
      caller: "svc:ci",
      input,
      outcome: "allow",
      reasons: [],
      policy: null,
      mask: ["/actor", "/resource/id"],
    });
    // The trail masks the input before storing it; the view projects only what is still in clear.
    const maskedBody = {
      ...d.body,
      input: { ...input, actor: { $masked: "sha256:00" }, resource: { ...input.resource, id: { $masked: "sha256:01" } } },
    };
    const view = decisionView(maskedBody) as Record<string, unknown>;
    expect(view).not.toHaveProperty("actor");
    expect(view).not.toHaveProperty("on_behalf_of");
    expect(view["resource"]).toEqual({ type: "database", environment: "production" });
    expect((d.body as { bundles: object }).bundles).toEqual({});
  });

  it("omit absent optional fields instead of storing undefined", () => {
    const v = approvalVerdictEvent({ approvalId: "a-1", reviewer: "user:bob", channel: "teams", verdict: "approve" });
    expect(Object.keys(v.body).sort()).toEqual(["approval_id", "channel", "reviewer", "type", "verdict"]);
    const g = grantRefusedEvent({ reason: "replay", message: "grant already used", caller: "svc:ci", via: "redeem", grantId: "g-1" });
    expect(g.body).toEqual({
      type: "grant.refused",
      reason: "replay",
      message: "grant already used",
      caller: "svc:ci",
      via: "redeem",
      grant_id: "g-1",
    });
    const b = bundleRefusedEvent({
      bundle: "countersign",
      reason: { code: "COUNTERSIGN_BUNDLE_CORRUPT", message: "not gzip" },
      servingRevision: "rev-6",
    });
    expect(b.body).toEqual({
      type: "bundle.refused",
      bundle: "countersign",
      reason: { code: "COUNTERSIGN_BUNDLE_CORRUPT", message: "not gzip" },
      serving_revision: "rev-6",
    });
  });
});
