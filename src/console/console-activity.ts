/**
 * Live activity for the console's open pages: every change of an approval request (created, a verdict, final,
 * reminded, escalated) is published on one Redis channel by the instance whose step made it, and every
 * instance's console hears it and tells its open pages (server-sent events), which then fetch what changed.
 *
 * It is a hint, not a record: a lost message only means a page refreshes at its next event or reload. Nothing
 * but ids, versions and statuses travels on the channel; each page decides whether a change concerns it and
 * reads the request through the use cases, with their visibility rules.
 */

import type Redis from "ioredis";
import type { ApprovalEvent, ApprovalEventListener } from "../approvals/approval-events";

/** One change: which request, its version and status after it. */
export interface ActivityChange {
  readonly id: string;
  readonly version: number;
  readonly status: string;
}

/** Where the console's pages hear of changes. */
export interface ActivityFeed {
  /** Calls `onChange` for every change until the returned function is called. */
  subscribe(onChange: (change: ActivityChange) => void): () => void;
}

/** The approval events that change what a console page shows, as the change they announce. */
export function changeOf(event: ApprovalEvent): ActivityChange | null {
  switch (event.type) {
    case "approval.created":
    case "approval.verdict":
    case "approval.finalized":
    case "approval.reminded":
    case "approval.escalated":
      return { id: event.approval.id, version: event.approval.version, status: event.approval.status };
    default:
      return null;
  }
}

/** Publishes and hears console activity on one Redis channel (its own subscriber connection, opened lazily). */
export class RedisActivityFeed implements ActivityFeed, ApprovalEventListener {
  private readonly listeners = new Set<(change: ActivityChange) => void>();
  private subscriber: Redis | undefined;
  private ready: Promise<unknown> | undefined;

  constructor(
    private readonly redis: Redis,
    /** The channel name (`<prefix>console:activity`). */
    readonly channel: string,
  ) {}

  /** The event bus listener: publishes the change an event announces. Failures are the bus's to log. */
  async onApprovalEvent(event: ApprovalEvent): Promise<void> {
    const change = changeOf(event);
    if (change === null) return;
    await this.redis.publish(this.channel, JSON.stringify(change));
  }

  subscribe(onChange: (change: ActivityChange) => void): () => void {
    this.listeners.add(onChange);
    this.connect();
    return () => void this.listeners.delete(onChange);
  }

  /** Resolves once the subscription is in effect (tests wait for it before changing anything). */
  async listening(): Promise<void> {
    this.connect();
    await this.ready;
  }

  /** Closes the subscriber connection. */
  async close(): Promise<void> {
    const sub = this.subscriber;
    this.subscriber = undefined;
    this.ready = undefined;
    this.listeners.clear();
    if (sub !== undefined) await sub.quit().catch(() => sub.disconnect());
  }

  private connect(): void {
    if (this.subscriber !== undefined) return;
    const sub = this.redis.duplicate({ enableAutoPipelining: false, enableOfflineQueue: true });
    sub.on("message", (_channel: string, message: string) => {
      let change: ActivityChange;
      try {
        const parsed = JSON.parse(message) as ActivityChange;
        if (typeof parsed.id !== "string" || typeof parsed.version !== "number" || typeof parsed.status !== "string") return;
        change = { id: parsed.id, version: parsed.version, status: parsed.status };
      } catch {
        return;
      }
      for (const listener of [...this.listeners]) listener(change);
    });
    sub.on("error", () => undefined); // pages fall back to their next reload; keep the process alive
    this.subscriber = sub;
    this.ready = sub.subscribe(this.channel).catch(() => {
      if (this.subscriber === sub) this.subscriber = undefined;
    });
  }
}
