/**
 * The durable queue of final-state callbacks. The approval scripts enqueue a request's id in the same
 * atomic step that makes it final (so no callback is lost to a crash), and dispatchers on any instance claim
 * due ids with a lease: a claimed id is hidden until the lease ends, so one delivery runs at a time, and a
 * dispatcher that dies mid-delivery only delays the next attempt.
 */

import type Redis from "ioredis";
import { ApprovalKeys } from "../approvals/approval-keys";
import { RedisScript } from "../redis/redis-script";

/** A claimed delivery: the approval id and which attempt this is (1 for the first). */
export interface ClaimedCallback {
  readonly approvalId: string;
  readonly attempt: number;
}

/** What the dispatcher needs from the queue. */
export interface CallbackOutbox {
  /** Claims up to `limit` due callbacks, hiding each for `leaseMs`. */
  claim(nowMs: number, limit: number, leaseMs: number): Promise<ClaimedCallback[]>;
  /** Removes a callback for good (delivered, or given up). */
  complete(approvalId: string): Promise<void>;
  /** Schedules the next attempt. */
  retryAt(approvalId: string, atMs: number): Promise<void>;
}

/**
 * KEYS: callbacks due. ARGV: now, limit, lease ms, attempt-counter prefix.
 * Reply: flat [id, attempt, id, attempt, ...].
 */
const CLAIM_SCRIPT = new RedisScript(
  "callback-claim",
  `
local due = KEYS[1]
local now, limit, lease, prefix = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', due, '-inf', now, 'LIMIT', 0, limit)) do
  redis.call('ZADD', due, 'XX', now + lease, id)
  table.insert(out, id)
  table.insert(out, redis.call('HINCRBY', prefix .. id, 'attempts', 1))
end
return out
`,
);

/** The outbox in Redis (`callbacks:due` zset, `callback:<id>` attempt counters). */
export class RedisCallbackOutbox implements CallbackOutbox {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ApprovalKeys = new ApprovalKeys(),
  ) {}

  async claim(nowMs: number, limit: number, leaseMs: number): Promise<ClaimedCallback[]> {
    const reply = await CLAIM_SCRIPT.run(this.redis, [this.keys.callbacksDue], [nowMs, limit, leaseMs, this.keys.callbackPrefix]);
    const out: ClaimedCallback[] = [];
    if (Array.isArray(reply)) {
      for (let i = 0; i + 1 < reply.length; i += 2) out.push({ approvalId: String(reply[i]), attempt: Number(reply[i + 1]) });
    }
    return out;
  }

  async complete(approvalId: string): Promise<void> {
    await this.redis.multi().zrem(this.keys.callbacksDue, approvalId).del(this.keys.callback(approvalId)).exec();
  }

  async retryAt(approvalId: string, atMs: number): Promise<void> {
    await this.redis.zadd(this.keys.callbacksDue, "XX", atMs, approvalId);
  }
}
