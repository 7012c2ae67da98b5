/**
 * Where sealed audit segments are kept: an interface the archiver and the verifier share, and its default,
 * a directory (each segment written to a temporary file, flushed to disk and hard-linked into place, so a
 * crash never leaves a half-written segment under its real name and an existing one is never replaced).
 * `s3-archive-store.ts` is the S3-compatible one.
 *
 * Segment files are named by the seqs they hold, zero-padded so that name order is seq order:
 * `segment-000000000001-000000010000.jsonl.gz`. Besides segments an archive holds retention markers
 * (`retention-000000010001.json`, `retention-marker.ts`): the signed statement that the segments before that
 * seq were deleted by the retention policy.
 */

import { promises as fs } from "node:fs";
import * as path from "node:path";
import { CodedError } from "../errors/coded-error";

/** A store of sealed segments. */
export interface AuditArchiveStore {
  /** Where it is, for messages (`/var/lib/countersign/audit-archive`, `s3://bucket/prefix`). */
  readonly location: string;
  /** Writes an object (replacing nothing: a name already there rejects with SegmentExistsError). */
  put(name: string, data: Buffer): Promise<void>;
  /** An object's bytes, or null when there is none by that name. */
  get(name: string): Promise<Buffer | null>;
  /** The names of every segment and retention marker, in name order (markers first, then segments in seq order). */
  list(): Promise<string[]>;
  /** Deletes an object (retention only; nothing else deletes from an archive). */
  remove(name: string): Promise<void>;
}

/** A write refused because the name is taken: a segment (or marker) is never replaced. */
export class SegmentExistsError extends CodedError<"COUNTERSIGN_AUDIT_SEGMENT_EXISTS"> {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super("COUNTERSIGN_AUDIT_SEGMENT_EXISTS", message, options);
  }
}

/** The range a segment's name says it holds. */
export interface SegmentRange {
  readonly fromSeq: number;
  readonly toSeq: number;
}

const NAME = /^segment-(\d{12})-(\d{12})\.jsonl\.gz$/;
const RETENTION = /^retention-(\d{12})\.json$/;

/** True for the name of a segment or a retention marker (what `list()` returns). */
export function isSegmentObjectName(name: string): boolean {
  return NAME.test(name) || RETENTION.test(name);
}

/** The name of the retention marker saying the archive starts at `fromSeq`. */
export function retentionMarkerName(fromSeq: number): string {
  return `retention-${String(fromSeq).padStart(12, "0")}.json`;
}

/** The seq a retention marker's name says the archive starts at, or null for another name. */
export function retentionSeqOf(name: string): number | null {
  const m = RETENTION.exec(name);
  return m === null ? null : Number(m[1]);
}

/** The name of the segment holding seqs `fromSeq`..`toSeq`. */
export function segmentName(range: SegmentRange): string {
  return `segment-${String(range.fromSeq).padStart(12, "0")}-${String(range.toSeq).padStart(12, "0")}.jsonl.gz`;
}

/** The range a segment name says it holds, or null for a name that is not a segment's. */
export function segmentRangeOf(name: string): SegmentRange | null {
  const m = NAME.exec(name);
  return m === null ? null : { fromSeq: Number(m[1]), toSeq: Number(m[2]) };
}

/** Segments in a directory. */
export class DirectoryArchiveStore implements AuditArchiveStore {
  readonly location: string;

  constructor(private readonly dir: string) {
    this.location = path.resolve(dir);
  }

  async put(name: string, data: Buffer): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const final = path.join(this.dir, name);
    const temp = path.join(this.dir, `.${name}.${process.pid}.tmp`);
    const handle = await fs.open(temp, "wx");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.link(temp, final); // fails when the name exists: a segment is never replaced
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST")
        throw new SegmentExistsError(`${final} exists already: a segment is never replaced`);
      throw err;
    } finally {
      await fs.unlink(temp);
    }
    // The new name must survive a crash too.
    const dirHandle = await fs.open(this.dir, "r");
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }

  async remove(name: string): Promise<void> {
    await fs.unlink(path.join(this.dir, name));
  }

  async get(name: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(path.join(this.dir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  }

  async list(): Promise<string[]> {
    try {
      return (await fs.readdir(this.dir)).filter(isSegmentObjectName).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
  }
}
