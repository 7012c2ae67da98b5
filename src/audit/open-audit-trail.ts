/**
 * Building a ready audit trail from settings and a Redis connection: what `main.ts` (the composition root)
 * calls once at start-up.
 */

import type Redis from "ioredis";
import type { Clock } from "../policy/clock";
import type { AuditSettings } from "./audit-config";
import { createFileAuditMirror } from "./audit-mirror";
import { AuditTrail } from "./audit-trail";
import { RedisAuditStore } from "./redis-audit-store";
import { resolveSigningKey, type AuditSigningKey } from "./signing-key";

/** What opening a trail needs besides the settings. */
export interface OpenAuditTrailDeps {
  readonly redis: Redis;
  readonly clock: Clock;
  /** OPA-style labels for every event, e.g. `{id: <instance id>, version: <package version>}`. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Told when the file mirror cannot write (the trail itself is unaffected). */
  readonly onMirrorError?: (err: Error) => void;
  /** Told when Redis lost entries this instance had stored (see AuditTrailOptions.onRollback); log it as an error. */
  readonly onRollback?: (info: { readonly storedSeq: number; readonly knownSeq: number }) => void;
}

/** A trail and the store behind it (the store also serves queries and exports). */
export interface OpenedAuditTrail {
  readonly trail: AuditTrail;
  readonly store: RedisAuditStore;
  /** The key that signs the trail (the archiver signs its segments' ranges with it). */
  readonly signingKey: AuditSigningKey;
}

/** Resolves the signing key (configured, or generated once in Redis), and builds the store, mirror and trail. */
export async function openAuditTrail(settings: AuditSettings, deps: OpenAuditTrailDeps): Promise<OpenedAuditTrail> {
  const store = new RedisAuditStore(deps.redis, settings.stream, { compress: settings.compress });
  const signingKey = await resolveSigningKey(settings.signingKeyPem, store);
  const mirror =
    settings.mirrorFile === undefined
      ? undefined
      : createFileAuditMirror({
          filename: settings.mirrorFile,
          ...(deps.onMirrorError === undefined ? {} : { onError: deps.onMirrorError }),
        });
  const trail = new AuditTrail({
    store,
    signingKey,
    clock: deps.clock,
    maskSalt: settings.maskSalt,
    maxBatch: settings.maxBatch,
    appendTimeoutMs: settings.appendTimeoutMs,
    checkpointIntervalMs: settings.checkpointIntervalMs,
    ...(deps.labels === undefined ? {} : { labels: deps.labels }),
    ...(deps.onRollback === undefined ? {} : { onRollback: deps.onRollback }),
    ...(mirror === undefined ? {} : { mirror }),
  });
  return { trail, store, signingKey };
}
