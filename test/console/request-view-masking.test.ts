/**
 * The console's request page model and the API's request view, as pure functions of a stored request: masked
 * values never reappear through another text (the request's other values, the policy's summary and reasons,
 * verdict comments, the cancelling reason, a break-glass justification), whatever their length, scrubbed by
 * the Teams card's own function (values only: keys, ids and the model's structure are unchanged); the creating
 * caller still reads its own request whole through the API. The console names people by their display name
 * with their roles, and carries the policy's typed `summary` and `risk`.
 */

import fc from "fast-check";
import type { ApprovalRequest } from "../../src/approvals/approval-request";
import { renderApprovalView } from "../../src/approvals/approval-view";
import { requestPageModel, type PeopleLookup } from "../../src/console/request-page-model";
import { alice, dave, oneDba } from "../approvals/approval-fixtures";

const T0 = Date.UTC(2025, 0, 31, 14, 0);
const PEOPLE: Record<string, string> = { "user:jane.doe": "Jane Doe", "user:alice": "Alice Example", "user:dave": "Dave Okafor" };
const people: PeopleLookup = (id) => (PEOPLE[id] === undefined ? undefined : { displayName: PEOPLE[id] });

/** A request that masks `secret` (at /action/params/query) and repeats it wherever text reaches a reviewer. */
function withSecret(secret: string, status: "pending" | "cancelled" = "pending"): ApprovalRequest {
  return {
    id: "apr_9",
    request: {
      actor: { id: "agent:data-export-assistant", type: "ai_agent", on_behalf_of: "user:jane.doe" },
      action: {
        name: "db.export",
        params: { table: "customers", query: secret, copy: `uses ${secret}`, nested: { list: [secret, `x ${secret} y`] } },
      },
      resource: { type: "database", id: "prod-crm/customers", environment: "production" },
      context: { reason: `because ${secret}`, ticket: secret },
    },
    requirements: { ...oneDba, max_scope: undefined } as ApprovalRequest["requirements"],
    requesters: { callerId: "svc:ci", actorId: "agent:data-export-assistant", onBehalfOf: "user:jane.doe" },
    decisionId: "dec_1",
    policy: { bundle: "example", revision: "r1" },
    reasons: [`query ${secret} reads customers`, secret],
    actionDigest: "0".repeat(64),
    createdAt: T0,
    expiresAt: T0 + 3_600_000,
    mask: ["/action/params/query"],
    summary: `Jane exports with ${secret}`,
    risk: "high",
    breakGlass: { justification: `outage, ran ${secret}` },
    status,
    version: 2,
    updatedAt: T0 + 60_000,
    verdicts: [
      {
        reviewerId: "user:alice",
        verdict: "deny",
        comment: `saw ${secret}. also:${secret}`,
        channel: "teams",
        roles: ["dba"],
        at: T0 + 60_000,
      },
    ],
    ...(status === "cancelled" ? { cancellation: { by: "svc:ci", reason: `withdrawn: ${secret}` }, decidedAt: T0 + 90_000 } : {}),
  };
}

/** Every string value (not key) of a JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(strings);
  return [];
}

/** Occurrences the masking contract forbids: as a word of its own (any length), or anywhere (4+ characters). */
function occurrences(text: string, secret: string): number {
  let count = 0;
  for (let i = text.indexOf(secret); i >= 0; i = text.indexOf(secret, i + 1)) {
    const before = i === 0 ? "" : Array.from(text.slice(0, i)).at(-1)!;
    const after = Array.from(text.slice(i + secret.length))[0] ?? "";
    const word = /[\p{L}\p{N}\p{M}]/u;
    if (secret.length >= 4 || (!word.test(before) && !word.test(after))) count++;
  }
  return count;
}

/** The value with every string replaced: what stays of its structure. */
function skeleton(value: unknown): unknown {
  if (typeof value === "string") return "·";
  if (Array.isArray(value)) return value.map(skeleton);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, skeleton(v)]));
  return value;
}

const SENTINEL = "⁂sentinel⁂";
const secrets = fc.oneof(
  fc.constantFrom("app", "a", "1", "e", "db", "dba", "high", "MASKED", "[MASKED]", "pending", "*", "\u202e", "  ab ", "customers"),
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }),
  fc.string({ minLength: 4, maxLength: 60 }),
);

describe("masked values in the console and the API's request view", () => {
  it("the request page model shows no masked value of any length anywhere, and its structure does not depend on it", () => {
    fc.assert(
      fc.property(
        secrets.filter((s) => s.trim() !== ""),
        fc.constantFrom("pending" as const, "cancelled" as const),
        fc.boolean(),
        (secret, status, requester) => {
          const relation = requester ? "requester" : "reviewer";
          const model = requestPageModel(withSecret(secret, status), dave, relation, T0 + 120_000, people);
          const control = requestPageModel(withSecret(SENTINEL, status), dave, relation, T0 + 120_000, people);
          expect(skeleton(model)).toEqual(skeleton(control));
          const shown = strings(model).join("\n");
          const baseline = strings(control).join("\n");
          expect(occurrences(shown, secret)).toBeLessThanOrEqual(occurrences(baseline, secret));
          expect(occurrences(shown, secret.trim())).toBeLessThanOrEqual(occurrences(baseline, secret.trim()));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the API's view for a reviewer shows no masked value either; the creating caller reads its request whole", () => {
    fc.assert(
      fc.property(
        secrets.filter((s) => s.trim() !== ""),
        fc.constantFrom("pending" as const, "cancelled" as const),
        (secret, status) => {
          const view = renderApprovalView({ approval: withSecret(secret, status), viewer: "reviewer" });
          const control = renderApprovalView({ approval: withSecret(SENTINEL, status), viewer: "reviewer" });
          expect(skeleton(view)).toEqual(skeleton(control));
          const shown = strings(view).join("\n");
          const baseline = strings(control).join("\n");
          expect(occurrences(shown, secret)).toBeLessThanOrEqual(occurrences(baseline, secret));
          expect(occurrences(shown, secret.trim())).toBeLessThanOrEqual(occurrences(baseline, secret.trim()));
        },
      ),
      { numRuns: 300 },
    );
    const own = renderApprovalView({ approval: withSecret("hunter2-secret"), viewer: "requester" });
    expect(own.request.action["params"]).toMatchObject({ query: "hunter2-secret", copy: "uses hunter2-secret" });
    expect(own.verdicts[0]!.comment).toBe("saw hunter2-secret. also:hunter2-secret");
  });

  it("scrubs values exactly: a masked 'app' leaves words that contain it, and the keys, alone", () => {
    const view = renderApprovalView({ approval: withSecret("app"), viewer: "reviewer" });
    expect(view.verdicts[0]!.comment).toBe("saw [MASKED]. also:[MASKED]");
    expect(view.reasons).toEqual(["query [MASKED] reads customers", "[MASKED]"]);
    expect(view.request.action["params"]).toEqual({
      table: "customers",
      query: "[MASKED]",
      copy: "uses [MASKED]",
      nested: { list: ["[MASKED]", "x [MASKED] y"] },
    });
    expect(view.break_glass).toEqual({ justification: "outage, ran [MASKED]" });
    const model = requestPageModel(withSecret("approve"), dave, "reviewer", T0 + 120_000, people);
    expect(model.verdicts[0]!.comment).toBe("saw [MASKED]. also:[MASKED]");
    expect(model.summary).toBe("Jane exports with [MASKED]");
    expect(model.headline).toBe("Jane exports with [MASKED]");
  });
});

describe("people and the policy's fields in the console", () => {
  it("names people by their display name, with the roles that counted, and keeps the ids", () => {
    const model = requestPageModel({ ...withSecret("s3cret"), summary: undefined }, alice, "reviewer", T0 + 120_000, people);
    expect(model.actor).toEqual({
      id: "agent:data-export-assistant",
      name: "agent:data-export-assistant",
      type: "ai_agent",
      onBehalfOf: "user:jane.doe",
      onBehalfOfName: "Jane Doe",
    });
    expect(model.verdicts[0]).toMatchObject({ reviewer: "user:alice", reviewerName: "Alice Example", roles: ["dba"] });
    expect(model.headline).toBe("Jane Doe's ai_agent agent:data-export-assistant wants to db.export on prod-crm/customers (production)");
    const cancelled = requestPageModel(withSecret("s3cret", "cancelled"), alice, "reviewer", T0 + 120_000, people);
    expect(cancelled.cancellation).toEqual({ by: "svc:ci", byName: "svc:ci", reason: "withdrawn: [MASKED]" });
    const unnamed = requestPageModel(withSecret("s3cret"), alice, "reviewer", T0 + 120_000);
    expect(unnamed.verdicts[0]!.reviewerName).toBe("user:alice");
  });

  it("carries the policy's typed summary and risk, and nothing from elsewhere", () => {
    const model = requestPageModel(withSecret("s3cret"), alice, "reviewer", T0 + 120_000, people);
    expect(model.risk).toBe("high");
    expect(model.summary).toBe("Jane exports with [MASKED]");
    const stray = {
      ...withSecret("s3cret"),
      summary: undefined,
      risk: undefined,
      requirements: { ...oneDba, summary: "from the requirements", risk: "low" },
    } as unknown as ApprovalRequest;
    const plain = requestPageModel(stray, alice, "reviewer", T0 + 120_000, people);
    expect(plain.summary).toBeUndefined();
    expect(plain.risk).toBeUndefined();
  });
});
