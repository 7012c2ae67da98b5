/**
 * The decide use case on its own: the policy input it builds (request, caller, server time from the
 * injected clock), the answer it shapes, the observers it tells, and failing closed whatever the policy
 * adapter does.
 */

import type { EvaluatedDecision } from "../../src/engine/decision-contract";
import type { Principal } from "../../src/identity/principal";
import { fixedClock } from "../../src/policy/clock";
import { createDecideUseCase } from "../../src/service/decide";
import type { DecideRequest } from "../../src/service/decide-request";
import type { DecisionEvent } from "../../src/service/decision-response";
import type { DecisionPolicy } from "../../src/service/decision-policy";
import type { PolicyInput } from "../../src/service/policy-input";

const NOW = BigInt(Date.UTC(2025, 5, 1, 12, 30, 15, 250)) * 1_000_000n;

const CALLER: Principal = {
  id: "svc:ci",
  kind: "service",
  roles: ["deployer"],
  owner: "user:olivia",
  auditor: false,
  teams: { aadObjectId: "x", tenantId: "y" },
};

const REQUEST: DecideRequest = {
  actor: { id: "agent:bot", type: "ai_agent", on_behalf_of: "user:alice" },
  action: { name: "db.export", params: { table: "t" } },
  resource: { type: "database", id: "prod/t", environment: "production" },
  idempotency_key: "retry-1",
  grant: "a-grant-token",
};

const APPROVAL: EvaluatedDecision = {
  outcome: "require_approval",
  reasons: ["needs a dba"],
  approval: { quorum: 1, reviewers: { roles: ["dba"] }, ttl_seconds: 60, grant_ttl_seconds: 30, reason_required: false },
  mask: ["/action/params/table"],
  rule: "prod-export",
  policy: { bundle: "countersign", revision: "r1" },
  evalNs: 1234,
};

function recordingPolicy(answer: (input: PolicyInput) => EvaluatedDecision): DecisionPolicy & { inputs: PolicyInput[]; ids: string[] } {
  const inputs: PolicyInput[] = [];
  const ids: string[] = [];
  return {
    inputs,
    ids,
    decide(input, id) {
      inputs.push(input);
      ids.push(id);
      return answer(input);
    },
    status: () => ({ ready: true, active: [], reloadFailures: 0 }),
  };
}

const ids = () => {
  let n = 0;
  return { next: () => `id-${++n}` };
};

describe("the decide use case", () => {
  it("hands the policy the request, the caller (without credentials or Teams data) and the injected time", async () => {
    const policy = recordingPolicy(() => APPROVAL);
    const decide = createDecideUseCase({ audit: { record: async () => undefined }, policy, clock: fixedClock(NOW), ids: ids() });
    await decide(REQUEST, CALLER);
    expect(policy.inputs[0]).toEqual({
      actor: REQUEST.actor,
      action: REQUEST.action,
      resource: REQUEST.resource,
      context: {},
      idempotency_key: "retry-1",
      caller: { id: "svc:ci", kind: "service", roles: ["deployer"], owner: "user:olivia" },
      now: "2025-06-01T12:30:15.250Z",
    });
    expect(policy.inputs[0]).not.toHaveProperty("grant");
    expect(policy.ids).toEqual(["id-1"]);
  });

  it("answers with the decision id, the policy's outcome, reasons, mask and bundle, and no internals", async () => {
    const allow: EvaluatedDecision = {
      outcome: "allow",
      reasons: ["routine"],
      mask: ["/action/params/table"],
      rule: "r",
      policy: { bundle: "countersign", revision: "r1" },
      evalNs: 5,
    };
    const decide = createDecideUseCase({
      audit: { record: async () => undefined },
      policy: recordingPolicy(() => allow),
      clock: fixedClock(NOW),
      ids: ids(),
    });
    const decision = await decide(REQUEST, CALLER);
    expect(decision).toEqual({
      decision_id: "id-1",
      outcome: "allow",
      reasons: ["routine"],
      mask: ["/action/params/table"],
      policy: { bundle: "countersign", revision: "r1" },
    });
  });

  it("tells every observer about the decision, with the input, the engine's result and the instant", async () => {
    const seen: DecisionEvent[] = [];
    const decide = createDecideUseCase({
      audit: { record: async () => undefined },
      policy: recordingPolicy(() => APPROVAL),
      clock: fixedClock(NOW),
      ids: ids(),
      observers: [{ decided: (e) => seen.push(e) }, { decided: (e) => seen.push(e) }],
    });
    const decision = await decide(REQUEST, CALLER);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({ decision, caller: CALLER, request: REQUEST, evaluated: APPROVAL });
    expect(seen[0]!.at.toISOString()).toBe("2025-06-01T12:30:15.250Z");
  });

  it("denies when the policy adapter throws", async () => {
    const decide = createDecideUseCase({
      audit: { record: async () => undefined },
      policy: recordingPolicy(() => {
        throw new Error("boom");
      }),
      clock: fixedClock(NOW),
      ids: ids(),
    });
    const decision = await decide(REQUEST, CALLER);
    expect(decision).toMatchObject({ outcome: "deny", policy: null, mask: [] });
    expect(decision.approval).toBeUndefined();
  });

  it("turns a failure reported with any outcome but deny into a deny", async () => {
    const confused: EvaluatedDecision = { ...APPROVAL, outcome: "allow", failure: { code: "COUNTERSIGN_POLICY_TIMEOUT", message: "slow" } };
    const decide = createDecideUseCase({
      audit: { record: async () => undefined },
      policy: recordingPolicy(() => confused),
      clock: fixedClock(NOW),
      ids: ids(),
    });
    const decision = await decide(REQUEST, CALLER);
    expect(decision.outcome).toBe("deny");
    expect(decision.approval).toBeUndefined();
  });

  it("waits for a policy that answers asynchronously", async () => {
    const policy: DecisionPolicy = {
      decide: async () => ({ ...APPROVAL, outcome: "deny", approval: undefined }),
      status: () => ({ ready: true, active: [], reloadFailures: 0 }),
    };
    const decide = createDecideUseCase({ audit: { record: async () => undefined }, policy, clock: fixedClock(NOW), ids: ids() });
    expect((await decide(REQUEST, CALLER)).outcome).toBe("deny");
  });
});

describe("the audit trail", () => {
  it('records every answer before giving it, and answers deny "audit unavailable" when it cannot', async () => {
    const allow: EvaluatedDecision = {
      outcome: "allow",
      reasons: ["routine"],
      mask: [],
      policy: { bundle: "countersign", revision: "r1" },
      evalNs: 5,
    };
    const recorded: string[] = [];
    const ok = createDecideUseCase({
      audit: { record: async (e) => void recorded.push(e.decision.outcome) },
      policy: recordingPolicy(() => allow),
      clock: fixedClock(NOW),
      ids: ids(),
    });
    expect((await ok(REQUEST, CALLER)).outcome).toBe("allow");
    expect(recorded).toEqual(["allow"]);

    const seen: DecisionEvent[] = [];
    const failing = createDecideUseCase({
      audit: { record: async () => Promise.reject(new Error("redis down")) },
      policy: recordingPolicy(() => allow),
      clock: fixedClock(NOW),
      ids: ids(),
      observers: [{ decided: (e) => void seen.push(e) }],
    });
    const denied = await failing(REQUEST, CALLER);
    expect(denied).toMatchObject({ outcome: "deny", reasons: ["audit unavailable"], code: "COUNTERSIGN_AUDIT_UNAVAILABLE" });
    expect(seen[0]!.evaluated.failure).toEqual({ code: "COUNTERSIGN_AUDIT_UNAVAILABLE", message: "redis down" });
  });
});
