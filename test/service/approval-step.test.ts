/**
 * The decide use case's approval step with a scripted approval gate: a require_approval answer opens a
 * request (or is denied when none can be opened), a grant is redeemed only when the policy still requires
 * approval (the policy's allow or deny wins and leaves the grant unspent), and every refusal is a deny
 * carrying its code.
 */

import type { EvaluatedDecision } from "../../src/engine/decision-contract";
import type { Principal } from "../../src/identity/principal";
import { fixedClock } from "../../src/policy/clock";
import type { ApprovalGate, ApprovalOpening, ApprovalOpenResult, GrantRedeemResult } from "../../src/service/approval-gate";
import { createDecideUseCase } from "../../src/service/decide";
import type { DecideRequest } from "../../src/service/decide-request";
import type { Decision, DecisionEvent } from "../../src/service/decision-response";

const NOW = BigInt(Date.UTC(2026, 10, 21, 12, 0, 0)) * 1_000_000n;
const CALLER: Principal = { id: "svc:ci", kind: "service", roles: [], auditor: false };
const REQUEST: DecideRequest = {
  actor: { id: "agent:bot", type: "ai_agent", on_behalf_of: "user:mallory" },
  action: { name: "db.export", params: { table: "t" } },
  resource: { type: "database", id: "prod/t", environment: "production" },
  context: { reason: "report" },
  idempotency_key: "k-1",
};
const REQUIREMENTS = { quorum: 1, reviewers: { roles: ["dba"] }, ttl_seconds: 60, grant_ttl_seconds: 30, reason_required: true };
const policyRef = { bundle: "countersign", revision: "r1" };
const answer = (outcome: EvaluatedDecision["outcome"]): EvaluatedDecision => ({
  outcome,
  reasons: [`policy says ${outcome}`],
  ...(outcome === "require_approval" ? { approval: REQUIREMENTS } : {}),
  mask: ["/action/params/table"],
  policy: policyRef,
  evalNs: 10,
});

/** A gate that records its calls and answers as scripted. */
class ScriptedGate implements ApprovalGate {
  readonly opened: ApprovalOpening[] = [];
  readonly redeemed: { grant: string; action: unknown }[] = [];
  constructor(
    private readonly onOpen: () => Promise<ApprovalOpenResult> = async () => ({
      ok: true,
      approval: {
        id: "apr_1",
        status: "pending",
        created: true,
        createdAt: Date.UTC(2026, 10, 21, 12),
        expiresAt: Date.UTC(2026, 10, 21, 12, 1),
      },
    }),
    private readonly onRedeem: () => Promise<GrantRedeemResult> = async () => ({
      ok: true,
      grant: { approvalId: "apr_1", jti: "j-1", approvers: ["user:alice", "user:dave"], use: 1, maxUses: 1 },
    }),
  ) {}
  async open(opening: ApprovalOpening): Promise<ApprovalOpenResult> {
    this.opened.push(opening);
    return this.onOpen();
  }
  async redeem(grant: string, action: unknown): Promise<GrantRedeemResult> {
    this.redeemed.push({ grant, action });
    return this.onRedeem();
  }
}

function useCase(outcome: EvaluatedDecision["outcome"], gate: ApprovalGate | undefined, seen: DecisionEvent[] = []) {
  let n = 0;
  return createDecideUseCase({
    audit: { record: async () => undefined },
    policy: { decide: () => answer(outcome), status: () => ({ ready: true, active: [], reloadFailures: 0 }) },
    clock: fixedClock(NOW),
    ids: { next: () => `id-${++n}` },
    observers: [{ decided: (e) => void seen.push(e) }],
    ...(gate === undefined ? {} : { approvals: gate }),
  });
}

describe("a require_approval answer", () => {
  it("opens a request with the caller, the request, the decision and the policy's requirements, and points to it", async () => {
    const gate = new ScriptedGate();
    const decision = await useCase("require_approval", gate)(REQUEST, CALLER);
    expect(gate.opened).toEqual([
      {
        caller: CALLER,
        request: REQUEST,
        decisionId: "id-1",
        policy: policyRef,
        reasons: ["policy says require_approval"],
        requirements: REQUIREMENTS,
        mask: ["/action/params/table"],
        beforeAnnounce: expect.any(Function),
      },
    ]);
    expect(decision).toEqual<Decision>({
      decision_id: "id-1",
      outcome: "require_approval",
      reasons: ["policy says require_approval"],
      approval: {
        id: "apr_1",
        status: "pending",
        status_url: "/v1/approvals/apr_1",
        created: true,
        created_at: "2026-11-21T12:00:00.000Z",
        expires_at: "2026-11-21T12:01:00.000Z",
        ...REQUIREMENTS,
      },
      mask: ["/action/params/table"],
      policy: policyRef,
    });
  });

  it("is denied with the gate's code and reason when no request can be opened, and observers see the deny", async () => {
    const seen: DecisionEvent[] = [];
    const gate = new ScriptedGate(async () => ({
      ok: false,
      code: "COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE",
      reason: "approval store unavailable",
    }));
    const decision = await useCase("require_approval", gate, seen)(REQUEST, CALLER);
    expect(decision).toMatchObject({
      outcome: "deny",
      reasons: ["approval store unavailable"],
      code: "COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE",
    });
    expect(decision.approval).toBeUndefined();
    expect(seen.map((e) => e.decision.outcome)).toEqual(["deny"]);
  });

  it("is denied (approval store unavailable) when the service has no approval workflow", async () => {
    const decision = await useCase("require_approval", undefined)(REQUEST, CALLER);
    expect(decision).toMatchObject({
      outcome: "deny",
      reasons: ["approval store unavailable"],
      code: "COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE",
    });
  });

  it("rejects with the gate's error when the request itself is at fault, and tells no observer", async () => {
    const seen: DecisionEvent[] = [];
    const fault = Object.assign(new Error("this action requires a reason"), { code: "COUNTERSIGN_REASON_REQUIRED" });
    const gate = new ScriptedGate(async () => {
      throw fault;
    });
    await expect(useCase("require_approval", gate, seen)(REQUEST, CALLER)).rejects.toBe(fault);
    expect(seen).toEqual([]);
  });
});

describe("a request with a grant", () => {
  const withGrant: DecideRequest = { ...REQUEST, grant: "grant-token" };

  it("is allowed, approved by the grant's approvers, when the policy still requires approval and the grant redeems", async () => {
    const gate = new ScriptedGate();
    const decision = await useCase("require_approval", gate)(withGrant, CALLER);
    expect(gate.redeemed).toEqual([{ grant: "grant-token", action: withGrant }]);
    expect(gate.opened).toEqual([]);
    expect(decision).toEqual<Decision>({
      decision_id: "id-1",
      outcome: "allow",
      reasons: ["approved by user:alice, user:dave"],
      grant: { approval_id: "apr_1", jti: "j-1", approvers: ["user:alice", "user:dave"] },
      mask: ["/action/params/table"],
      policy: policyRef,
    });
  });

  it("is denied with the refusal's reason and code when the grant does not redeem", async () => {
    const gate = new ScriptedGate(undefined, async () => ({
      ok: false,
      code: "COUNTERSIGN_GRANT_REPLAYED",
      reason: "the grant has already been used",
    }));
    const decision = await useCase("require_approval", gate)(withGrant, CALLER);
    expect(decision).toMatchObject({ outcome: "deny", reasons: ["the grant has already been used"], code: "COUNTERSIGN_GRANT_REPLAYED" });
    expect(decision.grant).toBeUndefined();
    expect(gate.opened).toEqual([]);
  });

  it.each(["deny", "allow"] as const)("gets the policy's own %s, the grant neither consulted nor spent", async (outcome) => {
    const gate = new ScriptedGate();
    const decision = await useCase(outcome, gate)(withGrant, CALLER);
    expect(decision).toMatchObject({ outcome, reasons: [`policy says ${outcome}`] });
    expect(decision.code).toBeUndefined();
    expect(gate.redeemed).toEqual([]);
  });
});
