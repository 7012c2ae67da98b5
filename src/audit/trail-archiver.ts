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
 */

import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import type Redis from "ioredis";
import type { Clock } from "../policy/clock";
import { segmentName, type AuditArchiveStore } from "./archive-store";
import { exportTrail } from "./export";
import type { RedisAuditStore } from "./redis-audit-store";
import type { AuditSigningKey } from "./signing-key";
import { streamIdOf } from "./stream-id";
import { verifyTrailLines } from "./verify";

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
export class ArchiveError extends Error {
  readonly code = "COUNTERSIGN_AUDIT_ARCHIVE_FAILED";
}

const LEASE_MS = 120_000;

/** Archives sealed segments of one trail. */
export class TrailArchiver {
  constructor(private readonly opts: TrailArchiverOptions) {
    if (!Number.isSafeInteger(opts.segmentEntries) || opts.segmentEntries < 1) throw new RangeError("segmentEntries must be a positive integer");
  }

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
    } finally {
      // Release only our own lease.
      await redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, keys.archiveLease, token);
    }
    return done;
  }

  /** Trims the stream up to what is archived and delivered by every sink (never past either). */
  private async trim(): Promise<void> {
    const { redis, store } = this.opts;
    const archived = (await store.archiveState()).seq;
    const delivered = this.opts.deliveredThrough === undefined ? archived : await this.opts.deliveredThrough();
    const through = Math.min(archived, delivered);
    if (through > 0) await redis.xtrim(store.keys.stream, "MINID", streamIdOf(through + 1));
  }

  /** One segment, when a whole one is due. */
  private async archiveNext(): Promise<ArchivedSegment | null> {
    const { redis, store, archive } = this.opts;
    const keys = store.keys;
    const state: ArchiveState = await store.archiveState();
    const head = await store.readHead();
    if (head === null || head.seq - state.seq < this.opts.segmentEntries) return null;

    const lines: string[] = [];
    const summary = await exportTrail(store, (line) => void lines.push(line), {
      fromSeq: state.seq + 1,
      toSeq: state.seq + this.opts.segmentEntries,
      clock: this.opts.clock,
      signingKey: this.opts.signingKey,
      publicKey: this.opts.signingKey.verification,
    });
    if (summary.entries === 0 || summary.fromSeq !== state.seq + 1) {
      throw new ArchiveError(`the stream ${keys.stream} does not hold seq ${state.seq + 1}, the entry after the archive's last (seq ${state.seq})`);
    }
    const first = JSON.parse(lines[0] as string) as { prev_hash?: unknown };
    if (first.prev_hash !== state.hash) {
      throw new ArchiveError(`seq ${state.seq + 1} does not link to the archive's last entry (seq ${state.seq}): the stream and the archive disagree`);
    }
    const name = segmentName({ fromSeq: summary.fromSeq, toSeq: summary.toSeq });
    const data = await gzipAsync(Buffer.from(lines.join("\n") + "\n", "utf8"));
    await archive.put(name, data);

    // Read back what the store holds and verify it before anything is trimmed.
    const back = await archive.get(name);
    if (back === null) throw new ArchiveError(`${archive.location}: ${name} was written but cannot be read back`);
    const text = (await gunzipAsync(back)).toString("utf8");
    const verdict = await verifyTrailLines(text.split("\n"), { keys: [this.opts.signingKey.verification] });
    if (!verdict.ok || verdict.entries !== summary.entries || verdict.firstSeq !== summary.fromSeq) {
      throw new ArchiveError(`${archive.location}: ${name} does not verify after writing${verdict.ok ? "" : `: seq ${verdict.problem.seq}: ${verdict.problem.message}`}`);
    }
    const lastHash = (JSON.parse(lines[lines.length - 2] as string) as { hash: string }).hash;
    await redis.hset(keys.archive, { seq: summary.toSeq, hash: lastHash, segments: state.segments + 1 });
    return { name, fromSeq: summary.fromSeq, toSeq: summary.toSeq, bytes: data.length };
  }
}
