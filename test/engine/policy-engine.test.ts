/**
 * The policy engine: decisions from the example policy, and every fail-closed path answering deny with
 * its failure code (no policy, an evaluation error, an undefined or ill-formed decision, an overrun).
 */

import { promises as fs } from "node:fs";
import * as path from "node:path";
import { RawJson } from "../../src/policy/compiled-policy";
import { PolicyEngine, type MonotonicTimer } from "../../src/engine/policy-engine";
import type { EvaluatedDecision } from "../../src/engine/decision-contract";
import { loadDecisionBundle } from "../../src/engine/loaded-bundle";
import { bundleFrom, constantDecision, decisionPolicy, fixedProvider, loadedFrom, recordingLogger, ROOT } from "./engine-fixtures";

const request = (action: string, environment: string, type = "human"): Record<string, unknown> => ({
  actor: { id: "user:alice", type },
  action: { name: action, params: {} },
  resource: { type: "database", id: "prod/customers", environment },
  context: { reason: "quarterly report" },
  caller: { id: "svc:ci", kind: "service", roles: [] },
  now: "2026-01-01T00:00:00.000Z",
});

/** The example policy: every module in rego/ but the tests. */
async function examplePolicy() {
  const names = (await fs.readdir(path.join(ROOT, "rego"))).filter((n) => n.endsWith(".rego") && !n.endsWith("_test.rego"));
  const files = Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, await fs.readFile(path.join(ROOT, "rego", n), "utf8")] as const)),
  );
  return loadedFrom(files, { revision: "example-1" });
}

/** Asserts a fail-closed deny with the code, and returns its message. */
function expectFailClosed(d: EvaluatedDecision, code: string): string {
  expect(d.outcome).toBe("deny");
  expect(d.failure?.code).toBe(code);
  expect(d.reasons).toEqual([d.failure!.message]);
  expect(d.approval).toBeUndefined();
  expect(d.mask).toEqual([]);
  return d.failure!.message;
}

describe("decisions from the example policy", () => {
  it("answers allow, deny and require_approval with the policy's reasons and its bundle and revision", async () => {
    const engine = new PolicyEngine(fixedProvider(await examplePolicy()));

    const read = engine.decide(request("db.read", "production"));
    expect(read).toMatchObject({
      outcome: "allow",
      reasons: ["routine read"],
      rule: "reads",
      mask: [],
      policy: { bundle: "countersign", revision: "example-1" },
    });
    expect(read.failure).toBeUndefined();
    expect(read.evalNs).toBeGreaterThan(0);

    expect(engine.decide(request("db.drop", "production"))).toMatchObject({
      outcome: "deny",
      reasons: ["destructive action on production is not allowed"],
    });
    expect(engine.decide(request("rocket.launch", "production"))).toMatchObject({
      outcome: "deny",
      reasons: ["no policy rule matches this action"],
    });

    const exp = engine.decide(request("db.export", "production", "ai_agent"));
    expect(exp).toMatchObject({
      outcome: "require_approval",
      reasons: ["exporting production data needs a DBA"],
      approval: { quorum: 1, reviewers: { roles: ["dba"] }, ttl_seconds: 3600, grant_ttl_seconds: 300, reason_required: true },
      mask: ["/action/params/query"],
    });
    expect(exp.failure).toBeUndefined();
  });

  it("answers large requests (35 params) right 1,000 times on one engine, interleaved with small ones", async () => {
    const engine = new PolicyEngine(fixedProvider(await examplePolicy()));
    for (let i = 0; i < 1000; i++) {
      const params = Object.fromEntries(Array.from({ length: 35 }, (_, j) => [`p${(i * 7 + j) % 101}`, { n: j, s: "x".repeat(j) }]));
      const big = {
        ...request(i % 2 === 0 ? "db.export" : "db.drop", "production"),
        action: { name: i % 2 === 0 ? "db.export" : "db.drop", params },
      };
      const answer = engine.decide(big);
      if (i % 2 === 0) expect(answer).toMatchObject({ outcome: "require_approval", rule: "prod-export" });
      else expect(answer).toMatchObject({ outcome: "deny", rule: "no-prod-drop" });
      expect(answer.failure).toBeUndefined();
      expect(engine.decide(request("db.read", "production"))).toMatchObject({ outcome: "allow", rule: "reads" });
    }
  });

  it("never reads a stale input on a default-allow policy: a dangerous request with 9 to 40 params is denied every time", async () => {
    const policy = await loadedFrom({
      "decision.rego": decisionPolicy(`
default decision := {"outcome": "allow", "reasons": ["default"]}
decision := {"outcome": "deny", "reasons": ["danger"]} if input.action.params.danger == true`),
    });
    const engine = new PolicyEngine(fixedProvider(policy));
    for (let i = 0; i < 1000; i++) {
      const size = 9 + (i % 32);
      const params: Record<string, unknown> = Object.fromEntries(Array.from({ length: size }, (_, j) => [`k${(i + j) % 50}`, j]));
      params.danger = i % 3 !== 0;
      const answer = engine.decide({ ...request("db.write", "production"), action: { name: "db.write", params } });
      expect(answer.failure).toBeUndefined();
      expect(answer.outcome).toBe(i % 3 !== 0 ? "deny" : "allow");
    }
  });

  it("takes input as JSON text (RawJson) without re-serialising it", async () => {
    const engine = new PolicyEngine(fixedProvider(await examplePolicy()));
    const d = engine.decide(new RawJson(JSON.stringify(request("iam.role.grant", "production"))));
    expect(d).toMatchObject({ outcome: "require_approval", approval: { quorum: 2, reviewers: { roles: ["security"] } } });
  });
});

describe("failing closed", () => {
  it("denies with COUNTERSIGN_POLICY_MISSING when no policy is loaded, and logs it with the caller's fields", () => {
    const logger = recordingLogger();
    const d = new PolicyEngine(fixedProvider(null), { logger }).decide(request("db.read", "production"), { decision_id: "dec_1" });
    expect(expectFailClosed(d, "COUNTERSIGN_POLICY_MISSING")).toBe("no policy bundle is loaded");
    expect(d.policy).toBeNull();
    expect(logger.lines).toEqual([
      {
        level: "error",
        message: "policy failed closed: no policy bundle is loaded",
        fields: expect.objectContaining({ code: "COUNTERSIGN_POLICY_MISSING", decision_id: "dec_1" }),
      },
    ]);
  });

  it("denies with COUNTERSIGN_POLICY_ERROR on a conflict between rules", async () => {
    const policy = await loadedFrom({
      "p.rego": decisionPolicy(`default decision := {"outcome": "deny"}
decision := {"outcome": "allow"} if input.a
decision := {"outcome": "deny", "reasons": ["b"]} if input.b`),
    });
    const d = new PolicyEngine(fixedProvider(policy)).decide({ a: true, b: true });
    expect(expectFailClosed(d, "COUNTERSIGN_POLICY_ERROR")).toMatch(/^policy evaluation failed: p\.rego:\d+(:\d+)?: eval_conflict_error: /);
    expect(d.policy).toEqual({ bundle: "countersign", revision: policy.ref.revision });
  });

  it("denies with COUNTERSIGN_POLICY_ERROR on a strict builtin error, then evaluates normally again", async () => {
    const policy = await loadedFrom(
      {
        "p.rego": decisionPolicy(`default decision := {"outcome": "deny", "reasons": ["default"]}
decision := {"outcome": "allow"} if regex.match(input.pattern, "x")`),
      },
      { strictBuiltinErrors: true },
    );
    const engine = new PolicyEngine(fixedProvider(policy));
    expect(expectFailClosed(engine.decide({ pattern: "[" }), "COUNTERSIGN_POLICY_ERROR")).toMatch(/eval_builtin_error: regex\.match: /);
    expect(engine.decide({ pattern: "^x$" })).toMatchObject({ outcome: "allow" });
    expect(engine.decide({})).toMatchObject({ outcome: "deny", reasons: ["default"] });
  });

  it("denies with COUNTERSIGN_POLICY_ERROR when the input cannot be serialised", async () => {
    const engine = new PolicyEngine(fixedProvider(await loadedFrom({ "p.rego": constantDecision({ outcome: "allow" }) })));
    const circular: Record<string, unknown> = {};
    circular["self"] = circular;
    expect(expectFailClosed(engine.decide(circular), "COUNTERSIGN_POLICY_ERROR")).toMatch(/input is not JSON-serialisable/);
  });

  it("denies with COUNTERSIGN_POLICY_UNDEFINED when the decision is undefined", async () => {
    const policy = await loadedFrom({ "p.rego": decisionPolicy(`decision := {"outcome": "allow"} if input.ok`) });
    const engine = new PolicyEngine(fixedProvider(policy));
    expect(expectFailClosed(engine.decide({ ok: false }), "COUNTERSIGN_POLICY_UNDEFINED")).toBe(
      "the policy's countersign/decision is undefined for this request",
    );
    expect(engine.decide({ ok: true })).toMatchObject({ outcome: "allow", reasons: [] });
  });

  it.each([
    {
      note: "an unknown outcome",
      value: { outcome: "permit" },
      problem: 'outcome must be one of "allow", "deny", "require_approval", got string "permit"',
    },
    { note: "a boolean", value: true, problem: "the decision must be an object, got boolean true" },
    {
      note: "a zero quorum",
      value: { outcome: "require_approval", approval: { quorum: 0, reviewers: { roles: ["dba"] }, ttl_seconds: 60 } },
      problem: "approval.quorum must be a positive integer, got number 0",
    },
    {
      note: "no reviewers",
      value: { outcome: "require_approval", approval: { quorum: 1, ttl_seconds: 60 } },
      problem: "approval.reviewers must be an object with roles or groups, got nothing",
    },
    {
      note: "a bad mask",
      value: { outcome: "allow", mask: ["params.query"] },
      problem: 'mask[0] must be a JSON pointer such as "/action/params/query", got string "params.query"',
    },
  ])("denies with COUNTERSIGN_POLICY_ILL_FORMED for $note", async ({ value, problem }) => {
    const engine = new PolicyEngine(fixedProvider(await loadedFrom({ "p.rego": constantDecision(value) })));
    expect(expectFailClosed(engine.decide({}), "COUNTERSIGN_POLICY_ILL_FORMED")).toBe(`policy returned an ill-formed decision: ${problem}`);
  });

  it("denies with COUNTERSIGN_POLICY_TIMEOUT when an evaluation overran its budget, even though it answered allow", async () => {
    const policy = await loadedFrom({ "p.rego": constantDecision({ outcome: "allow" }) });
    let now = 0;
    const slow: MonotonicTimer = { now: () => (now += 60) }; // every evaluation appears to take 60 ms
    const logger = recordingLogger();
    const d = new PolicyEngine(fixedProvider(policy), { timeoutMs: 50, timer: slow, logger }).decide({});
    expect(expectFailClosed(d, "COUNTERSIGN_POLICY_TIMEOUT")).toBe("policy evaluation took 60.0 ms, over its 50 ms budget");
    expect(d.evalNs).toBe(60_000_000);
    expect(logger.lines.map((l) => [l.level, l.fields["code"]])).toEqual([["error", "COUNTERSIGN_POLICY_TIMEOUT"]]);

    const inBudget = new PolicyEngine(fixedProvider(policy), { timeoutMs: 100, timer: { now: () => (now += 60) } }).decide({});
    expect(inBudget).toMatchObject({ outcome: "allow" });
  });
});

describe("optional entrypoints", () => {
  const reviewerPolicy = async () => {
    const bundle = await bundleFrom(
      {
        "p.rego": decisionPolicy(`decision := {"outcome": "allow"}
reviewer := {"eligible": false} if input.reviewer == "user:mallory"`),
      },
      { entrypoints: ["countersign/decision", "countersign/reviewer"] },
    );
    return loadDecisionBundle(bundle, "countersign", "memory");
  };

  it("reports an entrypoint the policy does not serve as absent (no restriction)", async () => {
    const engine = new PolicyEngine(fixedProvider(await loadedFrom({ "p.rego": constantDecision({ outcome: "allow" }) })));
    expect(engine.evaluateEntrypoint("countersign/reviewer", {})).toEqual({
      kind: "absent",
      policy: expect.objectContaining({ bundle: "countersign" }),
    });
  });

  it("returns the value, or undefined, of an entrypoint the policy serves (by pkg/rule or data.pkg.rule)", async () => {
    const engine = new PolicyEngine(fixedProvider(await reviewerPolicy()));
    expect(engine.evaluateEntrypoint("data.countersign.reviewer", { reviewer: "user:mallory" })).toMatchObject({
      kind: "value",
      value: { eligible: false },
    });
    expect(engine.evaluateEntrypoint("countersign/reviewer", { reviewer: "user:alice" })).toMatchObject({ kind: "undefined" });
  });

  it("fails closed without a policy, and on an overrun", async () => {
    expect(new PolicyEngine(fixedProvider(null)).evaluateEntrypoint("countersign/reviewer", {})).toMatchObject({
      kind: "failure",
      failure: { code: "COUNTERSIGN_POLICY_MISSING" },
      policy: null,
    });
    let now = 0;
    const engine = new PolicyEngine(fixedProvider(await reviewerPolicy()), { timeoutMs: 1, timer: { now: () => (now += 5) } });
    expect(engine.evaluateEntrypoint("countersign/reviewer", {})).toMatchObject({
      kind: "failure",
      failure: { code: "COUNTERSIGN_POLICY_TIMEOUT" },
    });
  });
});
