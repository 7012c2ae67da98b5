/**
 * Archival of the trail as the service runs it (`audit.archive`): the archiver sealing segments into the
 * configured store on a timer, trimming Redis behind them, and deleting by retention; never past what every
 * sink has delivered.
 */

import type Redis from "ioredis";
import { intervalScheduler } from "../approvals/scheduler";
import type { ConfigEnv } from "../config/config-loader";
import type { Logger } from "../observability/logger";
import { throttledWarning } from "../observability/throttled-warning";
import type { Clock } from "../policy/clock";
import type { AuditArchiveSettings } from "./audit-config";
import type { AuditSink } from "./audit-sink";
import { openArchiveStore } from "./open-archive-store";
import type { OpenedAuditTrail } from "./open-audit-trail";
import { TrailArchiver } from "./trail-archiver";

/** The running archiver: stop its timer, then close its store. */
export interface AssembledArchive {
  stop(): void;
  closeStore(): void;
}

/** Opens the archive store and starts archiving every `archive.intervalMs`. */
export function assembleArchive(
  archive: AuditArchiveSettings,
  opened: OpenedAuditTrail,
  sinks: readonly AuditSink[],
  deps: { redis: Redis; clock: Clock; logger: Logger; env: ConfigEnv },
): AssembledArchive {
  const { logger } = deps;
  const archiveStore = openArchiveStore(archive.target, deps.env);
  const archiver = new TrailArchiver({
    redis: deps.redis,
    store: opened.store,
    archive: archiveStore,
    signingKey: opened.signingKey,
    clock: deps.clock,
    segmentEntries: archive.segmentEntries,
    ...(archive.segmentMaxAgeMs === undefined ? {} : { segmentMaxAgeMs: archive.segmentMaxAgeMs }),
    ...(archive.retentionMs === undefined ? {} : { retentionMs: archive.retentionMs }),
    onRetention: (d) =>
      logger.info("audit: segment deleted by retention (behind a signed retention marker)", { segment: d.name, marker: d.marker }),
    ...(sinks.length === 0 ? {} : { deliveredThrough: async () => Math.min(...(await Promise.all(sinks.map((s) => s.cursor())))) }),
    onSegment: (s) =>
      logger.info("audit: segment archived and trimmed from Redis", {
        segment: s.name,
        from_seq: s.fromSeq,
        to_seq: s.toSeq,
        bytes: s.bytes,
      }),
  });
  const failed = throttledWarning(logger, deps.clock, "audit: archiving failed; nothing was trimmed, retried at the next run");
  const stop = intervalScheduler.every(archive.intervalMs, async () => {
    await archiver.runOnce().catch(failed);
  });
  logger.info(`audit: sealing segments of ${archive.segmentEntries} entries into ${archiveStore.location}`, {
    archive: archiveStore.location,
    segment_entries: archive.segmentEntries,
    segment_max_age_seconds: archive.segmentMaxAgeMs === undefined ? null : archive.segmentMaxAgeMs / 1000,
    retention_days: archive.retentionMs === undefined ? null : archive.retentionMs / 86_400_000,
  });
  return { stop, closeStore: () => archiveStore.close?.() };
}
