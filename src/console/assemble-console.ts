/**
 * The web console as the service runs it (the `console:` section): pages over the approval service and the
 * audit trail, sign-in by OIDC or the development sign-in, and the live activity feed fed by the workflow's
 * events through Redis. It needs the approval workflow; without one (no Redis) it is off, with a warning.
 */

import type express from "express";
import type { AssembledApprovals } from "../approvals/assemble-approvals";
import type { AuditReader } from "../audit/audit-reader";
import type { AuditVerificationKey } from "../audit/signing-key";
import type { ConfigEnv } from "../config/config-loader";
import type { ServiceConfig } from "../config/service-config";
import type { IdentityDirectory } from "../identity/identity-directory";
import type { Logger } from "../observability/logger";
import type { Clock } from "../policy/clock";
import { ServiceStartError } from "../service/service-start-error";
import { RedisActivityFeed } from "./console-activity";
import { validateConsoleConfig, type ConsoleConfig } from "./console-config";
import { ConsoleError } from "./console-errors";
import { createConsoleRouter } from "./console-router";

/** What the console runs on besides its configuration and the approval workflow. */
export interface ConsoleDeps {
  readonly identities: IdentityDirectory;
  /** The trail's reader and the key that signs it (absent without Redis). */
  readonly audit: { readonly reader?: AuditReader | undefined; readonly verificationKey?: AuditVerificationKey | undefined };
  readonly logger: Logger;
  readonly clock: Clock;
  /** Aborted on shutdown: ends the console's long-lived responses. */
  readonly shutdown: AbortSignal;
}

/** The console's routes, and how to stop its activity feed. */
export interface AssembledConsole {
  readonly router: express.RequestHandler;
  close(): Promise<void>;
}

/** The `console:` section validated with the environment; undefined when absent. */
export function consoleConfigOf(config: ServiceConfig, env: ConfigEnv): ConsoleConfig | undefined {
  if (config.console === undefined) return undefined;
  try {
    return validateConsoleConfig(config.console, env, { production: config.mode === "production" });
  } catch (err) {
    if (err instanceof ConsoleError)
      throw new ServiceStartError("COUNTERSIGN_CONSOLE_CONFIG_INVALID", `invalid configuration: ${err.message}`);
    throw err;
  }
}

/** Builds the console on the approval workflow; undefined (and a warning) without one. */
export function assembleConsole(
  config: ConsoleConfig,
  approvals: AssembledApprovals | undefined,
  deps: ConsoleDeps,
): AssembledConsole | undefined {
  const { logger, audit } = deps;
  if (approvals === undefined) {
    logger.warn("console: configured, but the web console needs the approval workflow (Redis); it is off");
    return undefined;
  }
  const activity = new RedisActivityFeed(approvals.workflow.redis, `${approvals.keyPrefix}console:activity`);
  approvals.events.add(activity);
  const router = createConsoleRouter({
    config,
    approvals: approvals.workflow.service,
    identities: deps.identities,
    ...(audit.reader === undefined ? {} : { audit: audit.reader }),
    ...(audit.verificationKey === undefined ? {} : { auditKeys: [audit.verificationKey] }),
    activity,
    logger,
    now: () => Number(deps.clock.nowNs() / 1_000_000n),
    shutdown: deps.shutdown,
  });
  if (config.sessionKeyGenerated)
    logger.warn("console: no session key (console.session_key_env): sessions are sealed with a key made at start and end with the process");
  logger.info(`console: the web console is at ${config.publicUrl ?? ""}/console`, {
    oidc: config.oidc?.issuer ?? null,
    development_sign_in: config.developmentSignIn,
  });
  return { router, close: () => activity.close() };
}
