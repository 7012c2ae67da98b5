/**
 * Change notifications for long-polling: the use cases declare what they need (`ApprovalChangeFeed`);
 * `RedisApprovalChangeFeed` provides it from the per-request pub/sub channels the state-change scripts
 * publish on, so a waiter on one instance wakes when another instance changes the request.
 */

import type Redis from "ioredis";
import { ApprovalKeys } from "./approval-keys";

/** Tells a waiter that a request changed. */
export interface ApprovalChangeFeed {
  /**
   * Calls `onChange` after every change of request `id` until the returned function is called. Resolves once
   * listening is in effect, so a read made after it cannot miss a later change.
   */
  listen(id: string, onChange: () => void): Promise<() => Promise<void>>;
}

interface Channel {
  readonly listeners: Set<() => void>;
  ready: Promise<unknown>;
}

/** Change feed over Redis pub/sub: one subscriber connection per process, channels reference-counted. */
export class RedisApprovalChangeFeed implements ApprovalChangeFeed {
  private readonly channels = new Map<string, Channel>();
  private subscriber: Redis | undefined;

  constructor(
    /** Any connection; the feed opens its own subscriber connection with `duplicate()`. */
    private readonly redis: Redis,
    private readonly keys: ApprovalKeys = new ApprovalKeys(),
  ) {}

  async listen(id: string, onChange: () => void): Promise<() => Promise<void>> {
    const name = this.keys.changes(id);
    const sub = this.connection();
    let channel = this.channels.get(name);
    if (!channel) {
      const created: Channel = { listeners: new Set(), ready: sub.subscribe(name) };
      // A failed subscription is forgotten, so the next waiter tries again.
      created.ready.catch(() => {
        if (this.channels.get(name) === created) this.channels.delete(name);
      });
      this.channels.set(name, created);
      channel = created;
    }
    channel.listeners.add(onChange);
    const current = channel;
    try {
      await current.ready;
    } catch (err) {
      current.listeners.delete(onChange);
      throw err;
    }
    return async () => {
      current.listeners.delete(onChange);
      if (current.listeners.size === 0 && this.channels.get(name) === current) {
        this.channels.delete(name);
        await sub.unsubscribe(name).catch(() => undefined);
      }
    };
  }

  /** Closes the subscriber connection. */
  async close(): Promise<void> {
    const sub = this.subscriber;
    this.subscriber = undefined;
    this.channels.clear();
    if (sub) await sub.quit().catch(() => sub.disconnect());
  }

  private connection(): Redis {
    if (!this.subscriber) {
      // A subscriber connection only subscribes: no auto-pipelining there, whatever the parent uses.
      const sub = this.redis.duplicate({ enableAutoPipelining: false, enableOfflineQueue: true });
      sub.on("message", (channel: string) => {
        for (const listener of [...(this.channels.get(channel)?.listeners ?? [])]) listener();
      });
      // Errors surface as failed waits (timeouts); keep the process alive.
      sub.on("error", () => undefined);
      this.subscriber = sub;
    }
    return this.subscriber;
  }
}
