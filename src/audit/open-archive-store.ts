/**
 * Building the archive store `audit.archive` names — a directory or an S3-compatible bucket — for the service
 * (`main.ts`) and the CLI (`--archive DIR | s3://bucket/prefix`).
 */

import { DirectoryArchiveStore, type AuditArchiveStore } from "./archive-store";
import type { AuditArchiveTarget } from "./audit-config";
import { S3ArchiveStore } from "./s3-archive-store";

/** The store for a validated target; S3 credentials come from `env` (AWS_ACCESS_KEY_ID, …) or the SDK's other sources. */
export function openArchiveStore(
  target: AuditArchiveTarget,
  env: Readonly<Record<string, string | undefined>> = process.env,
): AuditArchiveStore & { close?(): void } {
  if (target.kind === "dir") return new DirectoryArchiveStore(target.dir);
  return new S3ArchiveStore(
    {
      bucket: target.bucket,
      prefix: target.prefix,
      region: target.region,
      ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }),
      forcePathStyle: target.forcePathStyle,
      conditionalWrites: target.conditionalWrites,
    },
    env,
  );
}
