/**
 * `ApprovalStore` on Redis: one hash per request, state changes through the Lua scripts of
 * `approval-scripts.ts`, each one round trip. The key layout is documented in `approval-keys.ts`.
 */

import type Redis from "ioredis";
import type { ScriptReply } from "../redis/redis-script";
import { ApprovalError } from "./approval-errors";
import { ApprovalKeys } from "./approval-keys";
import type { ApprovalRequest, ApprovalRequestCore, ApprovalStatus, Cancellation, IssuedGrant, Verdict } from "./approval-request";
import {
  ATTACH_GRANT_SCRIPT,
  CANCEL_SCRIPT,
  CREATE_SCRIPT,
  EXPIRE_DUE_SCRIPT,
  EXPIRE_ONE_SCRIPT,
  MARK_RECORDED_SCRIPT,
  VERDICT_SCRIPT,
  WITHDRAW_SCRIPT,
} from "./approval-scripts";
import type { ApprovalStore, CreateResult, Expired, TransitionResult } from "./approval-store";
import { canonicalIdentity } from "../identity/identity-id";

/** Options of the Redis store. */
export interface RedisApprovalStoreOptions {
  /** Key names (prefix); default `countersign:`. */
  readonly keys?: ApprovalKeys;
  /** How long a request is kept after its final state, in seconds (default 30 days; 0 keeps it forever). */
  readonly retentionSeconds?: number;
}

/** Default retention of final requests: 30 days. */
export const DEFAULT_RETENTION_SECONDS = 30 * 24 * 3600;

/** Approval requests in Redis. */
export class RedisApprovalStore implements ApprovalStore {
  /** The key layout in use. */
  readonly keys: ApprovalKeys;
  private readonly retentionMs: number;

  constructor(
    private readonly redis: Redis,
    options: RedisApprovalStoreOptions = {},
  ) {
    this.keys = options.keys ?? new ApprovalKeys();
    this.retentionMs = (options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS) * 1000;
  }

  async create(core: ApprovalRequestCore, nowMs: number): Promise<CreateResult> {
    const k = this.keys;
    const idem = core.idempotencyKey !== undefined ? k.idempotency(core.requesters.callerId, core.idempotencyKey) : "";
    const reply = await this.run(() =>
      CREATE_SCRIPT.run(
        this.redis,
        [k.record(core.id), idem, k.pendingAction(core.requesters.callerId, core.actionDigest), k.pendingIndex, k.expiryIndex, k.journal, k.unrecordedIndex],
        [core.id, JSON.stringify(core), core.createdAt, core.expiresAt, core.callbackUrl ? "1" : "0", k.recordPrefix, nowMs],
      ),
    );
    const [word, hash] = asReply(reply);
    if (word === "existing") return { created: false, approval: decodeRecord(hash) };
    if (word === "created") {
      return {
        created: true,
        approval: { ...core, status: "pending", version: 1, updatedAt: core.createdAt, verdicts: [] },
        journal: journalIds(hash),
      };
    }
    throw new Error(`approval id ${core.id} is already taken`);
  }

  async get(id: string): Promise<ApprovalRequest | null> {
    const flat = await this.run(() => this.redis.call("HGETALL", this.keys.record(id)) as Promise<ScriptReply>);
    return Array.isArray(flat) && flat.length > 0 ? decodeRecord(flat) : null;
  }

  async applyVerdict(
    id: string,
    expectedVersion: number,
    verdict: Verdict,
    nextStatus: "pending" | "approved" | "denied",
    nowMs: number,
  ): Promise<TransitionResult> {
    const k = this.keys;
    const reply = await this.run(() =>
      VERDICT_SCRIPT.run(
        this.redis,
        [k.record(id), k.pendingIndex, k.expiryIndex, k.callbacksDue, k.journal],
        [id, expectedVersion, voterField(verdict.reviewerId), JSON.stringify(verdict), nextStatus, nowMs, this.retentionMs, k.changes(id)],
      ),
    );
    return transition(reply);
  }

  async cancel(id: string, cancellation: Cancellation, nowMs: number): Promise<TransitionResult> {
    const k = this.keys;
    const reply = await this.run(() =>
      CANCEL_SCRIPT.run(
        this.redis,
        [k.record(id), k.pendingIndex, k.expiryIndex, k.callbacksDue, k.journal],
        [id, JSON.stringify(cancellation), nowMs, this.retentionMs, k.changes(id)],
      ),
    );
    return transition(reply);
  }

  async markRecorded(id: string): Promise<void> {
    const k = this.keys;
    await this.run(() => MARK_RECORDED_SCRIPT.run(this.redis, [k.record(id), k.unrecordedIndex], [id]));
  }

  async withdraw(id: string): Promise<boolean> {
    const k = this.keys;
    const reply = await this.run(() =>
      WITHDRAW_SCRIPT.run(this.redis, [k.record(id), k.pendingIndex, k.expiryIndex, k.unrecordedIndex, k.callbacksDue, k.journal], [id]),
    );
    return reply === 1;
  }

  /** Ids of requests whose creating decision is still unrecorded, created at or before `beforeMs`. */
  async unrecordedSince(beforeMs: number, limit: number): Promise<string[]> {
    return this.run(() => this.redis.zrangebyscore(this.keys.unrecordedIndex, "-inf", beforeMs, "LIMIT", 0, limit));
  }

  /** True when the request is stored and still marked unrecorded. */
  async isUnrecorded(id: string): Promise<boolean> {
    return (await this.run(() => this.redis.hexists(this.keys.record(id), "unrecorded"))) === 1;
  }

  async expireIfDue(id: string, nowMs: number): Promise<Expired | null> {
    const k = this.keys;
    const reply = await this.run(() =>
      EXPIRE_ONE_SCRIPT.run(this.redis, [k.record(id), k.pendingIndex, k.expiryIndex, k.callbacksDue, k.journal], [id, nowMs, this.retentionMs, k.changes(id)]),
    );
    const [word, hash] = asReply(reply);
    return word === "expired_now" ? { approval: decodeRecord(hash), journal: journalIds((reply as ScriptReply[])[2] ?? null) } : null;
  }

  async expireDue(nowMs: number, limit: number): Promise<Expired[]> {
    const k = this.keys;
    const reply = await this.run(() =>
      EXPIRE_DUE_SCRIPT.run(this.redis, [k.expiryIndex, k.pendingIndex, k.callbacksDue, k.journal], [nowMs, limit, k.recordPrefix, this.retentionMs, k.changesPrefix]),
    );
    if (!Array.isArray(reply)) return [];
    return reply.map((pair) => {
      const [hash, jid] = pair as ScriptReply[];
      return { approval: decodeRecord(hash ?? null), journal: typeof jid === "string" ? [jid] : [] };
    });
  }

  async listPending(limit: number): Promise<ApprovalRequest[]> {
    const ids = await this.run(() => this.redis.zrange(this.keys.pendingIndex, "0", String(Math.max(0, limit - 1))));
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.record(id));
    const results = (await this.run(() => pipeline.exec())) ?? [];
    const out: ApprovalRequest[] = [];
    for (const [err, hash] of results) {
      if (err || !hash || typeof hash !== "object" || Object.keys(hash).length === 0) continue;
      // Not yet announced: its creating decision is still being recorded (or never was).
      if ((hash as Record<string, string>)["unrecorded"] !== undefined) continue;
      out.push(decodeFields(hash as Record<string, string>));
    }
    return out;
  }

  async attachGrant(id: string, grant: IssuedGrant): Promise<{ attached: boolean; grant: IssuedGrant; journal?: readonly string[] } | null> {
    const reply = await this.run(() => ATTACH_GRANT_SCRIPT.run(this.redis, [this.keys.record(id), this.keys.journal], [id, JSON.stringify(grant)]));
    const [word, existing] = asReply(reply);
    if (word === "attached") return { attached: true, grant, journal: journalIds(existing) };
    if (word === "existing" && typeof existing === "string") return { attached: false, grant: JSON.parse(existing) as IssuedGrant };
    return null;
  }

  /** Runs a Redis call, turning connection failures into COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE. */
  private async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof ApprovalError) throw err;
      throw new ApprovalError("COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE", `the approval store failed: ${(err as Error).message}`);
    }
  }
}

/** The hash field marking that a reviewer has voted (normalised identity). */
function voterField(reviewerId: string): string {
  return `voter:${canonicalIdentity(reviewerId)}`;
}

function asReply(reply: ScriptReply): [string, ScriptReply] {
  if (!Array.isArray(reply) || typeof reply[0] !== "string") throw new Error(`unexpected script reply: ${JSON.stringify(reply)}`);
  return [reply[0], reply[1] ?? null];
}

/** Journal entry ids from a script's reply element (an array of stream ids). */
function journalIds(reply: ScriptReply): string[] {
  return Array.isArray(reply) ? reply.filter((id): id is string => typeof id === "string") : [];
}

function transition(reply: ScriptReply): TransitionResult {
  const [word, hash] = asReply(reply);
  const journal = journalIds((reply as ScriptReply[])[2] ?? null);
  switch (word) {
    case "ok":
      return { kind: "applied", approval: decodeRecord(hash), journal };
    case "conflict":
      return { kind: "conflict" };
    case "voted":
      return { kind: "already_voted", approval: decodeRecord(hash) };
    case "decided":
      return { kind: "already_decided", approval: decodeRecord(hash) };
    case "expired_now":
      return { kind: "expired_now", approval: decodeRecord(hash), journal };
    case "not_found":
      return { kind: "not_found" };
    default:
      throw new Error(`unexpected script reply word: ${word}`);
  }
}

/** Decodes a request hash given as HGETALL's flat [field, value, ...] array. */
function decodeRecord(flat: ScriptReply): ApprovalRequest {
  if (!Array.isArray(flat)) throw new Error("approval record reply is not an array");
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = String(flat[i + 1]);
  return decodeFields(fields);
}

/** Decodes a request hash given as a field → value object. */
function decodeFields(fields: Record<string, string>): ApprovalRequest {
  const core = JSON.parse(fields.core ?? "null") as ApprovalRequestCore | null;
  if (!core) throw new Error("approval record has no core");
  return {
    ...core,
    status: fields.status as ApprovalStatus,
    version: Number(fields.version),
    updatedAt: Number(fields.updated_at),
    ...(fields.decided_at !== undefined ? { decidedAt: Number(fields.decided_at) } : {}),
    verdicts: JSON.parse(fields.verdicts ?? "[]") as Verdict[],
    ...(fields.cancellation !== undefined ? { cancellation: JSON.parse(fields.cancellation) as Cancellation } : {}),
    ...(fields.grant !== undefined ? { grant: JSON.parse(fields.grant) as IssuedGrant } : {}),
  };
}
