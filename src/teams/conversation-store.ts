/**
 * Where the bot remembers Teams conversations, in Redis: channel subscriptions (a channel name → the
 * conversation reference cards for it are posted to), and for each approval the posted card's activity id
 * and conversation, so the card can be updated in place from any service instance.
 *
 * A card record also keeps the highest approval version rendered onto the card; `claimRender` moves it
 * forward atomically, so a late, older update never overwrites a newer card.
 */

import type { ConversationReference } from "botbuilder";
import type Redis from "ioredis";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { RedisScript } from "../redis/redis-script";

/** A conversation reference as stored: enough to continue the conversation proactively. */
export type StoredReference = Partial<ConversationReference>;

/** One channel subscription. */
export interface ChannelSubscription {
  readonly name: string;
  readonly reference: StoredReference;
  /** The conversation's display name when Teams gave one (team, channel or chat title). */
  readonly title?: string;
  /** Epoch milliseconds. */
  readonly subscribedAt: number;
  /** Reviewer id, or `install` when the bot subscribed itself on installation. */
  readonly subscribedBy: string;
}

/** The card posted for one approval. */
export interface PostedCard {
  readonly approvalId: string;
  readonly activityId: string;
  readonly reference: StoredReference;
  readonly channel: string;
  /** Epoch milliseconds. */
  readonly postedAt: number;
  /** The approval version the card shows (or is being updated to). */
  readonly renderedVersion: number;
}

/** What the bot and the notifier need from storage. */
export interface ConversationStore {
  /** Subscribes `name` to a conversation, replacing any earlier subscription; returns the replaced one. */
  subscribe(subscription: ChannelSubscription): Promise<ChannelSubscription | null>;
  /** Subscribes only when `name` is free; false when it is taken. */
  subscribeIfFree(subscription: ChannelSubscription): Promise<boolean>;
  /** Removes `name` when it points at `conversationId`; false otherwise. */
  unsubscribe(name: string, conversationId: string): Promise<boolean>;
  /** The subscription for `name`. */
  channel(name: string): Promise<ChannelSubscription | null>;
  /** Every subscription pointing at `conversationId`, by name. */
  channelsFor(conversationId: string): Promise<ChannelSubscription[]>;
  /** Reserves the right to post the card for `approvalId`; false when it is posted or being posted. */
  claimCard(approvalId: string, ttlMs: number): Promise<boolean>;
  /** Keeps a claim alive while its post is in flight (a claim whose holder died lapses after its ttl). */
  extendClaim(approvalId: string, ttlMs: number): Promise<void>;
  /** Releases a claim whose post failed, so a later call may post. */
  releaseCard(approvalId: string): Promise<void>;
  /** Records the posted card (replacing the claim). */
  saveCard(card: PostedCard, ttlMs: number): Promise<void>;
  /** The posted card, or null when none was posted (or it is still being posted). */
  card(approvalId: string): Promise<PostedCard | null>;
  /**
   * Moves the card's rendered version to `version` when that is newer; returns the previous version, or null
   * when the card is missing or already shows `version` or later.
   */
  claimRender(approvalId: string, version: number): Promise<number | null>;
  /** Undoes a `claimRender` whose update failed, unless a newer render has claimed since. */
  releaseRender(approvalId: string, version: number, previous: number): Promise<void>;
  /**
   * Remembers a card sent for `approvalId` under `key` (its version and render minute): its digest and the
   * card itself (its canonical JSON text), on the card's record and for as long as it lives; nothing is
   * stored for a request without a card record.
   */
  saveShown(approvalId: string, key: string, shown: SentCard): Promise<void>;
  /** The card stored under `key` (the view absent for cards stored before views were kept), or null. */
  shown(approvalId: string, key: string): Promise<{ readonly digest: string; readonly view?: string } | null>;
}

/** A card as sent: the SHA-256 of its canonical JSON, and that JSON text. */
export interface SentCard {
  readonly digest: string;
  readonly view: string;
}

/** Key layout: everything under one prefix. */
export class ConversationKeys {
  constructor(readonly prefix: string = "countersign:teams:") {}
  /** Hash: channel name → JSON ChannelSubscription. */
  channels(): string {
    return `${this.prefix}channels`;
  }
  /** Hash: the posted card's fields (or only `claim` while it is being posted). */
  card(approvalId: string): string {
    return `${this.prefix}card:${approvalId}`;
  }
}

// KEYS[1] channels hash; ARGV[1] name, ARGV[2] conversation id. Deletes the field only when it points there.
const UNSUBSCRIBE = new RedisScript(
  "teams-unsubscribe",
  `local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local ok, sub = pcall(cjson.decode, raw)
if not ok or type(sub) ~= 'table' or type(sub.reference) ~= 'table' or type(sub.reference.conversation) ~= 'table' then return 0 end
if sub.reference.conversation.id ~= ARGV[2] then return 0 end
return redis.call('HDEL', KEYS[1], ARGV[1])`,
);

// KEYS[1] card hash; ARGV[1] TTL in ms. The TTL bounds a claim whose holder died before posting.
const CLAIM_CARD = new RedisScript(
  "teams-claim-card",
  `if redis.call('HSETNX', KEYS[1], 'claim', '1') == 0 then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`,
);

// KEYS[1] card hash; ARGV[1] ttl ms. Extends a claim that has not become a posted card.
const EXTEND_CLAIM = new RedisScript(
  "teams-extend-claim",
  `if redis.call('HEXISTS', KEYS[1], 'claim') == 1 and redis.call('HEXISTS', KEYS[1], 'activityId') == 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return 1`,
);

// KEYS[1] card hash; ARGV[1] version. Returns the previous version when it moved forward, -1 otherwise.
const CLAIM_RENDER = new RedisScript(
  "teams-claim-render",
  `local current = redis.call('HGET', KEYS[1], 'renderedVersion')
if not current then return -1 end
current = tonumber(current)
local wanted = tonumber(ARGV[1])
if wanted <= current then return -1 end
redis.call('HSET', KEYS[1], 'renderedVersion', wanted)
return current`,
);

// KEYS[1] card hash; ARGV[1] claimed version, ARGV[2] previous version.
const RELEASE_RENDER = new RedisScript(
  "teams-release-render",
  `local current = redis.call('HGET', KEYS[1], 'renderedVersion')
if current and tonumber(current) == tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'renderedVersion', ARGV[2])
end
return 0`,
);

// KEYS[1] card hash; ARGV[1] field, ARGV[2] digest. Only on an existing record, so it shares the record's TTL.
const SAVE_SHOWN = new RedisScript(
  "teams-save-shown",
  `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
return 1`,
);

/** ConversationStore over ioredis. */
export class RedisConversationStore implements ConversationStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ConversationKeys = new ConversationKeys(),
  ) {}

  async subscribe(subscription: ChannelSubscription): Promise<ChannelSubscription | null> {
    const key = this.keys.channels();
    const [[, previous]] = (await this.redis
      .multi()
      .hget(key, subscription.name)
      .hset(key, subscription.name, JSON.stringify(subscription))
      .exec()) as [[Error | null, string | null], [Error | null, number]];
    return previous ? parseSubscription(previous) : null;
  }

  async subscribeIfFree(subscription: ChannelSubscription): Promise<boolean> {
    return (await this.redis.hsetnx(this.keys.channels(), subscription.name, JSON.stringify(subscription))) === 1;
  }

  async unsubscribe(name: string, conversationId: string): Promise<boolean> {
    return (await UNSUBSCRIBE.run(this.redis, [this.keys.channels()], [name, conversationId])) === 1;
  }

  async channel(name: string): Promise<ChannelSubscription | null> {
    const raw = await this.redis.hget(this.keys.channels(), name);
    return raw ? parseSubscription(raw) : null;
  }

  async channelsFor(conversationId: string): Promise<ChannelSubscription[]> {
    const all = await this.redis.hgetall(this.keys.channels());
    return Object.values(all)
      .map(parseSubscription)
      .filter((s): s is ChannelSubscription => s !== null && s.reference.conversation?.id === conversationId)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async claimCard(approvalId: string, ttlMs: number): Promise<boolean> {
    return (await CLAIM_CARD.run(this.redis, [this.keys.card(approvalId)], [Math.max(1, Math.ceil(ttlMs))])) === 1;
  }

  async extendClaim(approvalId: string, ttlMs: number): Promise<void> {
    await EXTEND_CLAIM.run(this.redis, [this.keys.card(approvalId)], [Math.max(1, Math.ceil(ttlMs))]);
  }

  async releaseCard(approvalId: string): Promise<void> {
    const key = this.keys.card(approvalId);
    const activityId = await this.redis.hget(key, "activityId");
    if (activityId === null) await this.redis.del(key);
  }

  async saveCard(card: PostedCard, ttlMs: number): Promise<void> {
    const key = this.keys.card(card.approvalId);
    await this.redis
      .multi()
      .hset(key, {
        claim: "1",
        activityId: card.activityId,
        reference: JSON.stringify(card.reference),
        channel: card.channel,
        postedAt: String(card.postedAt),
        renderedVersion: String(card.renderedVersion),
      })
      .pexpire(key, Math.max(1, Math.ceil(ttlMs)))
      .exec();
  }

  async card(approvalId: string): Promise<PostedCard | null> {
    // The named fields only: the record also holds every card sent (see saveShown).
    const [activityId, reference, channel, postedAt, renderedVersion] = await this.redis.hmget(
      this.keys.card(approvalId),
      "activityId",
      "reference",
      "channel",
      "postedAt",
      "renderedVersion",
    );
    if (!activityId || !reference) return null;
    try {
      return {
        approvalId,
        activityId,
        reference: JSON.parse(reference) as StoredReference,
        channel: channel ?? "",
        postedAt: Number(postedAt),
        renderedVersion: Number(renderedVersion ?? 0),
      };
    } catch {
      return null;
    }
  }

  async claimRender(approvalId: string, version: number): Promise<number | null> {
    const previous = await CLAIM_RENDER.run(this.redis, [this.keys.card(approvalId)], [version]);
    return typeof previous === "number" && previous >= 0 ? previous : null;
  }

  async releaseRender(approvalId: string, version: number, previous: number): Promise<void> {
    await RELEASE_RENDER.run(this.redis, [this.keys.card(approvalId)], [version, previous]);
  }

  async saveShown(approvalId: string, key: string, shown: SentCard): Promise<void> {
    // The card is kept deflated (card JSON shrinks about fivefold): one is kept per version and minute rendered.
    await SAVE_SHOWN.run(
      this.redis,
      [this.keys.card(approvalId)],
      [`digest:${key}`, shown.digest, `view:${key}`, deflateRawSync(Buffer.from(shown.view, "utf8"))],
    );
  }

  async shown(approvalId: string, key: string): Promise<{ readonly digest: string; readonly view?: string } | null> {
    const [digest, view] = await this.redis.hmgetBuffer(this.keys.card(approvalId), `digest:${key}`, `view:${key}`);
    if (digest === null || digest === undefined) return null;
    let text: string | undefined;
    try {
      text = view === null || view === undefined ? undefined : inflateRawSync(view).toString("utf8");
    } catch {
      text = undefined; // an unreadable view is not evidence: the verdict records the digest alone
    }
    return { digest: digest.toString("utf8"), ...(text === undefined ? {} : { view: text }) };
  }
}

function parseSubscription(raw: string): ChannelSubscription | null {
  try {
    const parsed = JSON.parse(raw) as ChannelSubscription;
    return typeof parsed === "object" && parsed !== null && typeof parsed.name === "string" ? parsed : null;
  } catch {
    return null;
  }
}
