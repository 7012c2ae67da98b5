/**
 * Where the Slack app remembers, in Redis, the message posted for each approval (its channel and `ts`), so
 * any service instance can update it; the highest request version rendered onto it, moved forward atomically
 * so a late, older update never overwrites a newer message; and each version as rendered (the canonical JSON
 * text of the message, deflated, and its digest), so a verdict can record, and the trail keep, exactly what
 * the clicking reviewer was shown. Inbound request signatures already seen
 * are kept here too, for the replay window.
 */

import { deflateRawSync, inflateRawSync } from "node:zlib";
import type Redis from "ioredis";
import { RedisScript } from "../redis/redis-script";
import type { ShownMessage } from "./approval-message";

/** The message posted for one approval. */
export interface PostedMessage {
  readonly approvalId: string;
  /** The Slack channel id the message is in. */
  readonly channel: string;
  /** The message's timestamp: its id within the channel. */
  readonly ts: string;
  /** Epoch milliseconds. */
  readonly postedAt: number;
  /** The approval version the message shows (or is being updated to). */
  readonly renderedVersion: number;
}

/** Key layout: everything under one prefix. */
export class SlackKeys {
  constructor(readonly prefix = "countersign:slack:") {}
  message(approvalId: string): string {
    return `${this.prefix}msg:${approvalId}`;
  }
  seenSignature(signature: string): string {
    return `${this.prefix}seen:${signature}`;
  }
}

const CLAIM_POST = new RedisScript(
  "slack-claim-post",
  `if redis.call('HSETNX', KEYS[1], 'claim', '1') == 0 then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`,
);

const EXTEND_CLAIM = new RedisScript(
  "slack-extend-claim",
  `if redis.call('HEXISTS', KEYS[1], 'claim') == 1 and redis.call('HEXISTS', KEYS[1], 'ts') == 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return 0`,
);

// Returns the previous rendered version when `version` is newer (and records it), else -1.
const CLAIM_RENDER = new RedisScript(
  "slack-claim-render",
  `local current = redis.call('HGET', KEYS[1], 'renderedVersion')
if not current or not redis.call('HGET', KEYS[1], 'ts') then return -1 end
if tonumber(current) >= tonumber(ARGV[1]) then return -1 end
redis.call('HSET', KEYS[1], 'renderedVersion', ARGV[1])
return tonumber(current)`,
);

const RELEASE_RENDER = new RedisScript(
  "slack-release-render",
  `local current = redis.call('HGET', KEYS[1], 'renderedVersion')
if current and tonumber(current) == tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'renderedVersion', ARGV[2])
end
return 0`,
);

/** The posted messages of the Slack app, on Redis. */
export class SlackMessageStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: SlackKeys = new SlackKeys(),
  ) {}

  /** Reserves the right to post the message for `approvalId`; false when it is posted or being posted. */
  async claimPost(approvalId: string, ttlMs: number): Promise<boolean> {
    return (await CLAIM_POST.run(this.redis, [this.keys.message(approvalId)], [Math.max(1, Math.ceil(ttlMs))])) === 1;
  }

  /** Keeps a claim alive while its post is in flight. */
  async extendClaim(approvalId: string, ttlMs: number): Promise<void> {
    await EXTEND_CLAIM.run(this.redis, [this.keys.message(approvalId)], [Math.max(1, Math.ceil(ttlMs))]);
  }

  /** Releases a claim whose post failed, so a later attempt may post. */
  async releasePost(approvalId: string): Promise<void> {
    const key = this.keys.message(approvalId);
    if ((await this.redis.hget(key, "ts")) === null) await this.redis.del(key);
  }

  /** Records the posted message and what it shows (its canonical JSON text and digest). */
  async save(message: PostedMessage, shown: ShownMessage, ttlMs: number): Promise<void> {
    const key = this.keys.message(message.approvalId);
    await this.redis
      .multi()
      .hset(key, {
        claim: "1",
        channel: message.channel,
        ts: message.ts,
        postedAt: String(message.postedAt),
        renderedVersion: String(message.renderedVersion),
        [`digest:${message.renderedVersion}`]: shown.digest,
        [`view:${message.renderedVersion}`]: deflate(shown.view),
      })
      .pexpire(key, Math.max(1, Math.ceil(ttlMs)))
      .exec();
  }

  /** The message posted for `approvalId`, or null. */
  async message(approvalId: string): Promise<PostedMessage | null> {
    const fields = await this.redis.hgetall(this.keys.message(approvalId));
    if (!fields["ts"] || !fields["channel"]) return null;
    return {
      approvalId,
      channel: fields["channel"],
      ts: fields["ts"],
      postedAt: Number(fields["postedAt"]),
      renderedVersion: Number(fields["renderedVersion"] ?? 0),
    };
  }

  /** Moves the rendered version forward to `version`; the previous one, or null when not newer (or no message). */
  async claimRender(approvalId: string, version: number): Promise<number | null> {
    const previous = await CLAIM_RENDER.run(this.redis, [this.keys.message(approvalId)], [version]);
    return typeof previous === "number" && previous >= 0 ? previous : null;
  }

  /** Undoes a `claimRender` whose update failed, unless a newer render has claimed since. */
  async releaseRender(approvalId: string, version: number, previous: number): Promise<void> {
    await RELEASE_RENDER.run(this.redis, [this.keys.message(approvalId)], [version, previous]);
  }

  /** Records version `version` as rendered onto the message: its canonical JSON text (deflated) and digest. */
  async saveShown(approvalId: string, version: number, shown: ShownMessage): Promise<void> {
    await this.redis.hset(this.keys.message(approvalId), `digest:${version}`, shown.digest, `view:${version}`, deflate(shown.view));
  }

  /**
   * Version `version` as it was rendered onto the message: its digest, and its text when kept (absent for a
   * version stored before texts were kept, or one that no longer inflates); null when it never was.
   */
  async shown(approvalId: string, version: number): Promise<{ readonly digest: string; readonly view?: string } | null> {
    const [digest, view] = await this.redis.hmgetBuffer(this.keys.message(approvalId), `digest:${version}`, `view:${version}`);
    if (digest === null || digest === undefined) return null;
    let text: string | undefined;
    try {
      text = view === null || view === undefined ? undefined : inflateRawSync(view).toString("utf8");
    } catch {
      text = undefined; // an unreadable view is not evidence: the verdict records the digest alone
    }
    return { digest: digest.toString("utf8"), ...(text === undefined ? {} : { view: text }) };
  }

  /**
   * Records an inbound request's signature for `ttlSeconds`; false when it was already recorded (a replay).
   */
  async firstSighting(signature: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(this.keys.seenSignature(signature), "1", "EX", Math.max(1, ttlSeconds), "NX")) === "OK";
  }
}

/** A message's text as kept (messages of Block Kit JSON shrink several times deflated). */
function deflate(view: string): Buffer {
  return deflateRawSync(Buffer.from(view, "utf8"));
}
