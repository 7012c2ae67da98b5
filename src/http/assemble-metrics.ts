/**
 * The Prometheus metrics `GET /metrics` serves: decisions and the policy's status, the audit sinks' lag,
 * and, with the approval workflow, approval outcomes and the pending count (counted from its events).
 */

import type { ApprovalEventListener } from "../approvals/approval-events";
import type { DecisionPolicy } from "../service/decision-policy";
import { approvalMetrics } from "../approvals/approval-metrics";
import { registerAuditSinkMetrics, type LaggingSink } from "../observability/audit-sink-metrics";
import { createServiceMetrics, type ServiceMetrics } from "../service/service-metrics";

/** What approval metrics are read from: the workflow's event bus and its store's pending count. */
export interface MeteredApprovals {
  readonly events: { add(listener: ApprovalEventListener): void };
  readonly store: { pendingCount(): Promise<number> };
}

/** Creates the registry and registers every metric of the capabilities that run. */
export function assembleMetrics(
  policy: Pick<DecisionPolicy, "status">,
  auditSinks: readonly LaggingSink[],
  approvals: MeteredApprovals | undefined,
): ServiceMetrics {
  const metrics = createServiceMetrics({ policyStatus: () => policy.status() });
  registerAuditSinkMetrics(metrics.registry, auditSinks);
  if (approvals !== undefined)
    approvals.events.add(approvalMetrics(metrics.registry, { pendingCount: () => approvals.store.pendingCount() }));
  return metrics;
}
