import {
  bundleActivatedEvent,
  grantIssuedEvent,
  grantRedeemedEvent,
  grantRefusedEvent,
  type AuditDraft,
} from "../../src/audit/audit-event";
import { parseAuditQuery, queryAudit, type AuditFilter, type AuditPageRequest } from "../../src/audit/audit-query";
import type { AuditEntry } from "../../src/audit/chain";
import { decisionView } from "../../src/audit/decision-entry";
import type { RedisAuditStore } from "../../src/audit/redis-audit-store";
import { useRedisServer } from "../support/redis-server";
import { makeTrail, sampleApprovalFlow, sampleDecision, steppingClock } from "./audit-fixtures";

const redis = useRedisServer();
const T0 = 1_790_000_000_000_000_000n; // 2026-09-21T14:13:20Z; event n is stamped n seconds later
let store: RedisAuditStore;
let all: AuditEntry[] = [];

beforeAll(async () => {
  const { trail, store: s } = makeTrail(redis.connect(), { clock: steppingClock(T0, 1_000_000_000n), maxBatch: 1 });
  store = s;
  const drafts: AuditDraft[] = [
    bundleActivatedEvent({ bundle: "countersign", revision: "rev-1" }),
    sampleDecision(1, { actor: "agent:deploy-bot", action: "db.read", outcome: "allow" }),
    sampleDecision(2, { actor: "user:dave", action: "db.drop", outcome: "deny" }),
    sampleDecision(3, { actor: "agent:deploy-bot", action: "iam.role.update", outcome: "require_approval" }),
    ...sampleApprovalFlow("a-3"),
    grantIssuedEvent({
      grantId: "g-3",
      approvalId: "a-3",
      actionDigest: "f".repeat(64),
      approvers: ["user:bob", "user:carol"],
      expiresAt: "2026-09-21T14:20:00Z",
      actor: "agent:deploy-bot",
      action: "iam.role.update",
    }),
    grantRedeemedEvent({
      grantId: "g-3",
      approvalId: "a-3",
      caller: "svc:ci",
      via: "decide",
      actor: "agent:deploy-bot",
      action: "iam.role.update",
    }),
    grantRefusedEvent({ grantId: "g-3", approvalId: "a-3", caller: "svc:ci", via: "redeem", reason: "replay", message: "already used" }),
    ...Array.from({ length: 20 }, (_, i) =>
      sampleDecision(100 + i, { actor: i % 2 === 0 ? "agent:deploy-bot" : "svc:backup", action: "db.read" }),
    ),
  ];
  for (const d of drafts) await trail.record(d);
  // The entries as read: decision entries in full (the stored version 2 shape leaves the subject to `input`).
  all = (await store.readAscending(null, 1000)).map((r) => decisionView(JSON.parse(r.line) as AuditEntry));
});

/** All pages of a query, concatenated. */
async function everything(
  filter: AuditFilter,
  page: AuditPageRequest = {},
  scanLimit?: number,
): Promise<{ seqs: number[]; pages: number }> {
  const seqs: number[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const p = await queryAudit(
      store,
      filter,
      { ...page, ...(cursor === undefined ? {} : { cursor }) },
      scanLimit === undefined ? {} : { scanLimit },
    );
    pages++;
    seqs.push(...p.entries.map((e) => e.seq));
    if (p.next_cursor === null) return { seqs, pages };
    cursor = p.next_cursor;
  }
}

const seqsWhere = (pred: (e: AuditEntry & Record<string, unknown>) => boolean): number[] =>
  all.filter((e) => pred(e as AuditEntry & Record<string, unknown>)).map((e) => e.seq);

describe("audit query", () => {
  it("returns newest first by default, in pages joined by the cursor", async () => {
    const { seqs, pages } = await everything({}, { limit: 7 });
    expect(seqs).toEqual(all.map((e) => e.seq).reverse());
    expect(pages).toBe(Math.ceil(all.length / 7) + (all.length % 7 === 0 ? 1 : 0));
  });

  it("returns oldest first on request", async () => {
    expect((await everything({}, { limit: 5, order: "oldest" })).seqs).toEqual(all.map((e) => e.seq));
  });

  it("filters by event type, actor, principal, action, approval id, decision id and outcome", async () => {
    const cases: [AuditFilter, (e: AuditEntry & Record<string, unknown>) => boolean][] = [
      [{ types: ["approval.verdict", "approval.final"] }, (e) => e.type === "approval.verdict" || e.type === "approval.final"],
      [{ actor: "svc:backup" }, (e) => e["actor"] === "svc:backup"],
      [{ principal: "user:carol" }, (e) => e["reviewer"] === "user:carol"],
      [{ principal: "user:alice" }, (e) => e["on_behalf_of"] === "user:alice"],
      [{ action: "iam.role.update" }, (e) => e["action"] === "iam.role.update"],
      [{ approvalId: "a-3" }, (e) => e["approval_id"] === "a-3"],
      [{ decisionId: "d-2" }, (e) => e["decision_id"] === "d-2"],
      [{ outcome: "deny" }, (e) => e["outcome"] === "deny"],
      [{ outcome: "approved" }, (e) => e["outcome"] === "approved"],
      [
        { actor: "agent:deploy-bot", types: ["decision"], outcome: "allow" },
        (e) => e["actor"] === "agent:deploy-bot" && e.type === "decision" && e["outcome"] === "allow",
      ],
    ];
    for (const [filter, pred] of cases) {
      const expected = seqsWhere(pred);
      expect(expected.length).toBeGreaterThan(0);
      expect({ filter, seqs: (await everything(filter, { order: "oldest", limit: 3 })).seqs }).toEqual({ filter, seqs: expected });
    }
  });

  it("filters by time range, inclusive at both ends", async () => {
    const from = T0 + 5_000_000_000n;
    const to = T0 + 9_000_000_000n;
    expect((await everything({ from, to })).seqs).toEqual([9, 8, 7, 6, 5]);
    expect((await everything({ from, to }, { order: "oldest" })).seqs).toEqual([5, 6, 7, 8, 9]);
  });

  it("hands back a cursor when a page has scanned its limit without filling up", async () => {
    const p = await queryAudit(store, { approvalId: "a-3" }, { order: "oldest" }, { scanLimit: 4 });
    expect(p.entries).toEqual([]);
    expect(p.next_cursor).toBe("4-0");
    const { seqs } = await everything({ approvalId: "a-3" }, { order: "oldest" }, 4);
    expect(seqs).toEqual(seqsWhere((e) => e["approval_id"] === "a-3"));
  });

  it("refuses a cursor it did not hand out and a limit out of range", async () => {
    await expect(queryAudit(store, {}, { cursor: "abc" })).rejects.toMatchObject({ code: "COUNTERSIGN_AUDIT_BAD_CURSOR" });
    await expect(queryAudit(store, {}, { limit: 0 })).rejects.toMatchObject({ code: "COUNTERSIGN_AUDIT_BAD_QUERY" });
    await expect(queryAudit(store, {}, { limit: 501 })).rejects.toMatchObject({ code: "COUNTERSIGN_AUDIT_BAD_QUERY" });
  });
});

describe("audit query parameters", () => {
  it("read filters and paging from a query string", () => {
    expect(
      parseAuditQuery({
        from: "2026-09-21T14:13:25Z",
        to: "2026-09-21T16:13:29+02:00",
        actor: "agent:deploy-bot",
        principal: "user:bob",
        action: "db.read",
        approval_id: "a-3",
        decision_id: "d-1",
        outcome: "allow",
        type: ["decision,approval.final", "grant.refused"],
        cursor: "12-0",
        limit: "20",
        order: "oldest",
      }),
    ).toEqual({
      filter: {
        from: T0 + 5_000_000_000n,
        to: T0 + 9_000_000_000n,
        actor: "agent:deploy-bot",
        principal: "user:bob",
        action: "db.read",
        approvalId: "a-3",
        decisionId: "d-1",
        outcome: "allow",
        types: ["decision", "approval.final", "grant.refused"],
      },
      page: { cursor: "12-0", limit: 20, order: "oldest" },
    });
  });

  it.each([
    [{ actr: "x" }, /unknown query parameter "actr"/],
    [{ type: "decisions" }, /type "decisions" is not one of/],
    [{ from: "yesterday" }, /from must be an RFC 3339 timestamp/],
    [{ limit: "-1" }, /limit must be a whole number/],
    [{ order: "random" }, /order must be newest or oldest/],
    [{ actor: ["a", "b"] }, /actor must be given once/],
  ])("refuse %j", (params, message) => {
    expect(() => parseAuditQuery(params)).toThrow(
      expect.objectContaining({ code: "COUNTERSIGN_AUDIT_BAD_QUERY", message: expect.stringMatching(message) }),
    );
  });
});

describe("audit query cost", () => {
  it("gives the same answers with its text prefilter as an exact check of every entry, for any filter (property)", async () => {
    const fc = (await import("fast-check")).default;
    const pick = <T>(xs: readonly T[]) => fc.option(fc.constantFrom(...xs), { nil: undefined });
    const actors = ["agent:deploy-bot", "svc:backup", "user:dave", "user:bob", "nobody"];
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          actor: pick(actors),
          principal: pick(actors),
          action: pick(["db.read", "db.drop", "iam.role.update", "x"]),
          outcome: pick(["allow", "deny", "require_approval", "approved"]),
          types: fc.option(
            fc.subarray(["decision", "approval.created", "approval.verdict", "grant.issued", "bundle.activated"] as const, {
              minLength: 1,
            }),
            { nil: undefined },
          ),
        }),
        async (raw) => {
          const filter = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as AuditFilter;
          const got = (await everything(filter, { order: "oldest" })).seqs;
          const want = seqsWhere((e) => {
            if (filter.types !== undefined && !filter.types.includes(e.type)) return false;
            if (filter.actor !== undefined && e["actor"] !== filter.actor) return false;
            if (filter.action !== undefined && e["action"] !== filter.action) return false;
            if (filter.outcome !== undefined && e["outcome"] !== filter.outcome) return false;
            if (
              filter.principal !== undefined &&
              !["caller", "actor", "on_behalf_of", "reviewer", "by"].some((k) => e[k] === filter.principal)
            )
              return false;
            return true;
          });
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("looks at no more than the scan limit per page", async () => {
    let read = 0;
    const counting = {
      readHead: () => store.readHead(),
      readAscending: async (after: string | null, n: number) => {
        const r = await store.readAscending(after, n);
        read += r.length;
        return r;
      },
      readDescending: async (before: string | null, n: number) => {
        const r = await store.readDescending(before, n);
        read += r.length;
        return r;
      },
    };
    const page = await queryAudit(counting, { actor: "nobody" }, {}, { scanLimit: 10 });
    expect(page.entries).toEqual([]);
    expect(page.next_cursor).not.toBeNull();
    expect(read).toBeLessThanOrEqual(10);
  });
});
