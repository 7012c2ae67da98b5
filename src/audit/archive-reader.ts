/**
 * The whole history as one reader: the sealed segments of the archive, then the hot stream in Redis after the
 * last of them, in seq order, so that `exportTrail` (and anything else that reads ascending) runs across both
 * as if the trail had never been trimmed.
 *
 * Each segment's last entry carries the segment's signed head as its checkpoint (a segment keeps only that
 * one: the checkpoints of the appends inside it are not archived), so an export whose range ends inside a
 * segment runs on to the end of that segment to end on a signature. A segment is read whole (gunzipped) and
 * the one being read is kept in memory. Reads do not verify: the export they feed verifies as a whole, every
 * entry pinned by the head it ends on.
 *
 * The archiver may seal and trim while a read runs: when the stream no longer holds the seq after the last
 * segment known, the segment list is read again. Descending reads (the audit query's newest-first pages) are
 * the hot stream's: `GET /v1/audit` does not page into the archive (see `audit-route.ts`).
 */

import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { segmentRangeOf, type AuditArchiveStore, type SegmentRange } from "./archive-store";
import type { AuditReader, StoredRecord } from "./audit-reader";
import type { SignedHead } from "./head-signature";
import { seqOfStreamId, streamIdOf } from "./stream-id";
import { asHeadLine } from "./trail-head-line";

const gunzipAsync = promisify(gunzip);

interface LoadedSegment extends SegmentRange {
  readonly name: string;
  readonly lines: readonly string[];
  readonly head: SignedHead | null;
}

/** The archive followed by the hot stream (or the archive alone, when `hot` is null). */
export class ArchiveTrailReader implements AuditReader {
  private segments: (SegmentRange & { name: string })[] | null = null;
  private loaded: LoadedSegment | null = null;

  constructor(
    private readonly archive: AuditArchiveStore,
    private readonly hot: AuditReader | null,
  ) {}

  /** The stream's head; for the archive alone, the last segment's signed head. */
  async readHead(): Promise<SignedHead | null> {
    if (this.hot !== null) {
      const head = await this.hot.readHead();
      if (head !== null) return head;
    }
    const last = (await this.list()).at(-1);
    return last === undefined ? null : (await this.load(last)).head;
  }

  async readAscending(afterId: string | null, count: number): Promise<StoredRecord[]> {
    const after = afterId === null ? 0 : seqOfStreamId(afterId);
    if (after === null) return this.hot === null ? [] : this.hot.readAscending(afterId, count);
    for (let attempt = 0; attempt < 2; attempt++) {
      const segments = await this.list(attempt > 0);
      const seg = segments.find((s) => s.toSeq > after);
      if (seg !== undefined) return this.fromSegment(await this.load(seg), after, count);
      if (this.hot === null) return [];
      const lastArchived = segments.at(-1)?.toSeq ?? 0;
      const page = await this.hot.readAscending(after === 0 ? null : streamIdOf(after), count);
      const first = page[0]?.idSeq;
      // The stream starts past what we asked for: the archiver sealed and trimmed meanwhile; list again.
      if (attempt === 0 && first !== undefined && first !== null && first > after + 1 && first > lastArchived + 1) continue;
      return page;
    }
    return [];
  }

  /** Newest first, from the hot stream only (see the file comment). */
  async readDescending(beforeId: string | null, count: number): Promise<StoredRecord[]> {
    return this.hot === null ? [] : this.hot.readDescending(beforeId, count);
  }

  private fromSegment(seg: LoadedSegment, after: number, count: number): StoredRecord[] {
    const out: StoredRecord[] = [];
    const start = Math.max(0, after + 1 - seg.fromSeq);
    for (let i = start; i < seg.lines.length && out.length < count; i++) {
      const seq = seg.fromSeq + i;
      const last = i === seg.lines.length - 1;
      out.push({
        id: streamIdOf(seq),
        idSeq: seq,
        line: seg.lines[i] as string,
        ...(last && seg.head !== null && seg.head.seq === seq ? { checkpoint: seg.head } : {}),
      });
    }
    return out;
  }

  private async list(refresh = false): Promise<(SegmentRange & { name: string })[]> {
    if (this.segments === null || refresh) {
      this.segments = (await this.archive.list()).flatMap((name) => {
        const range = segmentRangeOf(name);
        return range === null ? [] : [{ name, ...range }];
      });
    }
    return this.segments;
  }

  private async load(seg: SegmentRange & { name: string }): Promise<LoadedSegment> {
    if (this.loaded?.name === seg.name) return this.loaded;
    const bytes = await this.archive.get(seg.name);
    if (bytes === null) throw new Error(`${this.archive.location}: ${seg.name} vanished while being read`);
    const lines = (await gunzipAsync(bytes))
      .toString("utf8")
      .split("\n")
      .filter((l) => l.trim() !== "");
    const headLine =
      lines.length > 0 && (lines[lines.length - 1] as string).startsWith('{"head"') ? asHeadLine(safeParse(lines.pop() as string)) : null;
    this.loaded = { ...seg, lines, head: headLine?.head ?? null };
    return this.loaded;
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
