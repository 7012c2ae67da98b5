/**
 * Audit sinks: the trail delivered to an outside collector (an HTTP endpoint, syslog) from the stream, in
 * order, batched, at least once, never in the way of a decision. Each sink keeps a cursor in Redis (the last
 * seq it delivered, `{stream}:sink:<name>`), so a restart, or another instance taking over, carries on where
 * delivery stopped; one instance delivers a sink at a time (a lease). A failed batch is retried after a
 * doubling back-off, and nothing past it is sent until it goes through: a collector that was down catches up,
 * in order, when it returns. The archiver keeps every entry a sink has not delivered in the stream.
 */

import { randomUUID } from "node:crypto";
import type Redis from "ioredis";
import type { RedisAuditStore } from "./redis-audit-store";
import { streamIdOf } from "./stream-id";

/** One entry as a sink receives it: its seq and its canonical JSON text. */
export interface SinkEntry {
  readonly seq: number;
  readonly line: string;
}

/** Where entries go; `deliver` rejects when the batch did not arrive (it is then sent again). */
export interface AuditSinkTarget {
  deliver(batch: readonly SinkEntry[]): Promise<void>;
  close?(): Promise<void>;
}

/** How one sink runs. */
export interface AuditSinkOptions {
  readonly name: string;
  readonly redis: Redis;
  readonly store: RedisAuditStore;
  readonly target: AuditSinkTarget;
  /** Entries per batch. Default 500. */
  readonly batch?: number;
  /** Pause when there is nothing new. Default 1000 ms. */
  readonly idleMs?: number;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly onError?: (err: unknown, attempt: number) => void;
}

const LEASE_MS = 30_000;

/** The Redis key of a sink's cursor. */
export function sinkCursorKey(store: RedisAuditStore, name: string): string {
  return `{${store.keys.stream}}:sink:${name}`;
}

/** Delivers the trail to one target. */
export class AuditSink {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly token = randomUUID();

  constructor(private readonly opts: AuditSinkOptions) {
    if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(opts.name))
      throw new RangeError(`audit sink name ${JSON.stringify(opts.name)}: lower-case letters, digits, - and _`);
  }

  get name(): string {
    return this.opts.name;
  }

  /** The last seq delivered (0 before the first). */
  async cursor(): Promise<number> {
    return Number((await this.opts.redis.get(sinkCursorKey(this.opts.store, this.opts.name))) ?? 0);
  }

  /** Entries appended and not yet delivered. */
  async lag(): Promise<number> {
    const head = await this.opts.store.readHead();
    return Math.max(0, (head?.seq ?? 0) - (await this.cursor()));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.opts.target.close?.();
  }

  /**
   * Delivers what is there now, batch by batch; returns how many entries went out. Throws the target's error
   * when a batch fails (the cursor stays before it).
   */
  async deliverPending(): Promise<number> {
    const { redis, store } = this.opts;
    const key = sinkCursorKey(store, this.opts.name);
    let sent = 0;
    for (;;) {
      const cursor = Number((await redis.get(key)) ?? 0);
      const records = await store.readAscending(cursor > 0 ? streamIdOf(cursor) : null, this.opts.batch ?? 500);
      const batch = records.filter((r) => r.idSeq !== null && r.idSeq > cursor).map((r) => ({ seq: r.idSeq as number, line: r.line }));
      if (batch.length === 0) return sent;
      await this.opts.target.deliver(batch);
      await redis.set(key, String(batch[batch.length - 1]!.seq));
      sent += batch.length;
    }
  }

  private async run(): Promise<void> {
    const { redis, store } = this.opts;
    const lease = `${sinkCursorKey(store, this.opts.name)}:lease`;
    let attempt = 0;
    while (this.running) {
      let pause = this.opts.idleMs ?? 1000;
      try {
        const holder = await redis.set(lease, this.token, "PX", LEASE_MS, "NX");
        if (holder === "OK" || (await redis.get(lease)) === this.token) {
          await redis.pexpire(lease, LEASE_MS);
          await this.deliverPending();
          attempt = 0;
        }
      } catch (err) {
        attempt++;
        this.opts.onError?.(err, attempt);
        pause = Math.min(this.opts.maxBackoffMs ?? 60_000, (this.opts.initialBackoffMs ?? 1000) * 2 ** (attempt - 1));
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pause);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await redis
      .eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, lease, this.token)
      .catch(() => undefined);
  }
}
