/**
 * What the composition root (`src/main.ts`) takes and gives: the options of `assembleService` and
 * `startService`, the wired service, and the running one. The parts a caller may supply in place of the
 * defaults (clock, ids, logger, audit recorder, Teams credentials) are ordinary injection points.
 */

import type { RequestListener } from "node:http";
import type { ApprovalWorkflow } from "../approvals/assemble-approvals";
import type { IdSource } from "../approvals/id-source";
import type { AuditReader } from "../audit/audit-reader";
import type { AuditRecorder } from "../audit/audit-trail";
import type { ConfigEnv, ConfigOverrides } from "../config/config-loader";
import type { ConfigSource, ServiceConfig } from "../config/service-config";
import type { PolicySource } from "../engine/policy-source";
import type { Logger } from "../observability/logger";
import type { RunningGateway } from "../mcp/gateway";
import type { ServiceDecisions } from "../mcp/in-process-gateway";
import type { Clock } from "../policy/clock";
import type { EmbeddedRedis } from "../redis/embedded-redis";
import type { ShadowRunner } from "../shadow/shadow-runner";
import type { SlackApp } from "../slack/slack-router";
import type { CredentialsFactory } from "../teams/bot-adapter";
import type { TeamsBot } from "../teams/teams-router";
import type { IdGenerator } from "../service/decision-id";
import type { DecisionPolicy } from "../service/decision-policy";

export type { ApprovalWorkflow } from "../approvals/assemble-approvals";

/** How to assemble the service from a validated configuration. */
export interface AssembleOptions {
  /** `--watch-rego <dir>`: serve Rego sources compiled in memory, recompiled on save, instead of bundles. */
  readonly watchRegoDir?: string;
  /** `--v0-compatible`: the Rego version of `watchRegoDir` sources no `.manifest` speaks for (default 1). */
  readonly watchRegoVersion?: 0 | 1;
  /** Watch the bundle directory (or Rego sources) for changes; default true. */
  readonly watch?: boolean;
  /** Defaults to the system clock. */
  readonly clock?: Clock;
  /** Defaults to UUIDv7 over the clock. */
  readonly ids?: IdGenerator;
  /** Defaults to a JSON logger on standard output at the configured level. */
  readonly logger?: Logger;
  /** Approval ids; defaults to `apr_` and 128 random bits. */
  readonly approvalIds?: IdSource;
  /**
   * Environment variables the capabilities read at start-up: the audit mask salt and signing key
   * (COUNTERSIGN_AUDIT_MASK_SALT, COUNTERSIGN_AUDIT_SIGNING_KEY) and the Teams bot's credentials
   * (MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD, …). Default none.
   */
  readonly env?: ConfigEnv;
  /** The audit trail's instance label (`labels.id` on every entry); default a random UUID. */
  readonly instanceId?: string;
  /** A recorder in place of the audit trail on Redis (the trail is then not opened); default the trail. */
  readonly auditRecorder?: AuditRecorder;
  /** The Teams bot's outbound credentials to the Bot Connector; default built from `teams:` and MICROSOFT_APP_*. */
  readonly teamsCredentials?: CredentialsFactory;
  /** How old a leftover must be before the approval recovery pass settles it (default 30 s). */
  readonly recoveryGraceMs?: number;
}

/** The wired service, not yet listening. */
export interface AssembledService {
  readonly app: RequestListener;
  readonly source: PolicySource;
  readonly policy: DecisionPolicy;
  readonly logger: Logger;
  /** The approval workflow; absent when no Redis is configured (require_approval is then denied). */
  readonly approvals?: ApprovalWorkflow;
  /** The audit trail's reader (queries, exports); absent when no Redis is configured. */
  readonly audit?: AuditReader;
  /** The Teams bot, when the `teams:` section is configured (and Redis is). */
  readonly teams?: TeamsBot;
  /** The Slack app, when the `slack:` section is configured (and Redis is). */
  readonly slack?: SlackApp;
  /** Shadow mode, when `bundles.shadow` is configured. */
  readonly shadow?: ShadowRunner;
  /** Ends the long-polls in flight at once (each answers the current state), so the server can close. */
  /** The decide route's parts, for the in-process MCP gateway (`src/mcp/in-process-gateway.ts`). */
  readonly decisions: ServiceDecisions;
  endLongPolls(): void;
  /**
   * Stops the expiry sweeper and the callback dispatcher, closes the audit trail (queued records settle, the
   * mirror file is flushed), the Redis connections and the policy source.
   */
  close(): Promise<void>;
}

/** How to start the service. */
export interface StartOptions extends AssembleOptions {
  /** Environment variables (PORT, REDIS_URL, NODE_ENV, COUNTERSIGN_CONFIG). */
  readonly env: ConfigEnv;
  /** Command-line overrides: --config, --port, --bundles. */
  readonly overrides?: ConfigOverrides;
}

/** A running service. */
export interface RunningService {
  readonly config: ServiceConfig;
  readonly configSource: ConfigSource;
  readonly app: RequestListener;
  /** `http://host:port` it listens on. */
  readonly url: string;
  readonly port: number;
  readonly source: PolicySource;
  readonly logger: Logger;
  /** The embedded redis-server, when no Redis URL was configured. */
  readonly embeddedRedis?: EmbeddedRedis;
  /** The in-process MCP gateway (`gateway.in_process`), serving the agent on stdio; its `done` is the agent going away. */
  readonly mcpGateway?: RunningGateway;
  /**
   * Stops accepting connections, ends long-polls, lets requests in flight finish (at most `graceMs`), stops
   * the background work and watching, closes Redis, and stops the embedded redis-server.
   */
  close(graceMs?: number): Promise<void>;
}
