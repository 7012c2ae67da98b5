/**
 * The trail archiver: cuts the oldest part of the hot trail (the Redis stream) into sealed segments, writes
 * each to the archive store as a compressed, signed export, reads it back and verifies it, and only then
 * records it as archived and trims it from Redis. Redis then holds the hot window only: what was appended
 * since the last sealed segment.
 *
 * Every instance may run one; a lease in Redis lets one archive at a time. Trimming never passes an entry an
 * audit sink has not delivered yet (`deliveredThrough`). A segment is an export of its
 * range (`export.ts`): the entries, then the signed head it ends on and its signed range, so it verifies on
 * its own; its first entry links to the previous segment's last (checked before writing), so the archive
 * and the stream together verify as one chain from seq 1 (`archive-verify.ts`).
 *
 * A segment is sealed when `segmentEntries` entries are waiting, or (with `segmentMaxAgeMs`) when the oldest
 * entry waiting is that old, whatever their number. With `retentionMs`, segments whose last entry is older
 * than that are deleted from the archive, oldest first, the newest segment always kept: before deleting, the
 * archiver writes a signed retention marker (`retention-marker.ts`) naming the first seq kept and the hash it
 * links to, so the archive still verifies, from that stated base. A segment found already written (an earlier
 * run stopped between writing it and recording it) is adopted when it verifies and holds exactly the entries
 * the stream holds; otherwise archiving stops with an error and nothing is trimmed.
 */

import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import type Redis from "ioredis";
import type { Clock } from "../policy/clock";
import { retentionMarkerName, segmentName, segmentRangeOf, SegmentExistsError, type AuditArchiveStore } from "./archive-store";
import { formatTimestamp, parseTimestamp } from "./audit-time";
import { exportTrail } from "./export";
import { signRetentionMarker } from "./retention-marker";
import type { RedisAuditStore } from "./redis-audit-store";
import type { AuditSigningKey } from "./signing-key";
import { streamIdOf } from "./stream-id";
import { verifyTrailLines } from "./verify";
import { CodedError } from "../errors/coded-error";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** What the archiver works with. */
export interface TrailArchiverOptions {
  readonly redis: Redis;
  readonly store: RedisAuditStore;
  readonly archive: AuditArchiveStore;
  /** The audit signing key: segments carry signed ranges. */
  readonly signingKey: AuditSigningKey;
  readonly clock: Clock;
  /** Entries per segment (a segment may run on to the end of the append holding its last entry). */
  readonly segmentEntries: number;
  /** Seal a segment, however short, once its oldest entry is this old (ms); absent: by count only. */
  readonly segmentMaxAgeMs?: number;
  /** Delete segments whose last entry is older than this (ms), keeping the newest; absent: keep every segment. */
  readonly retentionMs?: number;
  /** Told of each segment deleted by retention. */
  readonly onRetention?: (deleted: { readonly name: string; readonly marker: string }) => void;
  /** Segments written per run at most (a backlog is worked off over several runs). Default 10. */
  readonly maxSegmentsPerRun?: number;
  /** Told of each segment archived. */
  readonly onSegment?: (segment: ArchivedSegment) => void;
  /** The last seq every audit sink has delivered: entries after it stay in the stream until they have. */
  readonly deliveredThrough?: () => Promise<number>;
}

/** A segment written, verified and trimmed from Redis. */
export interface ArchivedSegment {
  readonly name: string;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly bytes: number;
}

/** How far the trail is archived: the last archived entry (seq 0 and the genesis hash when nothing is). */
export interface ArchiveState {
  readonly seq: number;
  readonly hash: string;
  readonly segments: number;
}

/** Thrown when a segment could not be archived safely; nothing was trimmed. */
export class ArchiveError extends CodedError<"COUNTERSIGN_AUDIT_ARCHIVE_FAILED"> {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super("COUNTERSIGN_AUDIT_ARCHIVE_FAILED", message, options);
  }
}

const LEASE_MS = 120_000;

/** Archives sealed segments of one trail. */
export class TrailArchiver {
  constructor(private readonly opts: TrailArchiverOptions) {
    if (!Number.isSafeInteger(opts.segmentEntries) || opts.segmentEntries < 1)
      throw new RangeError("segmentEntries must be a positive integer");
  }

  /** The last entry's timestamp (ns) of segments read for retention, by name. */
  private readonly lastTimes = new Map<string, bigint>();

  /** Archives the segments that are due (up to the per-run limit); returns them. Nothing when another instance holds the lease. */
  async runOnce(): Promise<ArchivedSegment[]> {
    const { redis, store } = this.opts;
    const keys = store.keys;
    const token = randomUUID();
    if ((await redis.set(keys.archiveLease, token, "PX", LEASE_MS, "NX")) !== "OK") return [];
    const done: ArchivedSegment[] = [];
    try {
      for (let i = 0; i < (this.opts.maxSegmentsPerRun ?? 10); i++) {
        const segment = await this.archiveNext();
        if (segment === null) break;
        done.push(segment);
        this.opts.onSegment?.(segment);
        await redis.pexpire(keys.archiveLease, LEASE_MS);
      }
      await this.trim();
      if (this.opts.retentionMs !== undefined) await this.applyRetention(this.opts.retentionMs);
    } finally {
      // Release only our own lease.
      await redis.eval(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
        1,
        keys.archiveLease,
        token,
      );
    }
    return done;
  }

  /** Trims the stream up to what is archived and delivered by every sink (never past either). */
  private async trim(): Promise<void> {
    const { store } = this.opts;
    const archived = (await store.archiveState()).seq;
    const delivered = this.opts.deliveredThrough === undefined ? archived : await this.opts.deliveredThrough();
    const through = Math.min(archived, delivered);
    if (through > 0) await store.trimThrough(through);
  }

  /** One segment, when one is due (a whole one, or an old enough one). */
  private async archiveNext(): Promise<ArchivedSegment | null> {
    const { redis, store, archive } = this.opts;
    const keys = store.keys;
    const state: ArchiveState = await store.archiveState();
    const head = await store.readHead();
    if (head === null || head.seq <= state.seq) return null;
    let toSeq = state.seq + this.opts.segmentEntries;
    if (head.seq - state.seq < this.opts.segmentEntries) {
      if (this.opts.segmentMaxAgeMs === undefined || !(await this.oldestWaitingIsOlderThan(state.seq, this.opts.segmentMaxAgeMs)))
        return null;
      toSeq = head.seq;
    }

    const lines: string[] = [];
    const summary = await exportTrail(store, (line) => void lines.push(line), {
      fromSeq: state.seq + 1,
      toSeq,
      clock: this.opts.clock,
      signingKey: this.opts.signingKey,
      publicKey: this.opts.signingKey.verification,
    });
    if (summary.entries === 0 || summary.fromSeq !== state.seq + 1) {
      throw new ArchiveError(
        `the stream ${keys.stream} does not hold seq ${state.seq + 1}, the entry after the archive's last (seq ${state.seq})`,
      );
    }
    const first = JSON.parse(lines[0] as string) as { prev_hash?: unknown };
    if (first.prev_hash !== state.hash) {
      throw new ArchiveError(
        `seq ${state.seq + 1} does not link to the archive's last entry (seq ${state.seq}): the stream and the archive disagree`,
      );
    }
    const name = segmentName({ fromSeq: summary.fromSeq, toSeq: summary.toSeq });
    const lastHash = (JSON.parse(lines[lines.length - 2] as string) as { hash: string }).hash;
    const data = await gzipAsync(Buffer.from(lines.join("\n") + "\n", "utf8"));
    let adopted = false;
    try {
      await archive.put(name, data);
    } catch (err) {
      if (!(err instanceof SegmentExistsError)) throw err;
      adopted = true; // checked below like a new one, and against the stream's last hash
    }

    // Read back what the store holds and verify it before anything is trimmed.
    const back = await archive.get(name);
    if (back === null) throw new ArchiveError(`${archive.location}: ${name} was written but cannot be read back`);
    const backLines = (await gunzipAsync(back)).toString("utf8").split("\n");
    const verdict = await verifyTrailLines(backLines, { keys: [this.opts.signingKey.verification] });
    if (!verdict.ok || verdict.entries !== summary.entries || verdict.firstSeq !== summary.fromSeq || verdict.head.hash !== lastHash) {
      throw new ArchiveError(
        `${archive.location}: ${name} ${adopted ? "was there already and does not hold the stream's entries" : "does not verify after writing"}${verdict.ok ? "" : `: seq ${verdict.problem.seq}: ${verdict.problem.message}`}`,
      );
    }
    await redis.hset(keys.archive, { seq: summary.toSeq, hash: lastHash, segments: state.segments + 1 });
    return { name, fromSeq: summary.fromSeq, toSeq: summary.toSeq, bytes: back.length };
  }

  /** True when the entry after `archivedSeq` was stamped more than `ageMs` ago. */
  private async oldestWaitingIsOlderThan(archivedSeq: number, ageMs: number): Promise<boolean> {
    const [rec] = await this.opts.store.readAscending(streamIdOf(archivedSeq), 1);
    const ts = rec === undefined ? null : timestampOf(rec.line);
    return ts !== null && this.opts.clock.nowNs() - ts >= BigInt(ageMs) * 1_000_000n;
  }

  /**
   * Deletes the oldest segments whose last entry is older than `retentionMs`, never the newest one; first writes
   * the signed marker naming the first seq kept (markers are never replaced, the newest one rules).
   */
  private async applyRetention(retentionMs: number): Promise<void> {
    const { archive } = this.opts;
    const segments = (await archive.list()).filter((n) => segmentRangeOf(n) !== null);
    const cutoff = this.opts.clock.nowNs() - BigInt(retentionMs) * 1_000_000n;
    const expired: string[] = [];
    for (const name of segments.slice(0, -1)) {
      const last = await this.lastTimeOf(name);
      if (last === null || last >= cutoff) break;
      expired.push(name);
    }
    if (expired.length === 0) return;
    const keep = segments[expired.length] as string;
    const keepRange = segmentRangeOf(keep) as { fromSeq: number };
    const keptBytes = await archive.get(keep);
    if (keptBytes === null) throw new ArchiveError(`${archive.location}: ${keep} vanished while applying retention`);
    const firstLine = (await gunzipAsync(keptBytes)).toString("utf8").split("\n", 1)[0] as string;
    const prev = (JSON.parse(firstLine) as { prev_hash?: unknown }).prev_hash;
    if (typeof prev !== "string") throw new ArchiveError(`${archive.location}: ${keep} does not start with an entry`);
    const markerName = retentionMarkerName(keepRange.fromSeq);
    const marker = signRetentionMarker(
      {
        from_seq: keepRange.fromSeq,
        from_prev_hash: prev,
        deleted_at: formatTimestamp(this.opts.clock.nowNs()),
        retention_days: retentionMs / 86_400_000,
      },
      this.opts.signingKey,
    );
    try {
      await archive.put(markerName, Buffer.from(JSON.stringify(marker) + "\n", "utf8"));
    } catch (err) {
      if (!(err instanceof SegmentExistsError)) throw err; // an earlier run wrote it and stopped before deleting
    }
    for (const name of expired) {
      await archive.remove(name);
      this.lastTimes.delete(name);
      this.opts.onRetention?.({ name, marker: markerName });
    }
  }

  /** The timestamp of a segment's last entry (read once per segment, then remembered). */
  private async lastTimeOf(name: string): Promise<bigint | null> {
    const known = this.lastTimes.get(name);
    if (known !== undefined) return known;
    const bytes = await this.opts.archive.get(name);
    if (bytes === null) return null;
    const lines = (await gunzipAsync(bytes))
      .toString("utf8")
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith('{"head"'));
    const ts = timestampOf(lines[lines.length - 1] ?? "");
    if (ts !== null) this.lastTimes.set(name, ts);
    return ts;
  }
}

/** An entry's own `timestamp` (parsed: a nested member of the same name must not be taken for it). */
function timestampOf(line: string): bigint | null {
  try {
    const ts = (JSON.parse(line) as { timestamp?: unknown }).timestamp;
    return typeof ts === "string" ? parseTimestamp(ts) : null;
  } catch {
    return null;
  }
}
