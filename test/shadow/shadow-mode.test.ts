/**
 * Shadow mode (`bundles.shadow`) through the service as `serve` wires it: a candidate bundle beside the
 * live one in the bundle directory, decisions over HTTP, the summary at `GET /v1/shadow`, the counters in
 * `/metrics`, and each disagreement in the audit trail. A property test sends the same random requests to
 * a service with shadow mode and to one without, and checks that every answer is the same and that the
 * counts are exactly those a model of the two policies predicts.
 */

import fc from "fast-check";
import request from "supertest";
import type { ServiceConfig } from "../../src/config/service-config";
import { ShadowRunner } from "../../src/shadow/shadow-runner";
import type { DecisionEvent } from "../../src/service/decision-response";
import { silentLogger } from "../../src/engine/engine-logger";
import { parseServiceConfig } from "../../src/config/config-loader";
import { useRedisServer } from "../support/redis-server";
import {
  AUTH,
  decideBody,
  decisionModule,
  exampleConfig,
  removeTempDirs,
  tempDir,
  testService,
  writeBundle,
  type TestService,
} from "../http/service-harness";

const APPROVAL = `{"quorum": 1, "reviewers": {"roles": ["dba"]}, "ttl_seconds": 3600, "grant_ttl_seconds": 300}`;

/** The live policy: allow, require_approval or deny (the default) by action name. */
const LIVE = decisionModule(`
default decision := {"outcome": "deny", "reasons": ["not listed"]}
decision := {"outcome": "allow", "reasons": ["listed as allowed"]} if input.action.name in {"read", "tighten", "garble"}
decision := {"outcome": "require_approval", "reasons": ["needs a dba"], "approval": ${APPROVAL}} if input.action.name in {"write", "loosen"}
`);

/** The candidate: tightens one action, loosens two, and answers one with an ill-formed value. */
const CANDIDATE = decisionModule(`
default decision := {"outcome": "deny", "reasons": ["not listed"]}
decision := {"outcome": "allow", "reasons": ["listed as allowed"]} if input.action.name in {"read", "loosen", "unblock"}
decision := {"outcome": "require_approval", "reasons": ["needs a dba"], "approval": ${APPROVAL}} if input.action.name in {"write", "tighten"}
decision := {"outcome": "perhaps", "reasons": []} if input.action.name == "garble"
`);

type Outcome = "allow" | "deny" | "require_approval";
const ACTIONS = ["read", "tighten", "write", "loosen", "drop", "unblock", "garble"] as const;
const LIVE_OUTCOME: Record<(typeof ACTIONS)[number], Outcome> = {
  read: "allow",
  tighten: "allow",
  write: "require_approval",
  loosen: "require_approval",
  drop: "deny",
  unblock: "deny",
  garble: "allow",
};
const CANDIDATE_OUTCOME: Record<(typeof ACTIONS)[number], Outcome> = {
  read: "allow",
  tighten: "require_approval",
  write: "require_approval",
  loosen: "allow",
  drop: "deny",
  unblock: "allow",
  garble: "deny",
};

const live = useRedisServer();
const plain = useRedisServer();

let dir: string;
beforeAll(async () => {
  dir = tempDir();
  await writeBundle(dir, { "live.rego": LIVE }, { revision: "live-1" });
  await writeBundle(dir, { "candidate.rego": CANDIDATE }, { revision: "candidate-1", name: "candidate" });
});
afterAll(() => removeTempDirs());

function withShadow(config: ServiceConfig, shadow: string): ServiceConfig {
  return { ...config, bundles: { ...config.bundles, shadow } };
}

async function decide(service: TestService, action: string, patch: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const res = await request(service.app)
    .post("/v1/decide")
    .set("Authorization", AUTH.caller)
    .send(decideBody({ action: { name: action, params: { n: 1 } }, ...patch }));
  expect(res.status).toBe(200);
  return res.body as Record<string, unknown>;
}

async function summary(service: TestService, auth: string = AUTH.erin): Promise<request.Response> {
  return request(service.app).get("/v1/shadow").set("Authorization", auth);
}

describe("shadow mode", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await testService({ bundlesDir: dir, config: withShadow(exampleConfig({ REDIS_URL: live.url }, dir), "candidate") });
  });
  afterAll(async () => {
    await service.close();
  });

  it("counts a known mix of requests exactly, answering each with the live policy", async () => {
    const mix: [string, number][] = [
      ["read", 3],
      ["tighten", 2],
      ["write", 1],
      ["loosen", 2],
      ["drop", 1],
      ["unblock", 1],
      ["garble", 1],
    ];
    const ids: Record<string, string[]> = {};
    for (const [action, times] of mix) {
      for (let i = 0; i < times; i++) {
        const d = await decide(service, action);
        expect(d["outcome"]).toBe(LIVE_OUTCOME[action as keyof typeof LIVE_OUTCOME]);
        expect(d["policy"]).toEqual({ bundle: "countersign", revision: "live-1" });
        (ids[action] ??= []).push(d["decision_id"] as string);
      }
    }
    await service.shadow!.idle();
    const res = await summary(service);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      enabled: true,
      candidate_bundle: "candidate",
      candidate_loaded: true,
      live: { bundle: "countersign", revision: "live-1" },
      candidate: { bundle: "candidate", revision: "candidate-1" },
      compared: 11,
      agreements: 5,
      disagreements: 6,
      candidate_failures: { COUNTERSIGN_POLICY_ILL_FORMED: 1 },
      dropped: 0,
      skipped: { candidate_missing: 0, not_recorded: 0, error: 0 },
      recorded: 6,
      unrecorded: 0,
      queue: { length: 0, capacity: 1024 },
    });
    expect(res.body.by_transition).toEqual({
      "allow→deny": { count: 1, examples: ids["garble"] },
      "allow→require_approval": { count: 2, examples: ids["tighten"] },
      "deny→allow": { count: 1, examples: ids["unblock"] },
      "require_approval→allow": { count: 2, examples: ids["loosen"] },
    });

    const metrics = (await request(service.app).get("/metrics")).text;
    expect(metrics).toContain('countersign_shadow_disagreements_total{transition="allow→require_approval"} 2');
    expect(metrics).toContain('countersign_shadow_disagreements_total{transition="require_approval→allow"} 2');
    expect(metrics).toContain("countersign_shadow_agreements_total 5");
    expect(metrics).toContain('countersign_shadow_comparisons_total{live="allow",candidate="allow"} 3');
    expect(metrics).toContain('countersign_shadow_candidate_failures_total{code="COUNTERSIGN_POLICY_ILL_FORMED"} 1');
  });

  it("records each disagreement in the audit trail with both answers and the decision id", async () => {
    const res = await request(service.app)
      .get("/v1/audit")
      .query({ type: "shadow.disagreement", order: "oldest" })
      .set("Authorization", AUTH.erin);
    expect(res.status).toBe(200);
    const entries = res.body.entries as Record<string, unknown>[];
    expect(entries.map((e) => e["transition"])).toEqual([
      "allow→require_approval",
      "allow→require_approval",
      "require_approval→allow",
      "require_approval→allow",
      "deny→allow",
      "allow→deny",
    ]);
    const loosen = entries[2]!;
    expect(loosen).toMatchObject({
      type: "shadow.disagreement",
      live: { bundles: { countersign: { revision: "live-1" } }, outcome: "require_approval", reasons: ["needs a dba"] },
      candidate: { bundles: { candidate: { revision: "candidate-1" } }, outcome: "allow", reasons: ["listed as allowed"] },
    });
    const decision = await request(service.app)
      .get("/v1/audit")
      .query({ type: "decision", decision_id: loosen["decision_id"] })
      .set("Authorization", AUTH.erin);
    expect(decision.body.entries).toHaveLength(1);
    expect(decision.body.entries[0]).toMatchObject({ outcome: "require_approval", action: "loosen" });
    expect(entries[5]).toMatchObject({ candidate: { outcome: "deny", failure: { code: "COUNTERSIGN_POLICY_ILL_FORMED" } } });
  });

  it("shows the summary to auditors only", async () => {
    const res = await summary(service, AUTH.caller);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("COUNTERSIGN_FORBIDDEN");
    expect((await request(service.app).get("/v1/shadow")).status).toBe(401);
  });
});

describe("shadow mode without a candidate loaded", () => {
  it("answers as usual and counts the decisions as skipped", async () => {
    const service = await testService({ bundlesDir: dir, config: withShadow(exampleConfig({ REDIS_URL: plain.url }, dir), "missing") });
    try {
      expect((await decide(service, "read"))["outcome"]).toBe("allow");
      await service.shadow!.idle();
      const res = await summary(service);
      expect(res.body).toMatchObject({
        candidate_bundle: "missing",
        candidate_loaded: false,
        compared: 0,
        skipped: { candidate_missing: 1 },
      });
    } finally {
      await service.close();
    }
  });

  it("answers {enabled: false} when shadow mode is not configured", async () => {
    const service = await testService({ bundlesDir: dir, config: exampleConfig({ REDIS_URL: plain.url }, dir) });
    try {
      expect((await summary(service)).body).toEqual({ enabled: false });
    } finally {
      await service.close();
    }
  });
});

describe("the shadow queue", () => {
  it("drops and counts decisions beyond its capacity, comparing the rest after the current turn", async () => {
    let evaluated = 0;
    const runner = new ShadowRunner({
      candidate: {
        name: "candidate",
        loaded: () => true,
        decide: () => {
          evaluated += 1;
          return { outcome: "deny", reasons: ["no"], mask: [], policy: { bundle: "candidate", revision: "c" }, evalNs: 1 };
        },
      },
      logger: silentLogger,
      capacity: 2,
    });
    const event = (id: string): DecisionEvent =>
      ({
        decision: { decision_id: id, outcome: "allow", reasons: [], mask: [], policy: { bundle: "live", revision: "l" } },
        evaluated: { outcome: "allow", reasons: [], mask: [], policy: { bundle: "live", revision: "l" }, evalNs: 1 },
        input: {},
      }) as unknown as DecisionEvent;
    for (const id of ["a", "b", "c", "d", "e"]) runner.decided(event(id));
    expect(evaluated).toBe(0);
    await runner.idle();
    expect(evaluated).toBe(2);
    expect(runner.summary()).toMatchObject({
      compared: 2,
      dropped: 3,
      disagreements: 2,
      by_transition: { "allow→deny": { count: 2, examples: ["a", "b"] } },
    });
  });
});

describe("shadow mode never changes an answer", () => {
  let shadowed: TestService;
  let unshadowed: TestService;
  const other = useRedisServer();
  beforeAll(async () => {
    shadowed = await testService({ bundlesDir: dir, config: withShadow(exampleConfig({ REDIS_URL: other.url }, dir), "candidate") });
    unshadowed = await testService({ bundlesDir: dir, config: exampleConfig({ REDIS_URL: plain.url }, dir) });
  });
  afterAll(async () => {
    await shadowed.close();
    await unshadowed.close();
  });

  /** An answer without what differs between two services by design (random approval ids). */
  const comparable = (d: Record<string, unknown>): Record<string, unknown> => {
    const approval = d["approval"] as Record<string, unknown> | undefined;
    return approval === undefined ? d : { ...d, approval: { ...approval, id: "apr", status_url: "url" } };
  };

  it("gives the same answer with and without a shadow, and counts exactly what a model of both policies predicts", async () => {
    const expected = { agreements: 0, transitions: {} as Record<string, number> };
    const requestArb = fc.record({
      action: fc.constantFrom(...ACTIONS),
      params: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxKeys: 4 }),
      environment: fc.constantFrom("production", "staging", undefined),
      actorType: fc.constantFrom("ci", "service", "ai_agent"),
      context: fc.dictionary(fc.constantFrom("ticket", "note", "reason"), fc.string(), { maxKeys: 2 }),
    });
    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        const body = decideBody({
          actor: { id: "svc:ci", type: r.actorType },
          action: { name: r.action, params: r.params },
          resource: { type: "database", id: "prod/customers", ...(r.environment === undefined ? {} : { environment: r.environment }) },
          context: r.context,
        });
        const [a, b] = await Promise.all([
          request(shadowed.app).post("/v1/decide").set("Authorization", AUTH.caller).send(body),
          request(unshadowed.app).post("/v1/decide").set("Authorization", AUTH.caller).send(body),
        ]);
        expect(a.status).toBe(b.status);
        expect(comparable(a.body)).toEqual(comparable(b.body));
        expect(a.body.outcome).toBe(LIVE_OUTCOME[r.action]);
        const l = LIVE_OUTCOME[r.action];
        const c = CANDIDATE_OUTCOME[r.action];
        if (l === c) expected.agreements += 1;
        else expected.transitions[`${l}→${c}`] = (expected.transitions[`${l}→${c}`] ?? 0) + 1;
      }),
      { numRuns: 60 },
    );
    await shadowed.shadow!.idle();
    const s = (await summary(shadowed)).body as { agreements: number; by_transition: Record<string, { count: number }>; dropped: number };
    expect(s.dropped).toBe(0);
    expect(s.agreements).toBe(expected.agreements);
    expect(Object.fromEntries(Object.entries(s.by_transition).map(([k, v]) => [k, v.count]))).toEqual(expected.transitions);
  });
});

describe("bundles.shadow in the configuration", () => {
  const ID = 'identities:\n  - { id: "svc:ci", kind: service, roles: [] }\n';
  const parse =
    (bundles: string): unknown =>
    () =>
      parseServiceConfig(`${ID}bundles:\n${bundles}`, "/tmp/countersign.yaml", {});
  it("names another bundle of the bundle directory", () => {
    expect(parseServiceConfig(`${ID}bundles:\n  shadow: candidate\n`, "/tmp/countersign.yaml", {}).bundles.shadow).toBe("candidate");
    expect(parse("  shadow: countersign\n")).toThrow(/bundles\.shadow.*names the decision bundle countersign/);
    expect(parse("  shadow: candidate\n  remote: { url: https://bundles.example.com/b.tar.gz }\n")).toThrow(
      /bundles\.shadow.*needs the bundle directory/,
    );
    expect(parse("  shadow: ../candidate\n")).toThrow(/bundles\.shadow/);
  });
});
