/**
 * The approval workflow as the service runs it, on the service's Redis connection: store, change feed, grant
 * key (configured, or generated once and shared through Redis), grants, callbacks, reviewer policy, the
 * trail's listener, the expiry sweeper and callback dispatcher (both started), the recovery pass, and the
 * gate the decide use case asks.
 *
 * The trail's listener is the first on the event bus: an event is recorded before the Teams card and the
 * callback hear of it.
 */

import type { ServiceMode } from "../config/service-config";
import type { CallbackDispatcher } from "../callbacks/callback-dispatcher";
import { assembleCallbacks } from "../callbacks/assemble-callbacks";
import { CallbackUrlPolicy } from "../callbacks/callback-url-policy";
import type { PolicyEngine } from "../engine/policy-engine";
import { grantSigningKeyAtStart } from "../grants/grant-key-at-start";
import { GrantService } from "../grants/grant-service";
import type { IdentityDirectory } from "../identity/identity-directory";
import { errorText } from "../observability/error-text";
import type { Logger } from "../observability/logger";
import type { ReadinessCheck } from "../observability/readiness";
import { throttledWarning } from "../observability/throttled-warning";
import type { Clock } from "../policy/clock";
import type { ServiceRedis } from "../redis/assemble-redis";
import { redisClientCheck } from "../redis/redis-ready-check";
import { assembleRecovery } from "./assemble-recovery";
import type { ApprovalWorkflowConfig } from "../config/approval-config";
import { RedisApprovalChangeFeed } from "./approval-change-feed";
import { approvalEventLog } from "./approval-event-log";
import { ApprovalEventBus, type ApprovalEventListener } from "./approval-events";
import { journalAckListener, RedisApprovalJournal } from "./approval-journal";
import { ApprovalKeys } from "./approval-keys";
import { ApprovalService } from "./approval-service";
import { DecisionApprovals } from "./decision-approvals";
import { ExpirySweeper } from "./expiry-sweeper";
import type { IdSource } from "./id-source";
import type { RecordedEvents } from "./journal-recovery";
import { PolicyReviewerPolicy } from "./policy-reviewer-policy";
import { RedisApprovalStore } from "./redis-approval-store";

/** The approval workflow as wired on one Redis. */
export interface ApprovalWorkflow {
  readonly redis: ServiceRedis["redis"];
  readonly service: ApprovalService;
  readonly grants: GrantService;
  readonly sweeper: ExpirySweeper;
  /** Present when `approvals.callbacks` is configured. */
  readonly dispatcher?: CallbackDispatcher;
}

/** What the workflow needs of the audit trail. */
export interface ApprovalAuditPort {
  /** Its listener recording each event and deleting the event's journal entries once stored; undefined without a trail. */
  approvalListener(journal: RedisApprovalJournal): ApprovalEventListener | undefined;
  /** Whether a listener's failure is the trail failing to store the event. */
  isAuditFailure(err: unknown): boolean;
  /** The events the trail holds (the recovery pass runs only with them). */
  readonly recorded?: RecordedEvents | undefined;
}

/** What the workflow runs on besides Redis and its configuration. */
export interface ApprovalDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly engine: PolicyEngine;
  /** Approval ids; default `apr_` and 128 random bits. */
  readonly ids?: IdSource | undefined;
  readonly audit: ApprovalAuditPort;
  readonly identities: IdentityDirectory;
  /** Write the notification outbox (a reviewers' channel such as Teams is configured). */
  readonly notifications: boolean;
  readonly recoveryGraceMs?: number | undefined;
}

/** The approval workflow with what the decide use case and readiness need, and how to stop it. */
export interface AssembledApprovals {
  readonly workflow: ApprovalWorkflow;
  readonly gate: DecisionApprovals;
  readonly readiness: ReadinessCheck;
  /** The workflow's event bus. */
  readonly events: ApprovalEventBus;
  /** The store and its key layout (the notification dispatcher reads requests through them). */
  readonly store: RedisApprovalStore;
  readonly keys: ApprovalKeys;
  readonly keyPrefix: string;
  close(): Promise<void>;
}

/**
 * Wires and starts the workflow; without Redis, logs that every decision is denied and returns undefined.
 * Throws ServiceStartError when the grant key cannot be had.
 */
export async function assembleApprovals(
  connection: ServiceRedis | undefined,
  cfg: ApprovalWorkflowConfig,
  mode: ServiceMode,
  deps: ApprovalDeps,
): Promise<AssembledApprovals | undefined> {
  const { clock, logger } = deps;
  if (connection === undefined) {
    logger.error(
      "no Redis configured: the audit trail cannot be written, so every decision is denied (audit unavailable), and the approval workflow is off; set REDIS_URL or redis.url",
    );
    return undefined;
  }
  const { redis, where } = connection;
  const keys = new ApprovalKeys(cfg.keyPrefix);
  const key = await grantSigningKeyAtStart(cfg.grants, { redis, redisKey: keys.grantSigningKey, where, mode, logger });

  const store = new RedisApprovalStore(redis, { keys, retentionSeconds: cfg.retentionSeconds, notifications: deps.notifications });
  const events = new ApprovalEventBus([approvalEventLog(logger)], (err, event) =>
    logger.error(
      deps.audit.isAuditFailure(err)
        ? "audit: an approval event was not recorded (the change itself is committed)"
        : "an approval event listener failed",
      { event: event.type, error: errorText(err) },
    ),
  );
  // Without a trail nothing waits for the journal entries: they are deleted as each event passes.
  const journal = new RedisApprovalJournal(redis, keys);
  const auditListener = deps.audit.approvalListener(journal) ?? journalAckListener(journal);
  events.add(auditListener);
  const grants = new GrantService({ redis, key, clock, keys, events });
  const urlPolicy = cfg.callbacks === undefined ? undefined : new CallbackUrlPolicy(cfg.callbacks);
  const changes = new RedisApprovalChangeFeed(redis, keys);
  const service = new ApprovalService({
    store,
    clock,
    events,
    grants,
    changes,
    reviewerPolicy: new PolicyReviewerPolicy(deps.engine, clock),
    identities: deps.identities,
    ...(urlPolicy === undefined ? {} : { callbackUrls: urlPolicy }),
    ...(deps.ids === undefined ? {} : { ids: deps.ids }),
    limits: { commentMaxChars: cfg.commentMaxChars, maxWaitMs: cfg.maxWaitSeconds * 1000 },
  });

  const sweeper = new ExpirySweeper(service, {
    intervalMs: cfg.sweepIntervalMs,
    onError: throttledWarning(logger, clock, "expiry sweep failed"),
  });
  const dispatcher =
    cfg.callbacks === undefined || urlPolicy === undefined
      ? undefined
      : assembleCallbacks(cfg.callbacks, urlPolicy, {
          redis,
          keys,
          approvals: store,
          events,
          clock,
          logger,
          intervalMs: cfg.sweepIntervalMs,
        });
  sweeper.start();
  // Requests stored before the inbox indexes existed get listed in them (once; idempotent across instances).
  void store.indexUnindexed().then(
    (n) => n > 0 && logger.info("approvals: listed pending requests in the inbox indexes", { requests: n }),
    (err: unknown) =>
      logger.warn("approvals: could not list pending requests in the inbox indexes; retried at the next start", { error: errorText(err) }),
  );
  // Requests stored before the requester history existed get listed in it ("my requests"; once per deployment).
  void store.indexHistory(Number(clock.nowNs() / 1_000_000n)).then(
    (n) => n > 0 && logger.info("approvals: listed stored requests in their requesters' histories", { requests: n }),
    (err: unknown) =>
      logger.warn("approvals: could not list stored requests in their requesters' histories; retried at the next start", {
        error: errorText(err),
      }),
  );
  const recorded = deps.audit.recorded;
  const stopRecovery =
    recorded === undefined
      ? undefined
      : assembleRecovery({ store, journal, audit: auditListener, recorded, clock, logger, graceMs: deps.recoveryGraceMs });

  const gate = new DecisionApprovals(service, grants, (code, err) =>
    logger.error("approval step failed closed: answered deny", { code, error: errorText(err) }),
  );
  return {
    workflow: { redis, service, grants, sweeper, ...(dispatcher === undefined ? {} : { dispatcher }) },
    gate,
    readiness: redisClientCheck(redis, where),
    events,
    store,
    keys,
    keyPrefix: cfg.keyPrefix,
    close: async () => {
      sweeper.stop();
      stopRecovery?.();
      dispatcher?.stop();
      await changes.close();
    },
  };
}
