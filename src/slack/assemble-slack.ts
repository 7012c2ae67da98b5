/**
 * The Slack app as the service runs it (the `slack:` section): verdicts through the approval service
 * (channel `slack`), reviewers from the configured identities (`identities[].slack`), messages and seen
 * signatures in Redis on the service's connection, request timestamps checked against the service's clock;
 * its notifier is fed by the notification outbox's dispatcher, off the request path.
 */

import type { AssembledApprovals } from "../approvals/assemble-approvals";
import type { NotificationSink } from "../approvals/notification-dispatcher";
import type { ConfigEnv } from "../config/config-loader";
import type { ServiceConfig } from "../config/service-config";
import type { IdentityDirectory } from "../identity/identity-directory";
import type { Logger } from "../observability/logger";
import type { Clock } from "../policy/clock";
import { ServiceStartError } from "../service/service-start-error";
import { cardMasker } from "../teams/assemble-teams";
import { SlackApprovalCorePort, slackNotificationSink, slackReviewerDirectory } from "./approval-core-adapter";
import { SlackKeys, SlackMessageStore } from "./message-store";
import { validateSlackConfig, type SlackConfig } from "./slack-config";
import { SlackError } from "./slack-errors";
import { createSlackApp, type SlackApp } from "./slack-router";

/** What the app runs on besides its configuration and the approval workflow. */
export interface SlackDeps {
  readonly identities: IdentityDirectory;
  readonly logger: Logger;
  readonly clock: Clock;
}

/** The app, and the sink the notification dispatcher delivers its messages through. */
export interface AssembledSlack {
  readonly app: SlackApp;
  readonly sink: NotificationSink;
}

/** The `slack:` section validated with the Slack environment variables; undefined when absent. */
export function slackConfigOf(config: ServiceConfig, env: ConfigEnv): SlackConfig | undefined {
  if (config.slack === undefined) return undefined;
  try {
    return validateSlackConfig(config.slack, env, { production: config.mode === "production" });
  } catch (err) {
    if (err instanceof SlackError) throw new ServiceStartError("COUNTERSIGN_SLACK_CONFIG_INVALID", `invalid configuration: ${err.message}`);
    throw err;
  }
}

/** Builds the app on the approval workflow. */
export function assembleSlack(config: SlackConfig, approvals: AssembledApprovals, deps: SlackDeps): AssembledSlack {
  const now = (): number => Number(deps.clock.nowNs() / 1_000_000n);
  const app = createSlackApp({
    config,
    approvals: new SlackApprovalCorePort(approvals.workflow.service, now),
    reviewers: slackReviewerDirectory(deps.identities),
    masker: cardMasker,
    store: new SlackMessageStore(approvals.workflow.redis, new SlackKeys(`${approvals.keyPrefix}slack:`)),
    logger: deps.logger,
    clock: { now },
  });
  return { app, sink: slackNotificationSink(() => app.notifier, now) };
}
