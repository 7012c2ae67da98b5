/**
 * Approval card states for rendering tests: a pending two-group request (security and dba), partly approved,
 * approved, denied, expired, cancelled, and a pending request with 30 long, nested, unicode and bidi values.
 */

import { maskDocument } from "../../../src/json/document-masking";
import type { ApprovalCardOptions } from "../../../src/teams/approval-card";
import type { ApprovalCardState, CardPerson, CardVerdict, Masker } from "../../../src/teams/ports";

export const masker: Masker = { mask: (value, pointers) => maskDocument(value, pointers) };

export const PEOPLE: Record<string, CardPerson> = {
  "user:jane.doe": { displayName: "Jane Doe" },
  "user:marco": { displayName: "Marco Rossi" },
  "user:bob": { displayName: "Bob Smith" },
  "user:carol": { displayName: "Carol Chen" },
};

export const NOW = Date.UTC(2025, 0, 31, 14, 3, 20);

export const cardOptions: ApprovalCardOptions = {
  masker,
  now: NOW,
  people: (id) => PEOPLE[id],
  consoleBaseUrl: "https://countersign.example.com/",
};

export const pending: ApprovalCardState = {
  id: "apr_7",
  status: "pending",
  version: 1,
  request: {
    actor: { id: "agent:data-export-assistant", type: "ai_agent", on_behalf_of: "user:jane.doe" },
    action: { name: "db.export", params: { table: "customers", rows: 10000, query: "select * from customers where tier='gold'" } },
    resource: { type: "database", id: "prod-crm/customers", environment: "production" },
    context: { reason: "quarterly churn report", ticket: "OPS-1234" },
  },
  policyReasons: ["exports from production need one security and one dba reviewer"],
  mask: ["/action/params/query"],
  requestedAt: Date.UTC(2025, 0, 31, 14, 0),
  expiresAt: Date.UTC(2025, 0, 31, 14, 15),
  requirements: {
    quorum: 2,
    groups: [
      { roles: ["security"], quorum: 1 },
      { roles: ["dba"], quorum: 1 },
    ],
  },
  verdicts: [],
  waitingFor: [
    { count: 1, roles: ["security"] },
    { count: 1, roles: ["dba"] },
  ],
  risk: "high",
};

export const bob: CardVerdict = {
  reviewerId: "user:bob",
  verdict: "approve",
  roles: ["dba"],
  comment: "row count is fine",
  at: Date.UTC(2025, 0, 31, 14, 5),
};
export const marco: CardVerdict = {
  reviewerId: "user:marco",
  verdict: "deny",
  roles: ["security"],
  comment: "not the whole table",
  at: Date.UTC(2025, 0, 31, 14, 7),
};
export const carol: CardVerdict = { reviewerId: "user:carol", verdict: "approve", roles: ["security"], at: Date.UTC(2025, 0, 31, 14, 8) };

export const partly: ApprovalCardState = { ...pending, version: 2, verdicts: [bob], waitingFor: [{ count: 1, roles: ["security"] }] };

/** A decided state of the pending request. */
export function decided(
  status: "approved" | "denied" | "expired" | "cancelled",
  verdicts: CardVerdict[],
  decidedBy: string[],
  reason?: string,
): ApprovalCardState {
  const { waitingFor: _w, ...rest } = pending;
  return {
    ...rest,
    status,
    version: 3,
    verdicts,
    outcome: { status, decidedAt: Date.UTC(2025, 0, 31, 14, 8), decidedBy, ...(reason === undefined ? {} : { reason }) },
  };
}

/** 30 parameters: 26 plain (some with accents), one 1,200-character unbroken value, nested objects and lists, CJK and emoji, zero-width and bidi controls. */
export function thirtyFields(): ApprovalCardState {
  const params: Record<string, unknown> = {};
  for (let i = 0; i < 26; i++) params[`field_${String(i).padStart(2, "0")}`] = `value ${i} ${"données-été-✓ ".repeat(i % 4)}`;
  params["long_unbroken"] = "x".repeat(1200);
  params["nested"] = {
    filter: { country: "DE", since: "2024-01-01", tags: { include: ["a", "b"], exclude: { deep: { deeper: "כן" } } } },
    columns: ["id", "email"],
    items: [{ sku: "A-1", qty: 2 }],
  };
  params["unicode"] = "客户数据 📦 Ünïcödé مرحبا";
  params["file"] = "prod\u200buction\u202Egnp.exe";
  return {
    ...pending,
    request: {
      ...pending.request,
      action: { name: "db.export", params },
      context: { reason: `${"a very long reason without any break ".repeat(6)}${"ÿ".repeat(120)}`, ticket: "OPS-1234" },
    },
  };
}

/**
 * The most a pending card puts above its buttons: the policy's summary at its 200-character cap, a reason and
 * a comment at 300, a long ticket, a verdict already given, a scope picker and a required comment.
 */
export function crowdedPending(): ApprovalCardState {
  const words = (n: number): string => "approve the export of the quarterly customer table to the finance share ".repeat(10).slice(0, n);
  return {
    ...partly,
    summary: words(200),
    request: { ...pending.request, context: { reason: words(300), ticket: `OPS-${"9".repeat(76)}` } },
    requirements: { ...partly.requirements, commentRequired: true, maxScope: { count: 5, window_seconds: 3600 } },
    verdicts: [{ ...bob, comment: words(300) }],
  };
}
