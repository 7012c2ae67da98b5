/**
 * The audit trail: `record(draft)` masks and stamps an event, chains it after the current head, appends it
 * to the store together with the newly signed head, and resolves only once the entry is stored.
 *
 * Appends from one instance are grouped (group commit): while one append is in flight, newly recorded
 * events queue, and the next append takes all of them (up to `maxBatch`) in one script call with one head
 * signature. Each `record()` still resolves only after its own entry is stored, and entries from one instance
 * keep the order of their `record()` calls. Several instances append to one chain by compare-and-swap on the
 * head: an append that finds the head moved re-seals its batch after the new head and tries again (bounded),
 * and takes the turn, so that the next append to go through is its own.
 *
 * Signing (checkpoints): with `checkpointIntervalMs` 0 (the default) every append signs the new head. With
 * an interval, an append signs only when the interval has passed since this instance last signed (or
 * `checkpointMaxEntries` entries went unsigned); the others store the entries and move the chain's end
 * without a signature, and a quiet spell ends with a signature of the end (`seal`) one interval after the
 * last unsigned append, as does `close()`. Every record is still stored before it resolves; what waits (at
 * most the interval) is the signature over it. See the README, "Checkpoints", for what that window allows.
 *
 * Failure is explicit: anything that keeps an entry from being stored rejects its `record()` with
 * COUNTERSIGN_AUDIT_UNAVAILABLE; the decide use case then answers `deny` "audit unavailable". The trail
 * never decides anything itself.
 */

import { randomUUID } from "node:crypto";
import type { JsonValue } from "../bundle/bundle";
import type { Clock } from "../policy/clock";
import { AuditError } from "./audit-error";
import type { AuditDraft, AuditEvent } from "./audit-event";
import type { AuditMirror } from "./audit-mirror";
import type { AppendOutcome, AuditStore } from "./audit-store";
import { formatTimestamp } from "./audit-time";
import { EMPTY_HEAD, prepareEvent, sealBatch, type ChainHead, type PreparedEvent, type SealedEntry } from "./chain";
import { signHead, signHeadNow, type SignedHead } from "./head-signature";
import { maskDocument } from "./masking";
import type { AuditSigningKey } from "./signing-key";
import { streamIdOf } from "./stream-id";

/** Proof that an event is stored: where it sits in the chain. */
export interface AuditReceipt {
  readonly seq: number;
  readonly hash: string;
  /** The storage id (`<seq>-0`). */
  readonly id: string;
  readonly timestamp: string;
}

/** What producers need from the trail (the decide use case and the approval workflow declare the same shape). */
export interface AuditRecorder {
  /** Resolves once the event is durably stored; rejects with COUNTERSIGN_AUDIT_UNAVAILABLE otherwise. */
  record(draft: AuditDraft): Promise<AuditReceipt>;
}

/** How to build a trail. */
export interface AuditTrailOptions {
  readonly store: AuditStore;
  readonly signingKey: AuditSigningKey;
  /** Stamps every event's `timestamp`. */
  readonly clock: Clock;
  /** The per-deployment secret keying masked digests (at least 16 bytes). */
  readonly maskSalt: Uint8Array;
  /** OPA-style labels stamped on every event (e.g. `{id: <instance id>, version}`). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Where stored entries are copied for log shippers. */
  readonly mirror?: AuditMirror;
  /** Most entries per append; 1 turns grouping off. Default 256. */
  readonly maxBatch?: number;
  /** Races an append may lose before its records fail. Default 50. */
  readonly maxAttempts?: number;
  /** An append not confirmed within this time fails its records. Default 5000 ms. */
  readonly appendTimeoutMs?: number;
  /**
   * Longest time the chain's end may stay unsigned after an append; 0 (default): every append is signed.
   * The service sets it from `audit.checkpoint_interval_ms` (default 0 there too).
   */
  readonly checkpointIntervalMs?: number;
  /** Most entries an instance appends between signatures (with an interval). Default 10,000. */
  readonly checkpointMaxEntries?: number;
  /** Identifies this instance to the other writers (whose turn it is after a lost race); default a random UUID. */
  readonly instanceToken?: string;
  /**
   * Told when the stored head is behind an entry this instance already stored: Redis lost acknowledged
   * entries (a restart with `appendfsync everysec`, a failover to a lagging replica, a restored backup) or
   * someone rewound the trail. The trail carries on from the stored head; log this as an error.
   */
  readonly onRollback?: (info: { readonly storedSeq: number; readonly knownSeq: number }) => void;
}

/** Counters of what the trail has stored, batched and refused. */
export interface AuditTrailStats {
  /** Events stored. */
  readonly recorded: number;
  /** Events whose record() was rejected. */
  readonly failed: number;
  /** Successful appends (script calls that stored a batch). */
  readonly appends: number;
  /** Attempts that found the head moved (another instance appended, or the cached head was stale). */
  readonly conflicts: number;
  /** Attempts that waited for another instance's turn. */
  readonly turnWaits: number;
  /** Signatures made: checkpoint appends plus seals. */
  readonly signatures: number;
  /** The largest batch stored in one append. */
  readonly largestBatch: number;
  /** Times the stored head was found behind an entry this instance had stored. */
  readonly rollbacks: number;
}

interface Pending {
  readonly prepared: PreparedEvent;
  readonly resolve: (receipt: AuditReceipt) => void;
  readonly reject: (err: AuditError) => void;
}

const MIN_SALT_BYTES = 16;

/** The hash-chained, signed audit trail of one service instance. */
export class AuditTrail implements AuditRecorder {
  private readonly queue: Pending[] = [];
  private flushing = false;
  private closed = false;
  private idle: (() => void)[] = [];
  /** The last head this instance saw; a guess that the append script corrects. */
  private head: ChainHead = EMPTY_HEAD;
  private readonly maxBatch: number;
  private readonly maxAttempts: number;
  private readonly appendTimeoutMs: number;
  private readonly instanceToken: string;
  private readonly checkpointIntervalMs: number;
  private readonly checkpointMaxEntries: number;
  private counters = { recorded: 0, failed: 0, appends: 0, conflicts: 0, turnWaits: 0, signatures: 0, largestBatch: 0, rollbacks: 0 };
  /** When this instance last signed a head (ms, Date.now()); -Infinity before the first. */
  private lastSignedAt = Number.NEGATIVE_INFINITY;
  /** Entries this instance appended since it last signed. */
  private unsigned = 0;
  /** Pending seal of an unsigned end, after a quiet spell. */
  private sealTimer: NodeJS.Timeout | null = null;
  /** The highest seq this instance has stored. */
  private storedSeq = 0;

  constructor(private readonly opts: AuditTrailOptions) {
    if (opts.maskSalt.length < MIN_SALT_BYTES) {
      throw new AuditError("COUNTERSIGN_AUDIT_BAD_CONFIG", `the audit mask salt must be at least ${MIN_SALT_BYTES} bytes`);
    }
    this.maxBatch = positive(opts.maxBatch ?? 256, "maxBatch");
    this.maxAttempts = positive(opts.maxAttempts ?? 50, "maxAttempts");
    this.appendTimeoutMs = positive(opts.appendTimeoutMs ?? 5_000, "appendTimeoutMs");
    this.instanceToken = opts.instanceToken ?? randomUUID();
    this.checkpointIntervalMs = opts.checkpointIntervalMs ?? 0;
    if (!Number.isInteger(this.checkpointIntervalMs) || this.checkpointIntervalMs < 0) {
      throw new AuditError("COUNTERSIGN_AUDIT_BAD_CONFIG", "checkpointIntervalMs must be a whole number of milliseconds");
    }
    this.checkpointMaxEntries = positive(opts.checkpointMaxEntries ?? 10_000, "checkpointMaxEntries");
  }

  /** Masks, stamps and stores one event; resolves after it is stored. */
  record(draft: AuditDraft): Promise<AuditReceipt> {
    if (this.closed) return Promise.reject(new AuditError("COUNTERSIGN_AUDIT_UNAVAILABLE", "the audit trail is closed"));
    let prepared: PreparedEvent;
    try {
      prepared = prepareEvent(this.stamp(draft));
    } catch (err) {
      this.counters.failed++;
      return Promise.reject(
        new AuditError("COUNTERSIGN_AUDIT_UNAVAILABLE", `cannot encode the audit event: ${(err as Error).message}`, { cause: err }),
      );
    }
    return new Promise<AuditReceipt>((resolve, reject) => {
      this.queue.push({ prepared, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Start after the current tick so that events recorded together share the first append.
        queueMicrotask(() => void this.flush());
      }
    });
  }

  /** The event as it will be stored: masked, with timestamp and labels. */
  stamp(draft: AuditDraft): AuditEvent {
    const { value, masked } = maskDocument(draft.body as unknown as JsonValue, { salt: this.opts.maskSalt, pointers: draft.mask });
    return {
      ...(value as object),
      timestamp: formatTimestamp(this.opts.clock.nowNs()),
      ...(this.opts.labels === undefined ? {} : { labels: this.opts.labels }),
      ...(masked.length === 0 ? {} : { masked }),
    } as AuditEvent;
  }

  /** A copy of the counters. */
  stats(): AuditTrailStats {
    return { ...this.counters };
  }

  /** Refuses new records, waits for queued ones to settle, signs what this instance left unsigned, and closes the mirror. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.flushing) await new Promise<void>((resolve) => this.idle.push(resolve));
    await this.seal().catch(() => undefined);
    await this.opts.mirror?.close();
  }

  /**
   * Signs the chain's end now if this instance's last append left it unsigned and nobody appended since
   * (otherwise whoever did signs it). Resolves true when a signature was stored.
   */
  async seal(): Promise<boolean> {
    if (this.sealTimer !== null) {
      clearTimeout(this.sealTimer);
      this.sealTimer = null;
    }
    if (this.unsigned === 0) return false;
    const head = this.head;
    const signed = await signHead(head, this.opts.signingKey);
    const ok = await this.opts.store.seal(signed);
    this.counters.signatures++;
    if (this.head.seq === head.seq) {
      this.unsigned = 0;
      this.lastSignedAt = Date.now();
    }
    return ok;
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      await this.appendBatch(batch);
    }
    this.flushing = false;
    if (this.unsigned > 0 && this.sealTimer === null && !this.closed) {
      // A quiet spell: sign the end one interval after the last signature, unless an append does it first.
      const wait = Math.max(0, this.lastSignedAt + this.checkpointIntervalMs - Date.now());
      this.sealTimer = setTimeout(() => {
        this.sealTimer = null;
        if (!this.flushing) void this.seal().catch(() => undefined);
      }, wait);
      this.sealTimer.unref();
    }
    for (const resolve of this.idle.splice(0)) resolve();
  }

  /** Whether the append being sealed now signs its head. */
  private checkpointDue(entries: number): boolean {
    return (
      this.checkpointIntervalMs === 0 ||
      this.closed ||
      Date.now() - this.lastSignedAt >= this.checkpointIntervalMs ||
      this.unsigned + entries >= this.checkpointMaxEntries
    );
  }

  /**
   * The signature of an append's new head. A lone entry (nothing else was recorded while the previous
   * append ran: a quiet service, one request at a time) is signed on the event loop: the ~35 µs signature
   * is cheaper than handing it to the thread pool and waking up for its answer (measured at one decision at
   * a time: 45–190 µs through the pool, 30–35 µs inline). A batch of several entries means requests are
   * queuing, and its signature goes to the thread pool so that the event loop keeps serving them.
   */
  private signAppend(head: ChainHead, entries: number): SignedHead | Promise<SignedHead> {
    return entries === 1 ? signHeadNow(head, this.opts.signingKey) : signHead(head, this.opts.signingKey);
  }

  /**
   * Appends one batch, re-sealing after every race lost to another instance (at most maxAttempts) and
   * waiting while another instance has the turn (at most appendTimeoutMs); settles every record in it.
   */
  private async appendBatch(batch: readonly Pending[]): Promise<void> {
    const prepared = batch.map((p) => p.prepared);
    const deadline = Date.now() + this.appendTimeoutMs;
    let expected = this.head;
    let lost = 0;
    for (;;) {
      let sealed: SealedEntry[];
      let outcome: AppendOutcome;
      let signing = false;
      try {
        sealed = sealBatch(expected, prepared);
        const last = sealed[sealed.length - 1] as SealedEntry;
        signing = this.checkpointDue(sealed.length);
        const head = signing ? await this.signAppend(last, batch.length) : null;
        outcome = await this.withTimeout(this.opts.store.append(expected, sealed, head, this.instanceToken));
        // A "moved" head that is exactly our new head means this very append landed before (a command resent
        // after a reconnect): the entries are ours, byte for byte, so the records are stored.
        if (!outcome.ok && outcome.head.seq === last.seq && outcome.head.hash === last.hash) outcome = { ok: true };
      } catch (err) {
        // Storage is unreachable or did not answer in time: the records queued behind this append would
        // only wait for the same failure, so they fail now too rather than one timeout after another.
        this.fail([...batch, ...this.queue.splice(0)], err);
        return;
      }
      if (outcome.ok) {
        if (signing) {
          this.counters.signatures++;
          this.lastSignedAt = Date.now();
          this.unsigned = 0;
        } else {
          this.unsigned += sealed.length;
        }
        this.stored(batch, sealed);
        return;
      }
      if (outcome.head.seq < this.storedSeq) this.rolledBack(outcome.head.seq);
      expected = outcome.head;
      this.head = outcome.head;
      if (outcome.waitTurn) {
        this.counters.turnWaits++;
        if (Date.now() >= deadline) {
          this.fail(
            batch,
            new AuditError("COUNTERSIGN_AUDIT_UNAVAILABLE", `another instance kept the audit append turn for ${this.appendTimeoutMs} ms`),
          );
          return;
        }
        await sleep(1);
      } else {
        this.counters.conflicts++;
        if (++lost >= this.maxAttempts) {
          this.fail(
            batch,
            new AuditError("COUNTERSIGN_AUDIT_UNAVAILABLE", `the audit head kept moving: lost the append race ${lost} times`),
          );
          return;
        }
      }
    }
  }

  /** Resolves the records of a stored batch and copies its entries to the mirror. */
  private stored(batch: readonly Pending[], sealed: readonly SealedEntry[]): void {
    const last = sealed[sealed.length - 1] as SealedEntry;
    this.head = { seq: last.seq, hash: last.hash };
    this.storedSeq = last.seq;
    this.counters.appends++;
    this.counters.recorded += batch.length;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
    for (let i = 0; i < batch.length; i++) {
      const entry = sealed[i] as SealedEntry;
      (batch[i] as Pending).resolve({ seq: entry.seq, hash: entry.hash, id: streamIdOf(entry.seq), timestamp: entry.event.timestamp });
    }
    if (this.opts.mirror !== undefined) for (const entry of sealed) this.opts.mirror.write(entry.line);
  }

  private rolledBack(storedSeq: number): void {
    this.counters.rollbacks++;
    const knownSeq = this.storedSeq;
    // Report each loss once: from here on the stored head is the reference.
    this.storedSeq = storedSeq;
    try {
      this.opts.onRollback?.({ storedSeq, knownSeq });
    } catch {
      // a failing observer must not break the append
    }
  }

  private fail(batch: readonly Pending[], err: unknown): void {
    const error =
      err instanceof AuditError && err.code === "COUNTERSIGN_AUDIT_UNAVAILABLE"
        ? err
        : new AuditError("COUNTERSIGN_AUDIT_UNAVAILABLE", `cannot append to the audit trail: ${(err as Error).message}`, { cause: err });
    this.counters.failed += batch.length;
    for (const p of batch) p.reject(error);
  }

  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new AuditError("COUNTERSIGN_AUDIT_UNAVAILABLE", `the audit append was not confirmed within ${this.appendTimeoutMs} ms`)),
        this.appendTimeoutMs,
      );
      promise.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }
}

function positive(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new AuditError("COUNTERSIGN_AUDIT_BAD_CONFIG", `${name} must be a positive whole number`);
  return n;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
