/**
 * The audit trail as the service runs it: the `audit:` settings resolved with the environment, the trail
 * opened on the service's Redis (its signing key configured, or generated once and shared through Redis),
 * the sinks shipping it to collectors, archival, and the trail told of bundle activations.
 *
 * A caller may supply a recorder of its own in place of the trail (nothing is opened on Redis then). Without
 * Redis and without one, decisions go to a sink that fails every record, so every answer is a deny.
 */

import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { ApprovalEventListener } from "../approvals/approval-events";
import type { RecordedEvents } from "../approvals/journal-recovery";
import type { ConfigEnv } from "../config/config-loader";
import type { ServiceConfig } from "../config/service-config";
import type { PolicySource } from "../engine/policy-source";
import { errorText } from "../observability/error-text";
import type { Logger } from "../observability/logger";
import { throttledWarning } from "../observability/throttled-warning";
import type { Clock } from "../policy/clock";
import type { ServiceRedis } from "../redis/assemble-redis";
import type { DisagreementRecorder } from "../shadow/shadow-runner";
import type { DecisionAuditSink } from "../service/decide";
import { ServiceStartError } from "../service/service-start-error";
import { assembleArchive, type AssembledArchive } from "./assemble-archive";
import { DEVELOPMENT_MASK_SALT, resolveAuditSettings, type AuditSettings } from "./audit-config";
import { approvalAuditListener, type JournalAck } from "./approval-audit";
import { AuditError } from "./audit-error";
import type { AuditReader } from "./audit-reader";
import { AuditSink } from "./audit-sink";
import type { AuditRecorder } from "./audit-trail";
import { bundleAuditListener } from "./bundle-audit";
import { decisionAuditSink, unavailableAuditSink } from "./decision-audit";
import { httpAuditSink } from "./http-audit-sink";
import { openAuditTrail } from "./open-audit-trail";
import { recordedEventsOf } from "./recorded-events";
import { shadowAuditRecorder } from "./shadow-audit";
import type { AuditVerificationKey } from "./signing-key";
import { syslogAuditSink } from "./syslog-audit-sink";

/** The audit trail as the rest of the service uses it, and how to close it. */
export interface AssembledAudit {
  /** Absent without Redis (and without a supplied recorder). */
  readonly recorder?: AuditRecorder;
  readonly sink: DecisionAuditSink;
  readonly reader?: AuditReader;
  /** The sinks delivering the trail to collectors (their lag is a metric). */
  readonly sinks?: readonly AuditSink[];
  /** The public half of the trail's signing key (the console checks the chain with it). */
  readonly verificationKey?: AuditVerificationKey;
  /** Records the source's bundle activations and refusals in the trail (call before the source starts). */
  watchBundles(source: PolicySource): void;
  /** The approval workflow's listener: records each event, then deletes its journal entries; undefined without a recorder. */
  approvalListener(journal: JournalAck): ApprovalEventListener | undefined;
  /** Whether an approval listener's failure is the trail failing to store the event. */
  isAuditFailure(err: unknown): boolean;
  /** The events the trail holds (the approval recovery pass reads them); absent without a reader. */
  readonly recorded?: RecordedEvents;
  /** Records shadow mode's disagreements; absent without a recorder. */
  readonly shadowRecorder?: DisagreementRecorder;
  close(): Promise<void>;
}

/** What the trail needs besides its settings. */
export interface AuditDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly env: ConfigEnv;
  /** The trail's instance label (`labels.id` on every entry); default a random UUID. */
  readonly instanceId?: string | undefined;
  /** A recorder in place of the trail on Redis. */
  readonly recorder?: AuditRecorder | undefined;
}

/**
 * The `audit:` section resolved with the environment, checked before Redis is connected so that a mistake
 * (no salt in production) stops the start; undefined when no trail will be opened (no Redis configured, or
 * a recorder supplied).
 */
export function auditSettingsOf(config: ServiceConfig, deps: AuditDeps): AuditSettings | undefined {
  if (deps.recorder !== undefined || config.redis.url === undefined) return undefined;
  let settings: AuditSettings;
  try {
    settings = resolveAuditSettings(config.audit, { mode: config.mode, env: deps.env, readFile: (file) => readFileSync(file, "utf8") });
  } catch (err) {
    if (err instanceof AuditError) throw new ServiceStartError("COUNTERSIGN_AUDIT_BAD_CONFIG", `audit: ${err.message}`);
    throw err;
  }
  if (settings.maskSalt.toString("utf8") === DEVELOPMENT_MASK_SALT) {
    deps.logger.warn("audit: masking with the published development salt (audit.mask_salt); set your own, production refuses this one");
  }
  return settings;
}

/** Opens the trail on Redis, or takes the supplied recorder; without either, a sink that fails every record. */
export async function assembleAudit(
  settings: AuditSettings | undefined,
  redis: ServiceRedis | undefined,
  deps: AuditDeps,
): Promise<AssembledAudit> {
  const { logger } = deps;
  if (deps.recorder !== undefined) {
    logger.warn("audit: a recorder supplied by the caller in place of the audit trail on Redis; the trail is not opened");
    return withListeners({ recorder: deps.recorder, sink: decisionAuditSink(deps.recorder), close: async () => undefined }, logger);
  }
  if (redis === undefined || settings === undefined) {
    return withListeners(
      { sink: unavailableAuditSink("no Redis configured: the audit trail cannot be written"), close: async () => undefined },
      logger,
    );
  }
  let opened: Awaited<ReturnType<typeof openAuditTrail>>;
  try {
    opened = await openAuditTrail(settings, {
      redis: redis.redis,
      clock: deps.clock,
      labels: { id: deps.instanceId ?? randomUUID() },
      onMirrorError: (err) =>
        logger.warn("audit: the mirror file cannot be written (the trail in Redis is unaffected)", {
          file: settings.mirrorFile,
          error: err.message,
        }),
      onRollback: (info) =>
        logger.error(
          "audit: Redis lost entries this instance had stored (the stored head is behind them); the chain carries on from the stored head",
          {
            stored_seq: info.storedSeq,
            known_seq: info.knownSeq,
          },
        ),
    });
  } catch (err) {
    if (err instanceof AuditError && err.code !== "COUNTERSIGN_AUDIT_UNAVAILABLE")
      throw new ServiceStartError("COUNTERSIGN_AUDIT_BAD_CONFIG", `audit: ${err.message}`);
    throw new ServiceStartError(
      "COUNTERSIGN_REDIS_UNAVAILABLE",
      `cannot open the audit trail on Redis at ${redis.where}: ${errorText(err)}; check REDIS_URL (audit.signing_key_file lets the trail start without reading its key from Redis)`,
    );
  }
  logger.info(`audit trail on Redis stream ${settings.stream}`, { stream: settings.stream, mirror_file: settings.mirrorFile ?? null });
  const trail = opened.trail;
  const sinks = settings.sinks.map((s) => {
    const failed = throttledWarning(logger, deps.clock, `audit: sink ${s.name} failed to deliver; retried with back-off, nothing skipped`);
    return new AuditSink({
      name: s.name,
      redis: redis.redis,
      store: opened.store,
      target:
        s.type === "http"
          ? httpAuditSink({ url: s.url, ...(s.secret === undefined ? {} : { secret: s.secret }) })
          : syslogAuditSink({ host: s.host, port: s.port }),
      batch: s.batch,
      onError: (err) => failed(err),
    });
  });
  for (const sink of sinks) sink.start();
  const archive: AssembledArchive | undefined =
    settings.archive === undefined
      ? undefined
      : assembleArchive(settings.archive, opened, sinks, { redis: redis.redis, clock: deps.clock, logger, env: deps.env });
  return withListeners(
    {
      recorder: trail,
      sink: decisionAuditSink(trail),
      reader: opened.store,
      sinks,
      verificationKey: opened.signingKey.verification,
      close: async () => {
        archive?.stop();
        for (const sink of sinks) await sink.stop();
        await trail.close();
        archive?.closeStore();
      },
    },
    logger,
  );
}

/**
 * Adds what the policy source and the approval workflow hear the trail through: bundle events recorded with
 * the revision the source reports, approval events recorded before their journal entries are deleted.
 */
function withListeners(
  audit: Omit<AssembledAudit, "watchBundles" | "approvalListener" | "isAuditFailure" | "recorded" | "shadowRecorder">,
  logger: Logger,
): AssembledAudit {
  const { recorder, reader } = audit;
  return {
    ...audit,
    approvalListener: (journal) => (recorder === undefined ? undefined : approvalAuditListener(recorder, journal)),
    isAuditFailure: (err) => err instanceof AuditError,
    ...(reader === undefined ? {} : { recorded: recordedEventsOf(reader) }),
    ...(recorder === undefined ? {} : { shadowRecorder: shadowAuditRecorder(recorder) }),
    watchBundles: (source) => {
      if (recorder === undefined) return;
      source.subscribe(
        bundleAuditListener(
          recorder,
          (bundle) => source.status().bundles.find((b) => b.bundle === bundle)?.revision ?? undefined,
          (err, draft) => logger.error("audit: a bundle event was not recorded", { event: draft.body.type, error: errorText(err) }),
        ),
      );
    },
  };
}
