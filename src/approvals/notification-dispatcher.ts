/**
 * The notification dispatcher: delivers the notification outbox (`approvals:notify`, written by the Lua
 * scripts in the same atomic step as each change) to a channel such as Teams, off the request path, with
 * retries and back-off, at least once.
 *
 * Why: posting a card inside the request made `/v1/decide` wait on the Bot Connector, and a crash between a
 * committed change and its post lost the card. Here each instance reads the outbox through one Redis
 * consumer group, so every entry is handed to one instance; entries it fails to deliver stay pending and are
 * claimed again after a back-off (by any instance, so a dead instance's entries are delivered too). Entries
 * read together for one request are delivered once, with the request as it is now: one render and one send
 * per batch of changes, and a card never moves backwards (the sink keeps versions monotonic).
 */

import type Redis from "ioredis";
import type { ApprovalKeys } from "./approval-keys";
import type { ApprovalRequest } from "./approval-request";

/** What reviewers are told. */
export interface ApprovalNotification {
  /**
   * `created`: announce the request; `changed`: show its new state where it was announced; `remind`: remind
   * the reviewers who have not voted; `escalate`: the request reached rung `number` of its escalation ladder.
   */
  readonly kind: NotificationKind;
  /** The request as it is now. */
  readonly approval: ApprovalRequest;
  /** The reminder's count, or the escalation rung (from 1). */
  readonly number?: number;
}

/** The kinds of outbox entries. */
export type NotificationKind = "created" | "changed" | "remind" | "escalate";

const KINDS: ReadonlySet<string> = new Set<NotificationKind>(["created", "changed", "remind", "escalate"]);

/** A channel that tells reviewers (the Teams bot implements it). */
export interface NotificationSink {
  /** Delivers; `retry` when the channel failed and the notification should be tried again later. */
  deliver(notification: ApprovalNotification): Promise<"done" | "retry">;
}

/** How the dispatcher runs. */
export interface NotificationDispatcherOptions {
  /** Any connection (the dispatcher opens its own for blocking reads with `duplicate()`). */
  readonly redis: Redis;
  readonly keys: ApprovalKeys;
  readonly read: (id: string) => Promise<ApprovalRequest | null>;
  readonly sink: NotificationSink;
  /** This instance's name in the consumer group. */
  readonly consumer: string;
  readonly onError?: (err: unknown) => void;
  /** Told when a notification is given up after `maxAttempts`. */
  readonly onGiveUp?: (approvalId: string, attempts: number) => void;
  readonly maxAttempts?: number;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** How long one blocking read waits for new entries. Default 1000 ms. */
  readonly blockMs?: number;
  /** Requests delivered at the same time. Default 32. */
  readonly concurrency?: number;
}

/** The consumer group every instance reads the outbox through. */
export const NOTIFIER_GROUP = "notifiers";

interface OutboxEntry {
  readonly entryId: string;
  readonly kind: NotificationKind;
  readonly approvalId: string;
  readonly number?: number;
  /** How many times the entry has been handed out (1 for a fresh read). */
  readonly deliveries: number;
}

/** Delivers the notification outbox. */
export class NotificationDispatcher {
  private reader: Redis | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly maxAttempts: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly blockMs: number;
  private readonly concurrency: number;

  constructor(private readonly opts: NotificationDispatcherOptions) {
    this.maxAttempts = opts.maxAttempts ?? 12;
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 5 * 60_000;
    this.blockMs = opts.blockMs ?? 1000;
    this.concurrency = Math.max(1, opts.concurrency ?? 32);
  }

  /** Starts delivering (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.reader = this.opts.redis.duplicate({ enableAutoPipelining: false, enableOfflineQueue: true });
    this.reader.on("error", () => undefined); // reported through failed reads
    this.loop = this.run();
  }

  /**
   * Stops after the delivery in progress, waiting for it at most `graceMs` (a channel that hangs must not hang
   * shutdown; an entry left undelivered stays in the outbox and another instance, or the next start, delivers it).
   */
  async stop(graceMs = 2000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.reader?.disconnect();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  /** One pass over what is due: new entries, then retries whose back-off has passed. */
  async runOnce(block = false): Promise<number> {
    await this.ensureGroup();
    const fresh = await this.readNew(block);
    const retries = await this.claimDue();
    return this.process([...fresh, ...retries]);
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.runOnce(true);
      } catch (err) {
        if (!this.running) return;
        this.opts.onError?.(err);
        await new Promise((resolve) => setTimeout(resolve, Math.min(this.blockMs, 1000)));
      }
    }
  }

  private groupReady = false;

  private async ensureGroup(): Promise<void> {
    if (this.groupReady) return;
    try {
      // From the start of the stream: entries written before any instance created the group are delivered too.
      await this.opts.redis.xgroup("CREATE", this.opts.keys.notify, NOTIFIER_GROUP, "0", "MKSTREAM");
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith("BUSYGROUP"))) throw err;
    }
    this.groupReady = true;
  }

  private async readNew(block: boolean): Promise<OutboxEntry[]> {
    const conn = block ? (this.reader ?? this.opts.redis) : this.opts.redis;
    const args: (string | number)[] = ["GROUP", NOTIFIER_GROUP, this.opts.consumer, "COUNT", 200];
    if (block) args.push("BLOCK", this.blockMs);
    args.push("STREAMS", this.opts.keys.notify, ">");
    // The typed command, not `call`: ioredis's `call` unwraps a one-stream XREADGROUP reply.
    const xreadgroup = conn.xreadgroup.bind(conn) as unknown as (
      ...a: (string | number)[]
    ) => Promise<[string, [string, string[]][]][] | null>;
    const reply = await xreadgroup(...args);
    const rows = reply?.[0]?.[1] ?? [];
    return rows.map(([entryId, fields]) => entryOf(entryId, fields, 1)).filter((e): e is OutboxEntry => e !== null);
  }

  /** Entries handed out earlier and not delivered whose back-off has passed, claimed for this consumer. */
  private async claimDue(): Promise<OutboxEntry[]> {
    const pending = (await this.opts.redis.call(
      "XPENDING",
      this.opts.keys.notify,
      NOTIFIER_GROUP,
      "IDLE",
      this.initialBackoffMs,
      "-",
      "+",
      100,
    )) as [string, string, number, number][];
    const due = pending.filter(([, , idle, deliveries]) => idle >= this.backoff(deliveries));
    if (due.length === 0) return [];
    const claimed = (await this.opts.redis.call(
      "XCLAIM",
      this.opts.keys.notify,
      NOTIFIER_GROUP,
      this.opts.consumer,
      this.initialBackoffMs,
      ...due.map(([id]) => id),
    )) as [string, string[]][];
    const deliveries = new Map(due.map(([id, , , n]) => [id, n + 1]));
    return claimed
      .filter((row) => row !== null)
      .map(([entryId, fields]) => entryOf(entryId, fields, deliveries.get(entryId) ?? 2))
      .filter((e): e is OutboxEntry => e !== null);
  }

  /** The wait before attempt `deliveries + 1`: doubling from the initial back-off, capped. */
  private backoff(deliveries: number): number {
    return Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.max(0, deliveries - 1));
  }

  /** Delivers entries, once per request; acknowledges what is delivered or given up. */
  private async process(entries: readonly OutboxEntry[]): Promise<number> {
    const byRequest = new Map<string, OutboxEntry[]>();
    for (const e of entries) byRequest.set(e.approvalId, [...(byRequest.get(e.approvalId) ?? []), e]);
    // Requests are delivered side by side (a slow channel answers in hundreds of ms: one at a time would
    // fall behind any steady flow of approvals); one request's notifications stay in order.
    const groups = [...byRequest];
    let next = 0;
    let delivered = 0;
    const worker = async (): Promise<void> => {
      while (next < groups.length) {
        const [approvalId, group] = groups[next++]!;
        if (await this.deliverGroup(approvalId, group)) delivered++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, groups.length) }, worker));
    return delivered;
  }

  /** Delivers one request's entries; true when delivered (acknowledged), false when left for a retry or given up. */
  private async deliverGroup(approvalId: string, group: readonly OutboxEntry[]): Promise<boolean> {
    const approval = await this.opts.read(approvalId);
    let outcome: "done" | "retry" = "done";
    if (approval !== null) {
      try {
        for (const notification of notificationsOf(group, approval)) {
          outcome = await this.opts.sink.deliver(notification);
          if (outcome === "retry") break;
        }
      } catch (err) {
        this.opts.onError?.(err);
        outcome = "retry";
      }
    }
    const attempts = Math.max(...group.map((e) => e.deliveries));
    if (outcome === "retry" && attempts < this.maxAttempts) return false;
    if (outcome === "retry") this.opts.onGiveUp?.(approvalId, attempts);
    const ids = group.map((e) => e.entryId);
    await this.opts.redis.xack(this.opts.keys.notify, NOTIFIER_GROUP, ...ids);
    await this.opts.redis.xdel(this.opts.keys.notify, ...ids);
    return outcome === "done";
  }
}

/**
 * What one request's entries read together come to, in order: the announcement or the state change (once,
 * showing the request as it is now), the latest reminder, then each escalation rung reached.
 */
function notificationsOf(group: readonly OutboxEntry[], approval: ApprovalRequest): ApprovalNotification[] {
  const out: ApprovalNotification[] = [];
  if (group.some((e) => e.kind === "created")) out.push({ kind: "created", approval });
  else if (group.some((e) => e.kind === "changed")) out.push({ kind: "changed", approval });
  const reminders = group.filter((e) => e.kind === "remind").map((e) => e.number ?? 1);
  if (reminders.length > 0) out.push({ kind: "remind", approval, number: Math.max(...reminders) });
  const rungs = [...new Set(group.filter((e) => e.kind === "escalate").map((e) => e.number ?? 1))].sort((a, b) => a - b);
  for (const rung of rungs) out.push({ kind: "escalate", approval, number: rung });
  return out;
}

function entryOf(entryId: string, fields: readonly string[] | null, deliveries: number): OutboxEntry | null {
  if (fields === null) return null;
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
  const kind = f["k"];
  const id = f["id"] ?? "";
  const number = f["n"] === undefined ? undefined : Number(f["n"]);
  // An entry of a kind this version does not know is acknowledged without delivery (read as a no-op change).
  return {
    entryId,
    kind: kind !== undefined && KINDS.has(kind) ? (kind as NotificationKind) : "changed",
    approvalId: id,
    deliveries,
    ...(number === undefined ? {} : { number }),
  };
}
