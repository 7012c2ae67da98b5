/**
 * Where sealed audit segments are kept: an interface the archiver and the verifier share, and its default,
 * a directory (each segment written to a temporary file, flushed to disk and renamed into place, so a crash
 * never leaves a half-written segment under its real name).
 *
 * Segment files are named by the seqs they hold, zero-padded so that name order is seq order:
 * `segment-000000000001-000000010000.jsonl.gz`.
 */

import { promises as fs } from "node:fs";
import * as path from "node:path";

/** A store of sealed segments. */
export interface AuditArchiveStore {
  /** Where it is, for messages (`/var/lib/countersign/audit-archive`, `s3://bucket/prefix`). */
  readonly location: string;
  /** Writes a segment (replacing nothing: a name already there is an error). */
  put(name: string, data: Buffer): Promise<void>;
  /** A segment's bytes, or null when there is none by that name. */
  get(name: string): Promise<Buffer | null>;
  /** The names of every segment, in name (seq) order. */
  list(): Promise<string[]>;
}

/** The range a segment's name says it holds. */
export interface SegmentRange {
  readonly fromSeq: number;
  readonly toSeq: number;
}

const NAME = /^segment-(\d{12})-(\d{12})\.jsonl\.gz$/;

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
    } finally {
      await fs.unlink(temp);
    }
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
      return (await fs.readdir(this.dir)).filter((n) => NAME.test(n)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
  }
}
