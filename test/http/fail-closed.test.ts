/**
 * Fail closed: a policy that errors, answers an ill-formed or undefined decision, or is missing gives a
 * 200 `deny` with the failure as its reason and an error log line carrying the decision id, never an
 * allow and never a bare 500. An unexpected failure outside the policy is a 500 with the error body and
 * nothing of the failure's internals.
 */

import request from "supertest";
import { createApp } from "../../src/http/app";
import { createAuthenticator } from "../../src/identity/authenticator";
import { IdentityDirectory } from "../../src/identity/identity-directory";
import { createServiceMetrics } from "../../src/service/service-metrics";
import { fixedClock } from "../../src/policy/clock";
import { createDecideUseCase } from "../../src/service/decide";
import type { DecisionPolicy } from "../../src/service/decision-policy";
import {
  AUTH,
  captureLogger,
  decideBody,
  decisionModule,
  exampleConfig,
  NOW_NS,
  removeTempDirs,
  sequentialIds,
  tempDir,
  testService,
  writeBundle,
  type TestService,
} from "./service-harness";

/** Answers allow by default, raises a conflict error for `boom`, an ill-formed decision for `weird`, nothing for `void`. */
const BROKEN = decisionModule(`
default decision := {"outcome": "allow", "reasons": ["fine"]}

decision := {"outcome": "allow", "reasons": ["one"]} if input.action.name == "boom"

decision := {"outcome": "deny", "reasons": ["two"]} if input.action.name == "boom"

decision := {"outcome": "definitely", "reasons": ["?"]} if input.action.name == "weird"
`);

const PARTIAL = decisionModule(`
decision := {"outcome": "allow", "reasons": ["reads only"]} if input.action.name == "db.read"
`);

let broken: TestService;
let partial: TestService;
let empty: TestService;

beforeAll(async () => {
  const brokenDir = tempDir();
  await writeBundle(brokenDir, { "broken.rego": BROKEN }, { revision: "broken-1" });
  broken = await testService({ bundlesDir: brokenDir });
  const partialDir = tempDir();
  await writeBundle(partialDir, { "partial.rego": PARTIAL });
  partial = await testService({ bundlesDir: partialDir });
  empty = await testService({ bundlesDir: tempDir() });
});
afterAll(async () => {
  await Promise.all([broken, partial, empty].map((s) => s.close()));
  removeTempDirs();
});

async function decide(service: TestService, action: string): Promise<request.Response> {
  return request(service.app)
    .post("/v1/decide")
    .set("Authorization", AUTH.caller)
    .send(decideBody({ action: { name: action, params: {} } }));
}

function errorLineFor(service: TestService, decisionId: string): Record<string, unknown> | undefined {
  return service.log.lines().find((l) => l["level"] === "error" && l["decision_id"] === decisionId);
}

describe("a broken policy", () => {
  it("still answers its healthy cases", async () => {
    const res = await decide(broken, "db.read");
    expect(res.body).toMatchObject({ outcome: "allow", reasons: ["fine"] });
  });

  it("denies with the evaluation error as the reason when the policy raises an error", async () => {
    const res = await decide(broken, "boom");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: "deny", mask: [], policy: { bundle: "countersign", revision: "broken-1" } });
    expect(res.body.reasons.join(" ")).toMatch(/conflict/);
    expect(errorLineFor(broken, res.body.decision_id)).toMatchObject({ code: "COUNTERSIGN_POLICY_ERROR" });
    const decisionLine = broken.log
      .lines()
      .find((l) => l["message"] !== undefined && l["decision_id"] === res.body.decision_id && l["level"] === "warn");
    expect(decisionLine).toMatchObject({ outcome: "deny", failure: { code: "COUNTERSIGN_POLICY_ERROR" } });
  });

  it("denies when the policy's decision is ill-formed", async () => {
    const res = await decide(broken, "weird");
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe("deny");
    expect(res.body.reasons.join(" ")).toMatch(/ill-formed/);
    expect(errorLineFor(broken, res.body.decision_id)).toMatchObject({ code: "COUNTERSIGN_POLICY_ILL_FORMED" });
  });

  it("denies when the decision is undefined for the request", async () => {
    const res = await decide(partial, "db.write");
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe("deny");
    expect(errorLineFor(partial, res.body.decision_id)).toMatchObject({ code: "COUNTERSIGN_POLICY_UNDEFINED" });
  });

  it("counts failures by code in the metrics", async () => {
    const metrics = await request(broken.app).get("/metrics");
    expect(metrics.text).toMatch(/^countersign_decision_failures_total\{code="COUNTERSIGN_POLICY_ERROR"\} [1-9]/m);
    expect(metrics.text).toMatch(/^countersign_decisions_total\{outcome="deny"\} [1-9]/m);
  });
});

describe("no policy loaded", () => {
  it("denies every request, naming no policy", async () => {
    const res = await decide(empty, "db.read");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: "deny", policy: null, mask: [] });
    expect(errorLineFor(empty, res.body.decision_id)).toMatchObject({ code: "COUNTERSIGN_POLICY_MISSING" });
  });

  it("is not ready", async () => {
    const res = await request(empty.app).get("/readyz");
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: "COUNTERSIGN_NOT_READY", details: { checks: { policy: { ok: false } } } });
  });
});

describe("failures outside the engine", () => {
  const config = exampleConfig();
  const appWith = (
    policy: DecisionPolicy,
    decide = createDecideUseCase({ audit: { record: async () => undefined }, policy, clock: fixedClock(NOW_NS), ids: sequentialIds() }),
  ) => {
    const log = captureLogger();
    const app = createApp({
      decide,
      authenticator: createAuthenticator(new IdentityDirectory(config.identities)),
      readiness: async () => ({ ready: true, checks: {} }),
      metrics: createServiceMetrics({ policyStatus: () => policy.status(), processMetrics: false }).registry,
      logger: log.logger,
      bodyLimitBytes: 65536,
    });
    return { app, log };
  };
  const throwing: DecisionPolicy = {
    decide: () => {
      throw new Error("adapter exploded");
    },
    status: () => ({ ready: true, active: [], reloadFailures: 0 }),
  };

  it("denies when the policy adapter throws instead of failing closed", async () => {
    const { app } = appWith(throwing);
    const res = await request(app).post("/v1/decide").set("Authorization", AUTH.caller).send(decideBody());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: "deny", policy: null });
  });

  it("answers an unexpected exception with 500 and the error body, without its message or stack", async () => {
    const { app, log } = appWith(throwing, async () => {
      throw new Error("database password is hunter2");
    });
    const res = await request(app).post("/v1/decide").set("Authorization", AUTH.caller).send(decideBody());
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: "COUNTERSIGN_INTERNAL", message: "internal error" } });
    expect(res.text).not.toContain("hunter2");
    expect(res.text).not.toMatch(/\bat .*\.ts:\d+/);
    expect(log.lines().find((l) => l["level"] === "error")).toMatchObject({ message: "unexpected error", path: "/v1/decide" });
  });
});

describe("a policy over its time budget", () => {
  it("denies with COUNTERSIGN_POLICY_TIMEOUT when evaluation takes longer than policy.timeout_ms", async () => {
    const dir = tempDir();
    await writeBundle(dir, {
      "slow.rego": decisionModule(`
default decision := {"outcome": "allow", "reasons": ["fast"]}

decision := {"outcome": "allow", "reasons": [sprintf("counted %d", [n])]} if {
  input.action.name == "slow"
  n := count([x | some x in numbers.range(1, 300000); x % 7 == 0])
}
`),
    });
    const base = exampleConfig({}, dir);
    const slow = await testService({ bundlesDir: dir, config: { ...base, policy: { timeoutMs: 1 } } });
    try {
      const res = await decide(slow, "slow");
      expect(res.status).toBe(200);
      expect(res.body.outcome).toBe("deny");
      expect(errorLineFor(slow, res.body.decision_id)).toMatchObject({ code: "COUNTERSIGN_POLICY_TIMEOUT" });
    } finally {
      await slow.close();
    }
  });
});
