import fc from "fast-check";
import { decisionEvent, type AuditDraft, type DecisionEventInput } from "../../src/audit/audit-event";
import { queryAudit } from "../../src/audit/audit-query";
import { entryTimestampText } from "../../src/audit/audit-time";
import { DECISION_ENTRY_VERSION, decisionView } from "../../src/audit/decision-entry";
import { maskDocument } from "../../src/audit/masking";
import { resolveSigningKey } from "../../src/audit/signing-key";
import { RedisAuditStore } from "../../src/audit/redis-audit-store";
import { runAuditCommand } from "../../src/cli/audit-command";
import { canonicalJson } from "../../src/json/canonical-json";
import { recordedDecisionOf } from "../../src/replay/recorded-decision";
import { allowRequest } from "../../scripts/bench/http-decide";
import { useRedisServer } from "../support/redis-server";
import { decisionEventV1, makeTrail, steppingClock, TEST_SALT } from "./audit-fixtures";

const redis = useRedisServer({ flushBetweenTests: true });

/** What the trail stores of a draft's body (masked as `AuditTrail.stamp` masks it; stamping adds no derived member). */
function stored(draft: AuditDraft): Record<string, unknown> {
  const { value, masked } = maskDocument(draft.body as never, { salt: TEST_SALT, pointers: draft.mask });
  return { ...(value as object), ...(masked.length === 0 ? {} : { masked }) };
}

const REVISION = "b23a65e7d0b404c030c1ed5136c8c4db7b2c55c61735c86ff620f7b9dbd68478";

/** The decide use case's input for the bench's allow request, and its answer. */
function benchDecision(decisionId: string): DecisionEventInput {
  const request = allowRequest();
  const input = { ...request, caller: { id: "svc:ci", kind: "service", roles: [] }, now: "2026-12-06T05:02:42.652Z" };
  const policy = { bundle: "countersign", revision: REVISION };
  const result = { decision_id: decisionId, outcome: "allow", reasons: ["routine read"], mask: [], policy };
  return { decisionId, caller: "svc:ci", input, outcome: "allow", reasons: ["routine read"], result, policy, mask: [], evalNs: 17697 };
}

const subjectText = fc.option(fc.constantFrom("svc:ci", "agent:deploy-bot", "user:alice", "db.read", "prod/x"), { nil: undefined });

/** Decisions as the decide use case records them: any subject, masks over any part of it, any kind of answer. */
const decisionInputs: fc.Arbitrary<DecisionEventInput> = fc
  .record({
    actorId: subjectText,
    actorType: subjectText,
    onBehalfOf: subjectText,
    actionName: subjectText,
    resourceType: subjectText,
    resourceId: subjectText,
    environment: subjectText,
    inputCaller: fc.constantFrom("svc:ci", "svc:other", undefined),
    mask: fc.subarray([
      "/actor",
      "/actor/id",
      "/actor/on_behalf_of",
      "/action/name",
      "/resource/id",
      "/caller",
      "/caller/id",
      "/context/q",
      "/nothing/here",
    ]),
    outcome: fc.constantFrom("allow" as const, "deny" as const, "require_approval" as const),
    reasons: fc.array(fc.constantFrom("routine read", "needs a dba", "x"), { maxLength: 2 }),
    policy: fc.option(fc.constant({ bundle: "countersign", revision: REVISION }), { nil: null }),
    kind: fc.constantFrom("plain", "approval", "grant", "break_glass", "code", "default_result"),
    approvalIdOverride: fc.boolean(),
    path: fc.constantFrom(undefined, "countersign/decision", "other/entrypoint"),
    failure: fc.boolean(),
  })
  .map((g) => {
    const actor = Object.fromEntries(
      Object.entries({ id: g.actorId, type: g.actorType, on_behalf_of: g.onBehalfOf }).filter(([, v]) => v !== undefined),
    );
    const input = {
      actor,
      action: g.actionName === undefined ? {} : { name: g.actionName, params: { table: "t" } },
      resource: Object.fromEntries(
        Object.entries({ type: g.resourceType, id: g.resourceId, environment: g.environment }).filter(([, v]) => v !== undefined),
      ),
      context: { q: "select 1", password: "hunter2" },
      ...(g.inputCaller === undefined ? {} : { caller: { id: g.inputCaller, kind: "service", roles: [] } }),
      now: "2026-11-21T12:00:00.000Z",
    };
    const base = { decision_id: "d-1", outcome: g.outcome, reasons: g.reasons, mask: g.mask, policy: g.policy };
    const extra =
      g.kind === "approval"
        ? { approval: { id: "a-1", status: "pending", status_url: "/v1/approvals/a-1", created: true, quorum: 1 } }
        : g.kind === "grant"
          ? { grant: { approval_id: "a-2", jti: "j-1", approvers: ["user:bob"] } }
          : g.kind === "break_glass"
            ? { break_glass: { review_id: "a-3", status_url: "/v1/approvals/a-3" } }
            : g.kind === "code"
              ? { code: "COUNTERSIGN_GRANT_REFUSED" }
              : {};
    const approvalId = g.approvalIdOverride
      ? "a-other"
      : g.kind === "approval"
        ? "a-1"
        : g.kind === "grant"
          ? "a-2"
          : g.kind === "break_glass"
            ? "a-3"
            : undefined;
    return {
      decisionId: "d-1",
      caller: "svc:ci",
      input,
      outcome: g.outcome,
      reasons: g.reasons,
      ...(g.kind === "default_result" ? {} : { result: { ...base, ...extra } }),
      policy: g.policy,
      mask: g.mask,
      ...(approvalId === undefined ? {} : { approvalId }),
      ...(g.kind === "break_glass" ? { breakGlass: { justification: "outage" } } : {}),
      ...(g.failure ? { failure: { code: "COUNTERSIGN_POLICY_ERROR", message: "boom" } } : {}),
      ...(g.path === undefined ? {} : { path: g.path }),
      evalNs: 1234,
    } satisfies DecisionEventInput;
  });

describe("decision entries, version 2", () => {
  it("read back member for member as the version 1 entry of the same decision (property)", () => {
    fc.assert(
      fc.property(decisionInputs, (d) => {
        const v2 = stored(decisionEvent(d));
        const v1 = stored(decisionEventV1(d));
        expect(v2["v"]).toBe(DECISION_ENTRY_VERSION);
        const { v: _v, ...view } = decisionView(v2);
        // An answer given without decision_id/mask/policy (only callers outside the decide use case do that)
        // reads back with them: the view's `result` is always the whole answer.
        const want =
          d.result === undefined ? { ...v1, result: { decision_id: "d-1", mask: [], policy: d.policy, ...(v1["result"] as object) } } : v1;
        expect(view).toEqual(want);
      }),
      { numRuns: 400 },
    );
  });

  it("leave version 1 entries and other events as they are", () => {
    const v1 = stored(decisionEventV1(benchDecision("d-1")));
    expect(decisionView(v1)).toBe(v1);
    const other = { type: "approval.final", approval_id: "a-1", outcome: "approved", approvers: [] };
    expect(decisionView(other)).toBe(other);
  });

  it("store each fact of the bench's allow decision once: no projections, no repeated answer, caller or default path", () => {
    const v2 = stored(decisionEvent(benchDecision("01a249bb-9fdc-7bda-ac08-209f0b8247a8")));
    expect(Object.keys(v2).sort()).toEqual(["bundles", "decision_id", "input", "metrics", "outcome", "reasons", "type", "v"]);
    const v1 = stored(decisionEventV1(benchDecision("01a249bb-9fdc-7bda-ac08-209f0b8247a8")));
    // 1,500 → 1,100 bytes before the chain, time and labels members (~330 more) are added.
    expect(canonicalJson(v1).length - canonicalJson(v2).length).toBeGreaterThan(380);
  });

  it("keep the caller when the policy masks input.caller.id, and read the projection of a masked member as absent", () => {
    const d = { ...benchDecision("d-9"), mask: ["/caller/id", "/actor/id"] };
    const v2 = stored(decisionEvent(d));
    expect(v2["caller"]).toBe("svc:ci");
    const view = decisionView(v2) as Record<string, unknown>;
    expect(view["caller"]).toBe("svc:ci");
    expect(view).not.toHaveProperty("actor");
    expect(view["actor_type"]).toBe("ci");
  });
});

describe("both entry shapes in one trail", () => {
  it("verify as one chain, and read the same through the query, the replay reader and the console's query", async () => {
    const conn = redis.connect();
    const key = await resolveSigningKey(undefined, new RedisAuditStore(conn));
    const { trail, store } = makeTrail(conn, { key });
    const old = {
      ...benchDecision("d-old"),
      result: { ...(benchDecision("d-old").result as object), grant: { approval_id: "a-7", jti: "j", approvers: ["user:bob"] } },
      approvalId: "a-7",
    };
    const now = {
      ...benchDecision("d-new"),
      result: { ...(benchDecision("d-new").result as object), grant: { approval_id: "a-7", jti: "j", approvers: ["user:bob"] } },
      approvalId: "a-7",
    };
    await trail.record(decisionEventV1(old));
    await trail.record(decisionEvent(now));
    await trail.close();

    const lines = (await store.readAscending(null, 10)).map((r) => r.line);
    expect(JSON.parse(lines[0] as string)).not.toHaveProperty("v");
    expect(JSON.parse(lines[1] as string)).toMatchObject({ v: 2 });

    const out: string[] = [];
    const verified = await runAuditCommand(
      "verify",
      [],
      { redis: redis.url },
      { out: (l) => out.push(l), err: () => undefined, readStdin: async () => "" },
      { env: {} },
    );
    expect({ verified, out }).toEqual({ verified: 0, out: [expect.stringMatching(/^ok: 2 entries/)] });

    for (const filter of [
      { actor: "svc:ci" },
      { action: "db.read" },
      { principal: "svc:ci" },
      { approvalId: "a-7" },
      { outcome: "allow", types: ["decision" as const] },
    ]) {
      const page = await queryAudit(store, filter, { order: "oldest" });
      expect({ filter, decisions: page.entries.map((e) => (e as unknown as { decision_id: string }).decision_id) }).toEqual({
        filter,
        decisions: ["d-old", "d-new"],
      });
    }
    const [a, b] = (await queryAudit(store, {}, { order: "oldest" })).entries as unknown as Record<string, unknown>[];
    const comparable = (e: Record<string, unknown>): Record<string, unknown> => {
      const { seq: _s, hash: _h, prev_hash: _p, timestamp: _t, v: _v, decision_id: _d, result, ...rest } = e;
      const { decision_id: _rd, ...answer } = result as Record<string, unknown>;
      return { ...rest, answer };
    };
    expect(comparable(b as Record<string, unknown>)).toEqual(comparable(a as Record<string, unknown>));
    expect(b).toMatchObject({
      actor: "svc:ci",
      actor_type: "ci",
      action: "db.read",
      resource: { type: "database", id: "prod/customers", environment: "production" },
      caller: "svc:ci",
      path: "countersign/decision",
      approval_id: "a-7",
    });

    const [r1, r2] = lines.map((l) => recordedDecisionOf(l));
    expect({ ...r2, seq: 0, decisionId: "", timestamp: "" }).toEqual({ ...r1, seq: 0, decisionId: "", timestamp: "" });
    expect(r2).toMatchObject({ outcome: "require_approval", bundles: { countersign: REVISION } }); // a grant's allow replays as the policy's require_approval
  });
});

describe("the time of an entry", () => {
  it("is its own top-level timestamp, never one its input holds (property)", () => {
    const nested = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.string(),
        fc.integer(),
        fc.constant(null),
        fc.array(tie("value"), { maxLength: 3 }),
        tie("object"),
      ),
      object: fc.dictionary(fc.constantFrom("timestamp", "type", "a", 'we"ird', "z"), tie("value"), { maxKeys: 4 }),
    }));
    fc.assert(
      fc.property(nested.object, fc.string(), (input, own) => {
        const entry = { input, timestamp: own, type: "decision", after: { timestamp: "later" } };
        expect(entryTimestampText(canonicalJson(entry))).toBe(own);
        expect(entryTimestampText(JSON.stringify(entry))).toBe(own);
      }),
      { numRuns: 300 },
    );
    expect(entryTimestampText('{"input":{"timestamp":"x"}}')).toBeUndefined();
    expect(entryTimestampText('{"timestamp":1}')).toBeUndefined();
    expect(entryTimestampText("not json")).toBeUndefined();
  });

  it("bounds a time-filtered query, whatever timestamp an input carries", async () => {
    const T0 = 1_790_000_000_000_000_000n;
    const { trail, store } = makeTrail(redis.connect(), { clock: steppingClock(T0, 1_000_000_000n), maxBatch: 1 });
    const decision = (id: string, actor: string, context: object): AuditDraft =>
      decisionEvent({
        ...benchDecision(id),
        caller: "svc:runner",
        input: {
          ...allowRequest(),
          actor: { id: actor, type: "ci" },
          context,
          caller: { id: "svc:runner", kind: "service", roles: [] },
          now: "x",
        },
      });
    await trail.record(decision("d-1", "svc:ci", {}));
    // Its input says 1990 (newest first: "past the range"), or 2100 (oldest first: "past the range").
    await trail.record(decision("d-2", "svc:other", { timestamp: "1990-01-01T00:00:00.000000000Z" }));
    await trail.record(decision("d-3", "svc:other", { timestamp: "2100-01-01T00:00:00.000000000Z" }));
    await trail.record(decision("d-4", "svc:ci", {}));
    await trail.close();
    const from = T0;
    const to = T0 + 10_000_000_000n;
    const ids = async (order: "newest" | "oldest"): Promise<string[]> =>
      (await queryAudit(store, { actor: "svc:ci", from, to }, { order })).entries.map(
        (e) => (e as unknown as { decision_id: string }).decision_id,
      );
    expect(await ids("newest")).toEqual(["d-4", "d-1"]);
    expect(await ids("oldest")).toEqual(["d-1", "d-4"]);
  });
});
