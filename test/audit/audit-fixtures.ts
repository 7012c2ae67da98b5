/**
 * Shared pieces for the audit tests: a stepping clock, keys, trails over a test Redis, and sample events.
 */

import type Redis from "ioredis";
import {
  ALWAYS_MASKED_INPUT_POINTERS,
  approvalCreatedEvent,
  approvalFinalEvent,
  approvalVerdictEvent,
  decisionEvent,
  type AuditDraft,
  type DecisionEventInput,
} from "../../src/audit/audit-event";
import { pointerCovers } from "../../src/json/json-pointer";
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
  opts: {
    key?: AuditSigningKey;
    clock?: Clock;
    maxBatch?: number;
    mirror?: AuditMirror;
    labels?: Record<string, string>;
    appendTimeoutMs?: number;
    stream?: string;
  } = {},
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

/** Every entry of the trail in `stream` as stored in Redis, oldest first, read as the service reads it (any storage field). */
export async function storedEntries(redis: Redis, stream?: string): Promise<Record<string, any>[]> {
  const records = await new RedisAuditStore(redis, stream).readAscending(null, 1_000_000);
  return records.map((r) => JSON.parse(r.line) as Record<string, any>);
}

/** A decision draft for request number `i`. */
export function sampleDecision(
  i: number,
  over: { actor?: string; action?: string; outcome?: "allow" | "deny" | "require_approval"; query?: string } = {},
): AuditDraft {
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

/**
 * A decision draft in the version 1 shape, member for member what `decisionEvent` built before entries were
 * versioned (the subject projections, the full `result`, `caller` and `path` on every entry): trails and
 * archives hold such entries, and the readers must keep reading them.
 */
export function decisionEventV1(d: DecisionEventInput): AuditDraft {
  const requestMask = [...(d.mask ?? []), ...ALWAYS_MASKED_INPUT_POINTERS];
  const input = d.input as { [key: string]: unknown };
  const shown = (pointer: string, value: unknown): string | undefined =>
    typeof value === "string" && !requestMask.some((p) => pointerCovers(p, pointer)) ? value : undefined;
  const obj = (v: unknown): { [key: string]: unknown } =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? (v as { [key: string]: unknown }) : {};
  const actor = obj(input["actor"]);
  const action = obj(input["action"]);
  const resource = obj(input["resource"]);
  const resourceSummary = dropUndefined({
    type: shown("/resource/type", resource["type"]),
    id: shown("/resource/id", resource["id"]),
    environment: shown("/resource/environment", resource["environment"]),
  });
  const body = dropUndefined({
    type: "decision",
    decision_id: d.decisionId,
    path: d.path ?? "countersign/decision",
    bundles: d.policy === null ? {} : { [d.policy.bundle]: { revision: d.policy.revision } },
    caller: d.caller,
    actor: shown("/actor/id", actor["id"]),
    actor_type: shown("/actor/type", actor["type"]),
    on_behalf_of: shown("/actor/on_behalf_of", actor["on_behalf_of"]),
    action: shown("/action/name", action["name"]),
    resource: Object.keys(resourceSummary).length === 0 ? undefined : resourceSummary,
    outcome: d.outcome,
    reasons: [...d.reasons],
    input: d.input,
    result: d.result ?? { outcome: d.outcome, reasons: d.reasons },
    approval_id: d.approvalId,
    break_glass: d.breakGlass === undefined ? undefined : { justification: d.breakGlass.justification },
    failure: d.failure,
    metrics: d.evalNs === undefined ? undefined : { timer_eval_ns: d.evalNs },
  });
  return { body, mask: requestMask.map((p) => "/input" + p) } as unknown as AuditDraft;
}

function dropUndefined(o: { [key: string]: unknown }): { [key: string]: unknown } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
