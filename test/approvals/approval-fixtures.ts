/**
 * Shared fixtures for the approval tests: a hand-driven clock, identities in the shape of the example
 * config (issue 3), requirements, and a service instance wired to a Redis connection like main.ts will.
 */

import type Redis from "ioredis";
import type { ApprovalRequirements } from "../../src/engine/decision-contract";
import { RedisApprovalChangeFeed } from "../../src/approvals/approval-change-feed";
import type { ApprovalEvent, ApprovalEventListener } from "../../src/approvals/approval-events";
import { ApprovalEventBus } from "../../src/approvals/approval-events";
import type { Participant } from "../../src/approvals/approval-request";
import { ApprovalService, type ApprovalServiceDeps, type CreateApprovalInput } from "../../src/approvals/approval-service";
import { RedisApprovalStore } from "../../src/approvals/redis-approval-store";

/** A clock tests move by hand (milliseconds). */
export class TestClock {
  constructor(public ms = Date.UTC(2026, 10, 21, 12, 0, 0)) {}
  nowNs(): bigint {
    return BigInt(this.ms) * 1_000_000n;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Records every event. */
export class EventLog implements ApprovalEventListener {
  readonly events: ApprovalEvent[] = [];
  onApprovalEvent(event: ApprovalEvent): void {
    this.events.push(event);
  }
  ofType<T extends ApprovalEvent["type"]>(type: T): Extract<ApprovalEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<ApprovalEvent, { type: T }> => e.type === type);
  }
}

/** The caller principal `svc:ci`, owned by `user:erin`. */
export const caller: Participant = { id: "svc:ci", roles: [], owner: "user:erin" };
export const alice: Participant = { id: "user:alice", roles: ["dba"] };
export const bob: Participant = { id: "user:bob", roles: ["security", "release-manager"] };
export const carol: Participant = { id: "user:carol", roles: ["security"] };
export const dave: Participant = { id: "user:dave", roles: ["dba", "security"] };
export const erin: Participant = { id: "user:erin", roles: ["dba", "security"] };
export const frank: Participant = { id: "user:frank", roles: ["dba"] };

/** One dba approves. */
export const oneDba: ApprovalRequirements = {
  quorum: 1,
  reviewers: { roles: ["dba"] },
  ttl_seconds: 3600,
  grant_ttl_seconds: 300,
  reason_required: false,
};

/** Two distinct security reviewers. */
export const twoSecurity: ApprovalRequirements = { ...oneDba, quorum: 2, reviewers: { roles: ["security"] } };

/** One dba AND one security reviewer (two different people). */
export const dbaAndSecurity: ApprovalRequirements = {
  ...oneDba,
  quorum: 2,
  reviewers: {
    groups: [
      { roles: ["dba"], quorum: 1 },
      { roles: ["security"], quorum: 1 },
    ],
  },
};

/** A decide request: agent deploy-bot acting for user:mallory exports prod customers. */
export function exportRequest(overrides: Partial<CreateApprovalInput> = {}): CreateApprovalInput {
  return {
    caller,
    request: {
      actor: { id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: "user:mallory" },
      action: { name: "db.export", params: { table: "customers", rows: 10000, query: "select *" } },
      resource: { type: "database", id: "prod/customers", environment: "production" },
      context: { reason: "quarterly report", ticket: "OPS-1234" },
    },
    decisionId: "dec_1",
    policy: { bundle: "countersign", revision: "rev-1" },
    reasons: ["exports from production need a dba"],
    requirements: oneDba,
    mask: ["/action/params/query"],
    ...overrides,
  };
}

/** One service instance on its own Redis connection (what one Countersign process holds). */
export interface Instance {
  readonly service: ApprovalService;
  readonly store: RedisApprovalStore;
  readonly feed: RedisApprovalChangeFeed;
  readonly events: EventLog;
  close(): Promise<void>;
}

/** Builds an instance on `redis` with `clock`; `extra` overrides dependencies. */
export function instance(redis: Redis, clock: TestClock, extra: Partial<ApprovalServiceDeps> = {}): Instance {
  const store = new RedisApprovalStore(redis);
  const feed = new RedisApprovalChangeFeed(redis);
  const events = new EventLog();
  let n = 0;
  const prefix = Math.random().toString(36).slice(2, 8);
  const service = new ApprovalService({
    store,
    clock,
    ids: { newId: () => `apr_${prefix}_${++n}` },
    events: new ApprovalEventBus([events]),
    changes: feed,
    ...extra,
  });
  return { service, store, feed, events, close: () => feed.close() };
}
