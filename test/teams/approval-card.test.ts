/**
 * The approval card as a pure function: the same state gives the same card, untrusted text cannot format
 * or link, masked values are hidden everywhere, and a decided request has no live buttons.
 */

import { describeRequirements, renderApprovalCard } from "../../src/teams/approval-card";
import { cardText } from "../../src/teams/card-text";
import { APPROVE_VERB, DENY_VERB } from "../../src/teams/card-verbs";
import { maskedValues, scrubText } from "../../src/observability/masked-values";
import type { ApprovalCardState } from "../../src/teams/ports";
import { testMasker } from "./support/in-memory-approvals";

const pending: ApprovalCardState = {
  id: "apr_1",
  status: "pending",
  version: 1,
  request: {
    actor: { id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: "user:alice" },
    action: { name: "deploy", params: { service: "payments", image: "registry/payments:1.2.3", api_key: "sk_live_abcdef123456" } },
    resource: { type: "service", id: "payments", environment: "production" },
    context: { reason: "[urgent fix](https://evil.example/login) **now**", ticket: "REL-42" },
  },
  policyReasons: ["production deploys by an ai_agent need one release-manager"],
  mask: ["/action/params/api_key"],
  requestedAt: Date.UTC(2025, 0, 31, 9, 30),
  expiresAt: Date.UTC(2025, 0, 31, 10, 30),
  requirements: { quorum: 1, roles: ["release-manager"] },
  verdicts: [],
};

describe("renderApprovalCard", () => {
  it("renders the same card for the same state", () => {
    expect(renderApprovalCard(pending, { masker: testMasker })).toEqual(
      renderApprovalCard(structuredClone(pending), { masker: testMasker }),
    );
  });

  it("offers Approve and Deny, a comment box and refresh while pending, and nothing live once decided", () => {
    const card = renderApprovalCard(pending, { masker: testMasker, refreshUserIds: ["29:bob"] });
    expect((card["actions"] as { verb: string }[]).map((a) => a.verb)).toEqual([APPROVE_VERB, DENY_VERB]);
    expect(card["refresh"]).toMatchObject({ userIds: ["29:bob"] });
    const decided = renderApprovalCard(
      {
        ...pending,
        status: "approved",
        version: 2,
        verdicts: [
          { reviewerId: "user:bob", reviewerName: "Bob", verdict: "approve", comment: "ship it", at: Date.UTC(2025, 0, 31, 9, 45) },
        ],
        outcome: { status: "approved", decidedAt: Date.UTC(2025, 0, 31, 9, 45), decidedBy: ["user:bob"] },
      },
      { masker: testMasker },
    );
    expect(decided["actions"]).toEqual([]);
    expect(decided["refresh"]).toBeUndefined();
    const text = JSON.stringify(decided);
    expect(text).not.toContain("Input.Text");
    expect(text).toContain("✅ approved by Bob · {{DATE(2025-01-31T09:45:00Z, SHORT)}} {{TIME(2025-01-31T09:45:00Z)}}: “ship it”");
    expect(text).toContain("✅ Approved by Bob");
  });

  it("shows the caller's text without letting it format the card or hide a link", () => {
    const text = JSON.stringify(renderApprovalCard(pending, { masker: testMasker }));
    expect(text).not.toContain("](https://evil.example");
    expect(text).toContain("\\\\*\\\\*now\\\\*\\\\*");
  });

  it("hides masked values, also where other text repeats them", () => {
    const echo = { ...pending, policyReasons: ["key sk_live_abcdef123456 is a live key"] };
    const text = JSON.stringify(renderApprovalCard(echo, { masker: testMasker }));
    expect(text).not.toContain("sk_live_abcdef123456");
    expect(text).toContain("[MASKED]");
    expect(text).toContain("key [MASKED] is a live key");
  });

  it("describes role and group requirements", () => {
    expect(describeRequirements({ quorum: 2, roles: ["security"] })).toBe("2 distinct approvers with role security");
    expect(
      describeRequirements({
        quorum: 2,
        groups: [
          { roles: ["security"], quorum: 1 },
          { roles: ["dba", "admin"], quorum: 1 },
        ],
      }),
    ).toBe("1 with role security, and 1 with role dba or admin (2 distinct approvers in all)");
  });
});

describe("card text helpers", () => {
  it("keeps text on one bounded line", () => {
    expect(cardText("a\n\nb")).toBe("a b");
    expect(cardText("x".repeat(500)).length).toBe(300);
  });

  it("finds masked values by comparing the original with its masked copy", () => {
    const original = { a: { secret: "topsecret", n: 123456, short: "ab" }, b: "public" };
    const masked = testMasker.mask(original, ["/a"]);
    expect(maskedValues(original, masked)).toEqual(["topsecret", "123456", "ab"]);
    expect(scrubText("topsecret and 123456", ["topsecret", "123456"])).toBe("[MASKED] and [MASKED]");
  });

  it("scrubs a short value whose edges are punctuation or space wherever it stands, and a short word only on its own", () => {
    // "* " beside a letter extends no word (found by the card's property test: "x* x" showed the masked "* ")
    expect(scrubText("uses * and x* x", ["* "])).not.toContain("*");
    expect(scrubText("ab, and cab", ["ab"])).toBe("[MASKED], and cab");
  });
});
