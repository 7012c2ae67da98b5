/**
 * The Slack approval message and the verdict modal as pure functions: the same state gives the same message,
 * untrusted text never becomes mrkdwn (no links, mentions or pings), masked values are hidden everywhere,
 * Slack's Block Kit limits hold for any request, and a decided request has no buttons.
 */

import fc from "fast-check";
import { maskDocument } from "../../src/json/document-masking";
import { messageDigest, renderApprovalMessage } from "../../src/slack/approval-message";
import { APPROVE_ACTION_ID, DENY_ACTION_ID, parseButtonValue } from "../../src/slack/slack-actions";
import { renderVerdictModal } from "../../src/slack/verdict-modal";
import type { ApprovalCardState, Masker } from "../../src/teams/ports";

const masker: Masker = { mask: (value, pointers) => maskDocument(value, pointers) };

const pending: ApprovalCardState = {
  id: "apr_1",
  status: "pending",
  version: 3,
  request: {
    actor: { id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: "user:alice" },
    action: { name: "deploy", params: { service: "payments", image: "registry/payments:1.2.3", token: "tok_live_abcdef123456" } },
    resource: { type: "service", id: "payments", environment: "production" },
    context: { reason: "<!channel> see <https://evil.example/login|the docs> *now*", ticket: "REL-42" },
  },
  policyReasons: ["production deploys by an ai_agent need one release-manager"],
  mask: ["/action/params/token"],
  requestedAt: Date.UTC(2025, 0, 31, 9, 30),
  expiresAt: Date.UTC(2025, 0, 31, 10, 30),
  requirements: { quorum: 1, roles: ["release-manager"], maxScope: { count: 5 } },
  verdicts: [],
};

/** Every mrkdwn text object in a block tree. */
function mrkdwnTexts(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => mrkdwnTexts(n, out));
  else if (typeof node === "object" && node !== null) {
    const o = node as Record<string, unknown>;
    if (o["type"] === "mrkdwn" && typeof o["text"] === "string") out.push(o["text"]);
    Object.values(o).forEach((v) => mrkdwnTexts(v, out));
  }
  return out;
}

describe("renderApprovalMessage", () => {
  it("renders the same message (and digest) for the same state", () => {
    const a = renderApprovalMessage(pending, masker);
    const b = renderApprovalMessage(structuredClone(pending), masker);
    expect(a).toEqual(b);
    expect(messageDigest(a)).toBe(messageDigest(b));
    expect(messageDigest(a)).not.toBe(messageDigest(renderApprovalMessage({ ...pending, version: 4 }, masker)));
  });

  it("shows the request like the Teams card, with Approve and Deny buttons naming the request and version", () => {
    const message = renderApprovalMessage(pending, masker);
    const text = JSON.stringify(message.blocks);
    for (const shown of [
      "Approval required: deploy",
      "Pending",
      "agent:deploy-bot (ai_agent)",
      "user:alice",
      "service payments",
      "production",
      "REL-42",
      "2025-01-31 10:30 UTC",
      "1 distinct approver with role release-manager",
      "apr_1",
      "need one release-manager",
      "registry/payments:1.2.3",
      "None yet.",
      "up to 5 uses",
    ]) {
      expect(text).toContain(shown);
    }
    const actions = message.blocks.find((b) => b["type"] === "actions") as {
      elements: { action_id: string; value: string; style: string }[];
    };
    expect(actions.elements.map((e) => [e.action_id, e.style])).toEqual([
      [APPROVE_ACTION_ID, "primary"],
      [DENY_ACTION_ID, "danger"],
    ]);
    expect(parseButtonValue(actions.elements[0]!.value)).toEqual({ id: "apr_1", v: 3 });
    expect(message.text).toBe("Countersign: approval required for deploy");
  });

  it("never lets untrusted text become mrkdwn: no mention, link or formatting reaches a mrkdwn object", () => {
    const message = renderApprovalMessage(
      { ...pending, verdicts: [{ reviewerId: "user:bob", verdict: "deny", comment: "<@U0EVIL> <!here>", at: 1 }] },
      masker,
    );
    for (const t of mrkdwnTexts(message.blocks)) {
      expect(t).not.toMatch(/<[!@#]|<https?:/);
      expect(t).not.toContain("evil.example");
    }
    expect(JSON.stringify(message.blocks)).toContain("<!channel> see"); // shown, as plain text
  });

  it("hides masked values in every field and in free text that echoes them", () => {
    const echo: ApprovalCardState = {
      ...pending,
      policyReasons: ["token tok_live_abcdef123456 is used"],
      verdicts: [{ reviewerId: "user:bob", verdict: "approve", comment: "saw tok_live_abcdef123456", at: 1 }],
    };
    const out = JSON.stringify(renderApprovalMessage(echo, masker));
    expect(out).not.toContain("tok_live_abcdef123456");
    expect(out).toContain("[MASKED]");
  });

  it("a short masked value ('app') is hidden in text but never rewrites action ids or button values", () => {
    const state: ApprovalCardState = {
      ...pending,
      request: { ...pending.request, context: { ...pending.request.context, ticket: "app" } },
      mask: ["/context/ticket"],
      policyReasons: ["uses app"],
    };
    const message = renderApprovalMessage(state, masker);
    const actions = message.blocks.find((b) => b["type"] === "actions") as { elements: { action_id: string; value: string }[] };
    expect(actions.elements.map((e) => e.action_id)).toEqual([APPROVE_ACTION_ID, DENY_ACTION_ID]);
    expect(parseButtonValue(actions.elements[0]!.value)).toEqual({ id: "apr_1", v: 3 });
    expect(JSON.stringify(message.blocks)).toContain("uses [MASKED]");
    expect(JSON.stringify(message.blocks)).toContain("approvals");
    const view = renderVerdictModal(state, { id: "apr_1", verdict: "approve", v: 3, channel: "C0APPROVALS" }, masker) as {
      private_metadata: string;
    };
    expect(JSON.parse(view.private_metadata)).toEqual({ id: "apr_1", verdict: "approve", v: 3, channel: "C0APPROVALS" });
  });

  it("a decided request shows its outcome and no buttons", () => {
    for (const status of ["approved", "denied", "expired", "cancelled"] as const) {
      const decided: ApprovalCardState = {
        ...pending,
        status,
        outcome: { status, decidedAt: Date.UTC(2025, 0, 31, 9, 45), decidedBy: status === "expired" ? [] : ["user:bob"] },
      };
      const message = renderApprovalMessage(decided, masker);
      expect(message.blocks.some((b) => b["type"] === "actions")).toBe(false);
      expect(JSON.stringify(message.blocks)).toContain("No further verdicts are accepted.");
      expect(message.text).toContain(status);
    }
  });

  it("keeps within Block Kit's limits and hides masked values for any request", () => {
    const text = fc.string({ minLength: 0, maxLength: 400 });
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 30 }), fc.oneof(text, fc.integer(), fc.boolean()), { maxKeys: 40 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 30 }), text, { maxKeys: 40 }),
        fc.string({ minLength: 8, maxLength: 40 }).filter((s) => s.trim().length >= 8),
        fc.array(
          fc.record({
            reviewerId: fc.string({ minLength: 1, maxLength: 100 }),
            verdict: fc.constantFrom("approve" as const, "deny" as const),
            comment: text,
            at: fc.nat(),
          }),
          { maxLength: 30 },
        ),
        (params, context, secret, verdicts) => {
          const state: ApprovalCardState = {
            ...pending,
            request: {
              ...pending.request,
              action: { name: "db.export", params: { ...params, secret_query: secret } },
              context: { ...context, reason: `uses ${secret}` },
            },
            mask: ["/action/params/secret_query"],
            verdicts: verdicts.map((v) => ({ ...v, comment: `${v.comment} ${secret}` })),
          };
          const message = renderApprovalMessage(state, masker);
          expect(message.blocks.length).toBeLessThanOrEqual(50);
          for (const block of message.blocks) {
            const fields = block["fields"] as { text: string }[] | undefined;
            if (fields !== undefined) {
              expect(fields.length).toBeLessThanOrEqual(10);
              for (const f of fields) expect(f.text.length).toBeLessThanOrEqual(2000);
            }
            const t = (block["text"] as { text?: string } | undefined)?.text;
            if (t !== undefined) expect(t.length).toBeLessThanOrEqual(block["type"] === "header" ? 150 : 3000);
          }
          expect(JSON.stringify(message)).not.toContain(secret);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("renderVerdictModal", () => {
  const metadata = { id: "apr_1", verdict: "approve" as const, v: 3, channel: "C0APPROVALS", ts: "1.2" };

  it("asks for an optional comment, offers the policy's scope, and carries what was clicked", () => {
    const view = renderVerdictModal(pending, metadata, masker) as any;
    expect(view).toMatchObject({ type: "modal", callback_id: "countersign.verdict", submit: { text: "Approve" } });
    expect(JSON.parse(view.private_metadata)).toEqual(metadata);
    const comment = view.blocks.find((b: any) => b.block_id === "comment");
    expect(comment.optional).toBe(true);
    const scope = view.blocks.find((b: any) => b.block_id === "scope");
    expect(scope.element.options.map((o: any) => o.value)).toEqual(["once", JSON.stringify({ count: 5 })]);
    expect(renderVerdictModal(pending, { ...metadata, verdict: "deny" }, masker)).not.toHaveProperty("blocks.1.block_id", "scope");
  });

  it("requires the comment when the policy does, and shows no masked value", () => {
    const view = renderVerdictModal(
      {
        ...pending,
        requirements: { ...pending.requirements, commentRequired: true },
        request: { ...pending.request, actor: { id: "tok_live_abcdef123456" } },
      },
      metadata,
      masker,
    ) as any;
    expect(view.blocks.find((b: any) => b.block_id === "comment").optional).toBe(false);
    expect(JSON.stringify(view)).toContain("deploy on service payments");
    expect(JSON.stringify(view)).not.toContain("tok_live_abcdef123456");
  });
});
