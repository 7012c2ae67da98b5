/**
 * The pure rules: legal transitions, quorum arithmetic (distinct approvers, groups, deny wins) and reviewer
 * eligibility (no self-approval in any of its forms, roles, one vote each, pending and unexpired only).
 */

import { createHash } from "node:crypto";
import type { ApprovalRequirements } from "../../src/engine/decision-contract";
import type { ApprovalRequest, Verdict } from "../../src/approvals/approval-request";
import { canTransition, effectiveQuorum, evaluateQuorum, assertUsableRequirements } from "../../src/approvals/approval-state-machine";
import { reviewerStanding, verdictEligibility } from "../../src/approvals/reviewer-eligibility";
import { maskDocument as maskPointers } from "../../src/json/document-masking";
import { actionDigest } from "../../src/approvals/action-digest";
import { alice, bob, carol, dave, dbaAndSecurity, erin, oneDba, twoSecurity } from "./approval-fixtures";

const v = (reviewerId: string, verdict: "approve" | "deny", roles: string[]): Verdict => ({
  reviewerId,
  verdict,
  roles,
  channel: "api",
  at: 0,
});

function request(over: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    id: "apr_1",
    request: {
      actor: { id: "agent:deploy-bot", on_behalf_of: "user:mallory" },
      action: { name: "db.export" },
      resource: { id: "prod/customers" },
      context: {},
    },
    requirements: oneDba,
    requesters: { callerId: "svc:ci", callerOwner: "user:erin", actorId: "agent:deploy-bot", onBehalfOf: "user:mallory" },
    decisionId: "dec_1",
    policy: null,
    reasons: [],
    actionDigest: "x",
    createdAt: 0,
    expiresAt: 1000,
    mask: [],
    status: "pending",
    version: 1,
    updatedAt: 0,
    verdicts: [],
    ...over,
  };
}

describe("transitions", () => {
  it.each([
    ["pending", "approved", true],
    ["pending", "denied", true],
    ["pending", "expired", true],
    ["pending", "cancelled", true],
    ["approved", "denied", false],
    ["denied", "approved", false],
    ["expired", "approved", false],
    ["cancelled", "pending", false],
    ["approved", "pending", false],
  ] as const)("%s → %s is %s", (from, to, legal) => {
    expect(canTransition(from, to)).toBe(legal);
  });
});

describe("quorum", () => {
  it("needs N distinct approvers", () => {
    expect(evaluateQuorum(twoSecurity, [v("user:bob", "approve", ["security"])]).outcome).toBe("pending");
    expect(evaluateQuorum(twoSecurity, [v("user:bob", "approve", ["security"]), v("user:carol", "approve", ["security"])]).outcome).toBe(
      "approved",
    );
  });

  it("counts one person once, whatever the spelling of their id", () => {
    const p = evaluateQuorum(twoSecurity, [v("user:bob", "approve", ["security"]), v("User:Bob", "approve", ["security"])]);
    expect(p.outcome).toBe("pending");
    expect(p.approvers).toEqual(["user:bob"]);
  });

  it("requires every group; a person in two groups counts toward each but once overall", () => {
    const dual = evaluateQuorum(dbaAndSecurity, [v("user:dave", "approve", ["dba", "security"])]);
    expect(dual.groups.map((g) => g.count)).toEqual([1, 1]);
    expect(dual.outcome).toBe("pending");
    expect(evaluateQuorum(dbaAndSecurity, [v("user:alice", "approve", ["dba"]), v("user:frank", "approve", ["dba"])]).outcome).toBe(
      "pending",
    );
    expect(evaluateQuorum(dbaAndSecurity, [v("user:alice", "approve", ["dba"]), v("user:carol", "approve", ["security"])]).outcome).toBe(
      "approved",
    );
    expect(
      evaluateQuorum(dbaAndSecurity, [v("user:dave", "approve", ["dba", "security"]), v("user:carol", "approve", ["security"])]).outcome,
    ).toBe("approved");
  });

  it("denies on one deny, even after approvals", () => {
    const p = evaluateQuorum(twoSecurity, [v("user:bob", "approve", ["security"]), v("user:carol", "deny", ["security"])]);
    expect(p.outcome).toBe("denied");
    expect(p.deniedBy).toBe("user:carol");
  });

  it("never enforces less than 1 nor less than the sum of the groups", () => {
    expect(effectiveQuorum({ ...oneDba, quorum: 0 })).toBe(1);
    expect(effectiveQuorum({ ...dbaAndSecurity, quorum: 1 })).toBe(2);
  });

  it.each<[string, Partial<ApprovalRequirements>]>([
    ["no roles", { reviewers: {} }],
    ["negative quorum", { quorum: -1 }],
    ["fractional quorum", { quorum: 1.5 }],
    ["empty group", { reviewers: { groups: [{ roles: [], quorum: 1 }] } }],
    ["zero ttl", { ttl_seconds: 0 }],
  ])("refuses unusable requirements: %s", (_name, over) => {
    expect(() => assertUsableRequirements({ ...oneDba, ...over })).toThrow(
      expect.objectContaining({ code: "COUNTERSIGN_APPROVAL_REQUIREMENTS_INVALID" }),
    );
  });
});

describe("eligibility", () => {
  it.each([
    ["the actor", { id: "agent:deploy-bot", roles: ["dba"] }],
    ["the actor, spelled differently", { id: " AGENT:Deploy-Bot ", roles: ["dba"] }],
    ["the on_behalf_of human", { id: "user:mallory", roles: ["dba"] }],
    ["the caller principal", { id: "svc:ci", roles: ["dba"] }],
    ["the caller's owner", { id: "user:erin", roles: ["dba"] }],
  ])("refuses %s as self-approval", (_who, reviewer) => {
    const r = verdictEligibility(request(), reviewer, 0);
    expect(r).toMatchObject({ eligible: false, code: "COUNTERSIGN_SELF_APPROVAL" });
  });

  it("refuses a reviewer without an eligible role, naming the roles", () => {
    expect(verdictEligibility(request(), bob, 0)).toEqual({
      eligible: false,
      code: "COUNTERSIGN_NOT_ELIGIBLE",
      reason: "user:bob has none of the roles this request needs (dba)",
    });
  });

  it("accepts an eligible reviewer and reports the roles that count", () => {
    expect(verdictEligibility(request(), dave, 0)).toEqual({ eligible: true, roles: ["dba"] });
    expect(reviewerStanding(request({ requirements: dbaAndSecurity }), dave)).toEqual({ eligible: true, roles: ["dba", "security"] });
  });

  it("refuses a second vote, a decided request and an expired one", () => {
    expect(verdictEligibility(request({ verdicts: [v("user:alice", "approve", ["dba"])] }), alice, 0)).toMatchObject({
      code: "COUNTERSIGN_ALREADY_VOTED",
    });
    expect(verdictEligibility(request({ status: "approved" }), alice, 0)).toMatchObject({ code: "COUNTERSIGN_ALREADY_DECIDED" });
    expect(verdictEligibility(request(), alice, 1000)).toMatchObject({ code: "COUNTERSIGN_EXPIRED" });
  });

  it("keeps an owner out even when they hold every role", () => {
    expect(reviewerStanding(request({ requirements: twoSecurity }), erin)).toMatchObject({ code: "COUNTERSIGN_SELF_APPROVAL" });
    expect(reviewerStanding(request({ requirements: twoSecurity }), carol).eligible).toBe(true);
  });

  it("lets only people review: a service or agent principal never counts, whatever its roles", () => {
    expect(reviewerStanding(request(), { ...alice, kind: "human" }).eligible).toBe(true);
    for (const kind of ["service", "agent"]) {
      const refused = reviewerStanding(request(), { id: "svc:robot", roles: ["dba"], kind });
      expect(refused).toMatchObject({ eligible: false, code: "COUNTERSIGN_NOT_ELIGIBLE" });
      expect(refused.eligible ? "" : refused.reason).toContain(`a ${kind} identity`);
    }
  });
});

describe("action digest and masking", () => {
  it("is the SHA-256 of the RFC 8785 form, independent of key order and number spelling", () => {
    const a = actionDigest({ actor: { id: "a", type: "x" }, action: { name: "n", params: { rows: 1e3 } }, resource: { id: "r" } });
    const b = actionDigest({
      resource: { id: "r" },
      action: { params: { rows: 1000 }, name: "n" },
      actor: { type: "x", id: "a" },
    } as never);
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    // Known vector: sha256 of {"action":{"name":"n"},"actor":{"id":"a"},"resource":{}}
    expect(actionDigest({ actor: { id: "a" }, action: { name: "n" }, resource: {} })).toBe(
      createHash("sha256").update('{"action":{"name":"n"},"actor":{"id":"a"},"resource":{}}').digest("hex"),
    );
  });

  it("masks values at JSON pointers without touching the original", () => {
    const doc = { action: { params: { query: "select *", "a/b": 1 } }, list: [1, 2] };
    expect(maskPointers(doc, ["/action/params/query", "/action/params/a~1b", "/list/1", "/missing/x"])).toEqual({
      action: { params: { query: "[MASKED]", "a/b": "[MASKED]" } },
      list: [1, "[MASKED]"],
    });
    expect(doc.action.params.query).toBe("select *");
  });
});
