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
  TIMERS_DUE_SCRIPT,
  EXPIRE_ONE_SCRIPT,
  HISTORY_INDEX_SCRIPT,
  HISTORY_PRUNE_SCRIPT,
  INDEX_SCRIPT,
  MARK_RECORDED_SCRIPT,
  VERDICT_SCRIPT,
  WITHDRAW_SCRIPT,
} from "./approval-scripts";
import type { ApprovalStore, CreateResult, Expired, InboxPosition, TimerFired, TransitionResult } from "./approval-store";
import { canonicalIdentity } from "../identity/identity-id";
import { eligibleRoles } from "./reviewer-eligibility";
import { nextEventLoopTurn, turnDue } from "../service/event-loop-turn";

/** Options of the Redis store. */
export interface RedisApprovalStoreOptions {
  /** Key names (prefix); default `countersign:`. */
  readonly keys?: ApprovalKeys;
  /** How long a request is kept after its final state, in seconds (default 30 days; 0 keeps it forever). */
  readonly retentionSeconds?: number;
  /** Write the notification outbox (a channel such as Teams is configured to read it). Default off. */
  readonly notifications?: boolean;
}

/** Default retention of final requests: 30 days. */
export const DEFAULT_RETENTION_SECONDS = 30 * 24 * 3600;

/** Approval requests in Redis. */
export class RedisApprovalStore implements ApprovalStore {
  /** The key layout in use. */
  readonly keys: ApprovalKeys;
  private readonly retentionMs: number;
  /** The notification outbox's key, or "" when notifications are off. */
  private readonly notify: string;

  constructor(
    private readonly redis: Redis,
    options: RedisApprovalStoreOptions = {},
  ) {
    this.keys = options.keys ?? new ApprovalKeys();
    this.retentionMs = (options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS) * 1000;
    this.notify = options.notifications === true ? this.keys.notify : "";
  }

  async create(core: ApprovalRequestCore, nowMs: number): Promise<CreateResult> {
    const k = this.keys;
    const idem = core.idempotencyKey !== undefined ? k.idempotency(core.requesters.callerId, core.idempotencyKey) : "";
    const reply = await this.run(() =>
      CREATE_SCRIPT.run(
        this.redis,
        [
          k.record(core.id),
          idem,
          k.pendingAction(core.requesters.callerId, core.breakGlass === undefined ? core.actionDigest : `break-glass:${core.id}`),
          k.pendingIndex,
          k.expiryIndex,
          k.journal,
          k.unrecordedIndex,
          k.timers,
        ],
        [
          core.id,
          JSON.stringify(core),
          core.createdAt,
          core.expiresAt,
          core.callbackUrl ? "1" : "0",
          k.recordPrefix,
          nowMs,
          JSON.stringify(inboxIndexes(k, core)),
          firstTimerAt(core) ?? "",
          JSON.stringify((core.requirements.escalate ?? []).map((rung) => (rung.roles ?? []).map((role) => k.roleIndex(role)))),
          k.grantUsed(""),
          JSON.stringify(historyIndexes(k, core)),
          this.retentionMs,
        ],
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
        [k.record(id), k.pendingIndex, k.expiryIndex, k.callbacksDue, k.journal, this.notify],
        [
          id,
          expectedVersion,
          voterField(verdict.reviewerId),
          JSON.stringify(verdict),
          nextStatus,
          nowMs,
          this.retentionMs,
          k.changes(id),
          k.votedIndex(verdict.reviewerId),
        ],
      ),
    );
    return transition(reply);
  }

  async cancel(id: string, cancellation: Cancellation, nowMs: number): Promise<TransitionResult> {
    const k = this.keys;
    const reply = await this.run(() =>
      CANCEL_SCRIPT.run(
        this.redis,
        [k.record(id), k.pendingIndex, k.expiryIndex, k.callbacksDue, k.journal, this.notify],
        [id, JSON.stringify(cancellation), nowMs, this.retentionMs, k.changes(id)],
      ),
    );
    return transition(reply);
  }

  /** How many requests are pending. */
  async pendingCount(): Promise<number> {
    return this.run(() => this.redis.zcard(this.keys.pendingIndex));
  }

  async timersDue(nowMs: number, limit: number): Promise<TimerFired[]> {
    const reply = await this.run(() =>
      TIMERS_DUE_SCRIPT.run(this.redis, [this.keys.timers, this.notify], [nowMs, limit, this.keys.recordPrefix]),
    );
    if (!Array.isArray(reply)) return [];
    return reply.map((row) => {
      const [hash, kind, n] = row as [ScriptReply, string, number | string];
      return { approval: decodeRecord(hash), kind: kind === "escalate" ? "escalate" : "remind", number: Number(n) };
    });
  }

  async markRecorded(id: string): Promise<void> {
    const k = this.keys;
    await this.run(() => MARK_RECORDED_SCRIPT.run(this.redis, [k.record(id), k.unrecordedIndex, this.notify], [id]));
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
      EXPIRE_ONE_SCRIPT.run(
        this.redis,
        [k.record(id), k.pendingIndex, k.expiryIndex, k.callbacksDue, k.journal, this.notify],
        [id, nowMs, this.retentionMs, k.changes(id)],
      ),
    );
    const [word, hash] = asReply(reply);
    return word === "expired_now" ? { approval: decodeRecord(hash), journal: journalIds((reply as ScriptReply[])[2] ?? null) } : null;
  }

  async expireDue(nowMs: number, limit: number): Promise<Expired[]> {
    const k = this.keys;
    const reply = await this.run(() =>
      EXPIRE_DUE_SCRIPT.run(
        this.redis,
        [k.expiryIndex, k.pendingIndex, k.callbacksDue, k.journal, this.notify],
        [nowMs, limit, k.recordPrefix, this.retentionMs, k.changesPrefix],
      ),
    );
    if (!Array.isArray(reply)) return [];
    return reply.map((pair) => {
      const [hash, jid] = pair as ScriptReply[];
      return { approval: decodeRecord(hash ?? null), journal: typeof jid === "string" ? [jid] : [] };
    });
  }

  /**
   * One page of the inbox of a reviewer holding `roles`: pending requests listed under any of the roles that
   * the reviewer neither voted on nor asked for, oldest first, strictly after `after` (a position from an
   * earlier page). The cost follows the page: ids are merged from the role indexes and filtered against the
   * reviewer's voted and requester indexes in batches, and only the survivors' records are read. Requests
   * not yet recorded, or already expired, are left out. `next` is where the following page starts (null at
   * the end). The caller applies the remaining rules (eligibility, the reviewer policy) to what it gets.
   */
  async inboxPage(
    reviewer: string,
    roles: readonly string[],
    after: InboxPosition | null,
    limit: number,
  ): Promise<{ approvals: ApprovalRequest[]; next: InboxPosition | null }> {
    const k = this.keys;
    const sources = [...new Set(roles)].map((role) => k.roleIndex(role));
    if (sources.length === 0 || limit <= 0) return { approvals: [], next: null };
    const exclude = [k.votedIndex(reviewer), k.requesterIndex(reviewer)];
    const merged = new IndexMerge(this.redis, sources, after);
    const out: ApprovalRequest[] = [];
    let position = after;
    for (;;) {
      const batch = await this.run(() => merged.next(Math.max(limit - out.length, 1) * 2 + 8));
      if (batch.length === 0) return { approvals: out, next: null };
      // First the cheap filter (the reviewer's voted and requester indexes), then only as many records as
      // the page still needs: reading and decoding records is what a page costs.
      const filter = this.redis.pipeline();
      for (const key of exclude) filter.zmscore(key, ...batch.map((e) => e.id));
      const scores = ((await this.run(() => filter.exec())) ?? []).map(([, v]) => (v ?? []) as (string | null)[]);
      const survivors = batch.filter((_, i) => !scores.some((s) => s[i] !== null && s[i] !== undefined));
      position = batch[batch.length - 1] ?? position;
      for (let from = 0; from < survivors.length;) {
        const chunk = survivors.slice(from, from + Math.max(limit - out.length, 1));
        from += chunk.length;
        const read = this.redis.pipeline();
        for (const e of chunk) read.hgetall(k.record(e.id));
        const records = (await this.run(() => read.exec())) ?? [];
        for (let i = 0; i < chunk.length; i++) {
          // Decoding a page's records is long work: decisions waiting meanwhile get turns.
          if (turnDue(i)) await nextEventLoopTurn();
          const [err, hash] = records[i] ?? [null, null];
          if (err || !hash || typeof hash !== "object" || Object.keys(hash).length === 0) continue;
          const fields = hash as Record<string, string>;
          if (fields["unrecorded"] !== undefined || fields["status"] !== "pending") continue;
          out.push(decodeFields(fields));
          // The page ends here: the next one starts after this entry (the rest of the batch is read again).
          if (out.length >= limit) return { approvals: out, next: chunk[i] as InboxPosition };
        }
      }
    }
  }

  /**
   * One page of the requests `requester` asked for (as caller, the caller's owner, the actor, or the person the
   * actor acts for), whatever their status, newest first (creation time, then id), strictly after `after` (a
   * position from an earlier page). Read from the requester's history, so every request still kept is
   * reachable however many there are, and a page reads about as many records as it lists. Requests whose
   * creating decision is not recorded yet are left out; ids whose record is gone (retention) are dropped from
   * the history as they are met. `next` is where the following page starts (null at the end).
   */
  async requestedBy(input: {
    readonly requester: string;
    readonly after: InboxPosition | null;
    readonly limit: number;
    /** Epoch milliseconds: ids due in the pruning queue by then are checked first. */
    readonly nowMs: number;
  }): Promise<{ approvals: ApprovalRequest[]; next: InboxPosition | null }> {
    const k = this.keys;
    const history = k.requestedIndex(input.requester);
    const until = k.requestedUntilIndex(input.requester);
    if (input.limit <= 0) return { approvals: [], next: null };
    if (input.after === null && this.retentionMs > 0) {
      await this.run(() => HISTORY_PRUNE_SCRIPT.run(this.redis, [history, until], [input.nowMs, this.retentionMs, k.recordPrefix, 100]));
    }
    const out: ApprovalRequest[] = [];
    let position = input.after;
    let last: InboxPosition | null = null;
    for (;;) {
      // One more than the page needs: finding it says there is a next page.
      const batch = await this.run(() => newestBefore(this.redis, history, position, input.limit + 1 - out.length));
      if (batch.length === 0) return { approvals: out, next: null };
      const read = this.redis.pipeline();
      for (const e of batch) read.hgetall(k.record(e.id));
      const records = (await this.run(() => read.exec())) ?? [];
      const gone: string[] = [];
      let full = false;
      for (let i = 0; i < batch.length && !full; i++) {
        const entry = batch[i] as InboxPosition;
        const [err, hash] = records[i] ?? [null, null];
        if (err) throw new ApprovalError("COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE", `the approval store failed: ${err.message}`);
        const fields = (hash ?? {}) as Record<string, string>;
        if (fields["core"] === undefined) gone.push(entry.id);
        else if (fields["unrecorded"] !== undefined) continue;
        else if (out.length >= input.limit) full = true;
        else {
          out.push(decodeFields(fields));
          last = entry;
        }
      }
      // A record gone is gone for good (ids are never reused): its history entries go too.
      if (gone.length > 0)
        await this.run(() =>
          this.redis
            .multi()
            .zrem(history, ...gone)
            .zrem(until, ...gone)
            .exec(),
        );
      if (full) return { approvals: out, next: last };
      position = batch[batch.length - 1] ?? position;
    }
  }

  /**
   * Lists every request stored before the requester history existed in its requesters' histories (a store
   * upgraded in place): one pass over the records, once per deployment (a marker key records that it ran
   * to the end). Idempotent; returns how many it listed.
   */
  async indexHistory(nowMs: number, batch = 500): Promise<number> {
    const k = this.keys;
    if ((await this.run(() => this.redis.exists(k.requestedIndexed))) === 1) return 0;
    const pattern = `${k.recordPrefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
    let done = 0;
    let cursor = "0";
    do {
      const [nextCursor, keys] = await this.run(() => this.redis.scan(cursor, "MATCH", pattern, "COUNT", batch));
      cursor = nextCursor;
      const check = this.redis.pipeline();
      for (const key of keys) check.hmget(key, "hist", "core");
      const fields = ((await this.run(() => check.exec())) ?? []).map(([, v]) => (v ?? [null, null]) as (string | null)[]);
      for (const [i, key] of keys.entries()) {
        const [hist, coreJson] = fields[i] ?? [null, null];
        if (hist !== null || coreJson === null || coreJson === undefined) continue;
        const id = key.slice(k.recordPrefix.length);
        const core = JSON.parse(coreJson) as ApprovalRequestCore;
        const reply = await this.run(() =>
          HISTORY_INDEX_SCRIPT.run(
            this.redis,
            [key],
            [id, JSON.stringify(historyIndexes(k, core)), nowMs, this.retentionMs, k.recordPrefix],
          ),
        );
        if (reply === 1) done++;
      }
    } while (cursor !== "0");
    await this.run(() => this.redis.set(k.requestedIndexed, String(nowMs)));
    return done;
  }

  /**
   * Lists pending requests created before inbox indexes existed in their role and requester indexes (a
   * store upgraded in place). Idempotent; returns how many it indexed.
   */
  async indexUnindexed(batch = 500): Promise<number> {
    const k = this.keys;
    let done = 0;
    let cursor = "0";
    do {
      const [nextCursor, flat] = await this.run(() => this.redis.zscan(k.pendingIndex, cursor, "COUNT", batch));
      cursor = nextCursor;
      const ids = flat.filter((_, i) => i % 2 === 0);
      const check = this.redis.pipeline();
      for (const id of ids) check.hexists(k.record(id), "idx");
      const indexed = ((await this.run(() => check.exec())) ?? []).map(([, v]) => v === 1);
      for (const [i, id] of ids.entries()) {
        if (indexed[i]) continue;
        const fields = await this.run(() => this.redis.hgetall(k.record(id)));
        if (fields["idx"] !== undefined || fields["core"] === undefined) continue;
        const approval = decodeFields(fields);
        const keys = [...inboxIndexes(k, approval), ...approval.verdicts.map((v) => k.votedIndex(v.reviewerId))];
        const reply = await this.run(() => INDEX_SCRIPT.run(this.redis, [k.record(id)], [id, JSON.stringify(keys)]));
        if (reply === 1) done++;
      }
    } while (cursor !== "0");
    return done;
  }

  async attachGrant(
    id: string,
    grant: IssuedGrant,
  ): Promise<{ attached: boolean; grant: IssuedGrant; journal?: readonly string[] } | null> {
    const reply = await this.run(() =>
      ATTACH_GRANT_SCRIPT.run(this.redis, [this.keys.record(id), this.keys.journal], [id, JSON.stringify(grant)]),
    );
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

/** The role and requester indexes that list a pending request. */
function inboxIndexes(keys: ApprovalKeys, core: ApprovalRequestCore): string[] {
  const r = core.requesters;
  const requesters = [r.callerId, r.callerOwner, r.actorId, r.onBehalfOf].filter((id): id is string => id !== undefined);
  return [
    ...new Set([
      ...eligibleRoles(core.requirements.reviewers).map((role) => keys.roleIndex(role)),
      ...requesters.map((id) => keys.requesterIndex(id)),
    ]),
  ];
}

/** The requester history keys of a request: `[requested, requested-until]` per distinct requester identity. */
function historyIndexes(keys: ApprovalKeys, core: ApprovalRequestCore): [string, string][] {
  const r = core.requesters;
  const ids = [r.callerId, r.callerOwner, r.actorId, r.onBehalfOf].filter((id): id is string => id !== undefined);
  const pairs = new Map(ids.map((id) => [keys.requestedIndex(id), keys.requestedUntilIndex(id)] as const));
  return [...pairs.entries()];
}

/**
 * Up to `count` entries of a history newest first (creation time, then id, both descending), strictly after
 * `after` in that order. Reads further when a run of equal scores sits at the position.
 */
async function newestBefore(redis: Redis, key: string, after: InboxPosition | null, count: number): Promise<InboxPosition[]> {
  let want = Math.max(count, 1);
  for (;;) {
    const flat = await redis.zrevrangebyscore(key, after === null ? "+inf" : after.score, "-inf", "WITHSCORES", "LIMIT", 0, want);
    const entries: InboxPosition[] = [];
    for (let j = 0; j + 1 < flat.length; j += 2) entries.push({ id: flat[j] as string, score: Number(flat[j + 1]) });
    const fresh = after === null ? entries : entries.filter((e) => before(e, after));
    if (fresh.length > 0 || entries.length < want) return fresh.slice(0, count);
    want *= 2;
  }
}

/**
 * Ids from several role indexes in one order (creation time, then id), without repeats, resuming after a
 * position: each index is read a slice at a time, so a page costs what it reads, not the backlog.
 */
class IndexMerge {
  private readonly buffers: InboxPosition[][];
  private readonly exhausted: boolean[];
  private readonly from: (InboxPosition | null)[];
  private last: InboxPosition | null;

  constructor(
    private readonly redis: Redis,
    private readonly keys: readonly string[],
    after: InboxPosition | null,
  ) {
    this.buffers = keys.map(() => []);
    this.exhausted = keys.map(() => false);
    this.from = keys.map(() => after);
    this.last = after;
  }

  /** Up to `count` next ids in order. */
  async next(count: number): Promise<InboxPosition[]> {
    const out: InboxPosition[] = [];
    while (out.length < count) {
      for (let i = 0; i < this.keys.length; i++) {
        if (this.buffers[i]!.length === 0 && !this.exhausted[i]) await this.fill(i, count);
      }
      let best = -1;
      for (let i = 0; i < this.keys.length; i++) {
        const head = this.buffers[i]![0];
        if (head !== undefined && (best < 0 || before(head, this.buffers[best]![0]!))) best = i;
      }
      if (best < 0) break;
      const entry = this.buffers[best]!.shift() as InboxPosition;
      if (this.last !== null && !before(this.last, entry)) continue; // a repeat from another role
      this.last = entry;
      out.push(entry);
    }
    return out;
  }

  /** Reads the next slice of index `i` after its last position. */
  private async fill(i: number, count: number): Promise<void> {
    const from = this.from[i] ?? null;
    let want = count;
    for (;;) {
      const flat = await this.redis.zrangebyscore(
        this.keys[i] as string,
        from === null ? "-inf" : from.score,
        "+inf",
        "WITHSCORES",
        "LIMIT",
        0,
        want,
      );
      const entries: InboxPosition[] = [];
      for (let j = 0; j + 1 < flat.length; j += 2) entries.push({ id: flat[j] as string, score: Number(flat[j + 1]) });
      const fresh = from === null ? entries : entries.filter((e) => before(from, e));
      if (fresh.length > 0 || entries.length < want) {
        this.buffers[i] = fresh;
        if (entries.length < want) this.exhausted[i] = true;
        const tail = fresh[fresh.length - 1];
        if (tail !== undefined) this.from[i] = tail;
        return;
      }
      want *= 2; // a run of equal scores at or before the position: read further
    }
  }
}

/** True when position `a` comes before `b` in the inbox order. */
function before(a: InboxPosition, b: InboxPosition): boolean {
  return a.score < b.score || (a.score === b.score && a.id < b.id);
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
    ...(fields.reminders !== undefined && Number(fields.reminders) > 0 ? { reminders: Number(fields.reminders) } : {}),
    ...(fields.escalation !== undefined && Number(fields.escalation) > 0
      ? { escalation: { level: Number(fields.escalation), roles: JSON.parse(fields.escalated_roles ?? "[]") as string[] } }
      : {}),
  };
}

/** When the first reminder or escalation of a new request is due (epoch ms), or undefined when none comes before expiry. */
function firstTimerAt(core: ApprovalRequestCore): number | undefined {
  const r = core.requirements;
  const candidates = [
    ...(r.remind_after_seconds === undefined ? [] : [core.createdAt + r.remind_after_seconds * 1000]),
    ...(r.escalate === undefined || r.escalate.length === 0 ? [] : [core.createdAt + r.escalate[0]!.after_seconds * 1000]),
  ];
  const first = Math.min(...candidates);
  return candidates.length > 0 && first < core.expiresAt ? first : undefined;
}
