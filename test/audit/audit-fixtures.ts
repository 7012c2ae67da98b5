/**
 * Shared pieces for the audit tests: a stepping clock, keys, trails over a test Redis, and sample events.
 */

import type Redis from "ioredis";
import { approvalCreatedEvent, approvalFinalEvent, approvalVerdictEvent, decisionEvent, type AuditDraft } from "../../src/audit/audit-event";
import type { AuditMirror } from "../../src/audit/audit-mirror";
import { AuditTrail } from "../../src/audit/audit-trail";
import { RedisAuditStore } from "../../src/audit/redis-audit-store";
import { generateSigningKeyPem, loadSigningKey, type AuditSigningKey } from "../../src/audit/signing-key";
import type { Clock } from "../../src/policy/clock";

/** The salt every test trail masks with. */
export const TEST_SALT = Buffer.from("audit-test-salt-0123456789abcdef", "utf8");

/** A clock that advances by `stepNs` on every read. */
export function steppingClock(startNs = 1_790_000_000_000_000_000n, stepNs = 1_000_000n): Clock & { set(ns: bigint): void } {
  let now = startNs;
  return {
    nowNs: () => (now += stepNs),
    set: (ns: bigint) => {
      now = ns;
    },
  };
}

/** A fresh Ed25519 signing key. */
export function newSigningKey(): AuditSigningKey {
  return loadSigningKey(generateSigningKeyPem());
}

/** A trail over a connection. */
export function makeTrail(
  redis: Redis,
  opts: { key?: AuditSigningKey; clock?: Clock; maxBatch?: number; mirror?: AuditMirror; labels?: Record<string, string>; appendTimeoutMs?: number; stream?: string } = {},
): { trail: AuditTrail; store: RedisAuditStore; key: AuditSigningKey } {
  const store = new RedisAuditStore(redis, opts.stream);
  const key = opts.key ?? newSigningKey();
  const trail = new AuditTrail({
    store,
    signingKey: key,
    clock: opts.clock ?? steppingClock(),
    maskSalt: TEST_SALT,
    ...(opts.maxBatch === undefined ? {} : { maxBatch: opts.maxBatch }),
    ...(opts.mirror === undefined ? {} : { mirror: opts.mirror }),
    ...(opts.labels === undefined ? {} : { labels: opts.labels }),
    ...(opts.appendTimeoutMs === undefined ? {} : { appendTimeoutMs: opts.appendTimeoutMs }),
  });
  return { trail, store, key };
}

/** A decision draft for request number `i`. */
export function sampleDecision(i: number, over: { actor?: string; action?: string; outcome?: "allow" | "deny" | "require_approval"; query?: string } = {}): AuditDraft {
  return decisionEvent({
    decisionId: `d-${i}`,
    caller: "svc:ci",
    input: {
      actor: { id: over.actor ?? "agent:deploy-bot", type: "ai_agent", on_behalf_of: "user:alice" },
      action: { name: over.action ?? "db.read", params: { table: "orders", query: over.query ?? `select ${i}` } },
      resource: { type: "database", id: "prod/orders", environment: "production" },
      context: { ticket: `OPS-${i}` },
      caller: { id: "svc:ci", kind: "service", roles: [] },
      now: "2026-11-21T12:00:00.000Z",
    },
    outcome: over.outcome ?? "allow",
    reasons: ["routine read"],
    policy: { bundle: "countersign", revision: "rev-1" },
    mask: ["/action/params/query"],
  });
}

/** The events of one approval flow: created, two verdicts, approved. */
export function sampleApprovalFlow(approvalId: string): AuditDraft[] {
  const subject = { actor: "agent:deploy-bot", onBehalfOf: "user:alice", action: "iam.role.update" };
  return [
    approvalCreatedEvent({
      approvalId,
      decisionId: `d-${approvalId}`,
      caller: "svc:ci",
      ...subject,
      actionDigest: "f".repeat(64),
      quorum: 2,
      reviewers: { roles: ["security"] },
      expiresAt: "2026-11-21T13:00:00.000000000Z",
    }),
    approvalVerdictEvent({ approvalId, reviewer: "user:bob", channel: "api", verdict: "approve", comment: "ok", ...subject }),
    approvalVerdictEvent({ approvalId, reviewer: "user:carol", channel: "teams", verdict: "approve", ...subject }),
    approvalFinalEvent({ approvalId, outcome: "approved", approvers: ["user:bob", "user:carol"], ...subject }),
  ];
}
