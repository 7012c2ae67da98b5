/**
 * The HTTP application as the service runs it: the decide use case, authentication, readiness (the policy,
 * and Redis behind the audit trail and the approval workflow), metrics, the approval, audit and shadow
 * routes where those capabilities run, and the reviewers' channels and console mounted in front.
 */

import type { RequestListener } from "node:http";
import type express from "express";
import type { Registry } from "prom-client";
import type { AssembledApprovals } from "../approvals/assemble-approvals";
import type { AuditReader } from "../audit/audit-reader";
import type { ServiceConfig } from "../config/service-config";
import type { PolicyEngine } from "../engine/policy-engine";
import type { Authenticator } from "../identity/authenticator";
import type { IdentityDirectory } from "../identity/identity-directory";
import type { Logger } from "../observability/logger";
import { policyCheck } from "../service/policy-check";
import { checkReadiness, type ReadinessCheck } from "../observability/readiness";
import type { Clock } from "../policy/clock";
import type { DecideUseCase } from "../service/decide";
import type { DecisionPolicy } from "../service/decision-policy";
import { createHiddenToolsQuery } from "../service/hidden-tools";
import { requesterCheckOf } from "../service/requester-identities";
import type { ShadowRunner } from "../shadow/shadow-runner";
import type { ApprovalApi } from "./approval-api";
import { createApp } from "./app";

/** The capabilities the app serves. */
export interface AppParts {
  readonly decide: DecideUseCase;
  /** The configured identities and the authenticator over them. */
  readonly identity: { readonly directory: IdentityDirectory; readonly authenticator: Authenticator };
  /** The live policy: its status (readiness) and its engine (the hidden-tools query). */
  readonly live: { readonly policy: DecisionPolicy; readonly engine: PolicyEngine };
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Absent without Redis: the approval routes answer 503 and readiness fails on the audit trail. */
  readonly approvals?: AssembledApprovals | undefined;
  readonly audit?: AuditReader | undefined;
  readonly shadow?: ShadowRunner | undefined;
  /** Routers mounted before everything else (Teams, Slack, the console). */
  readonly before: readonly express.RequestHandler[];
  /** Aborted on shutdown: ends the approval long-polls. */
  readonly shutdown: AbortSignal;
}

/** Builds the app (a listener for `http.createServer`). */
export function assembleApp(config: ServiceConfig, parts: AppParts): RequestListener {
  const { approvals, audit, shadow, identity, live } = parts;
  const checks: ReadinessCheck[] = [policyCheck(live.policy)];
  if (approvals !== undefined) checks.push(approvals.readiness);
  else
    checks.push({
      name: "audit",
      check: async () => ({ ok: false, detail: "no Redis configured: decisions cannot be recorded, every decision is denied" }),
    });
  return createApp({
    decide: parts.decide,
    authenticator: identity.authenticator,
    readiness: () => checkReadiness(checks),
    metrics: parts.metrics,
    logger: parts.logger,
    bodyLimitBytes: config.server.bodyLimitBytes,
    bodyTimeoutMs: config.server.bodyTimeoutMs,
    maxJsonDepth: config.server.maxJsonDepth,
    requesters: requesterCheckOf(config, identity.directory),
    hiddenTools: createHiddenToolsQuery(live.engine, parts.clock),
    ...(audit === undefined ? {} : { audit }),
    ...(shadow === undefined ? {} : { shadow }),
    before: [...parts.before],
    ...(approvals === undefined
      ? {}
      : {
          approvals: {
            approvals: approvals.workflow.service,
            grants: approvals.workflow.grants,
            maxWaitSeconds: config.approvals.maxWaitSeconds,
            shutdown: parts.shutdown,
          } satisfies ApprovalApi,
        }),
  });
}
