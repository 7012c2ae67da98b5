/**
 * Prometheus metrics of the approval workflow, fed by its event bus: how long requests wait for a first
 * verdict and for a decision (histograms by outcome), reminders and escalations sent, and, read at scrape
 * time, how many requests are pending.
 *
 * Each event is emitted by the one instance whose step made the change, so counters and histograms add up
 * across instances; the pending gauge is the shared store's count, the same on every instance.
 */

import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { ApprovalEvent, ApprovalEventListener } from "./approval-events";

/** Buckets from a second to a day: people answer in minutes or hours. */
const WAIT_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400];

/** Registers the workflow's metrics on `registry`; returns the listener to add to the workflow's event bus. */
export function approvalMetrics(registry: Registry, opts: { pendingCount: () => Promise<number> }): ApprovalEventListener {
  const firstVerdict = new Histogram({
    name: "countersign_approval_time_to_first_verdict_seconds",
    help: "From a request's creation to its first verdict, by that verdict (approve, deny).",
    labelNames: ["verdict"] as const,
    buckets: WAIT_BUCKETS,
    registers: [registry],
  });
  const toDecision = new Histogram({
    name: "countersign_approval_time_to_decision_seconds",
    help: "From a request's creation to its final state, by outcome (approved, denied, expired, cancelled).",
    labelNames: ["outcome"] as const,
    buckets: WAIT_BUCKETS,
    registers: [registry],
  });
  const reminders = new Counter({
    name: "countersign_approval_reminders_total",
    help: "Reminders sent to reviewers who had not voted.",
    registers: [registry],
  });
  const escalations = new Counter({
    name: "countersign_approval_escalations_total",
    help: "Escalation rungs reached.",
    registers: [registry],
  });
  new Gauge({
    name: "countersign_approvals_pending",
    help: "Requests waiting for reviewers (the shared store's count).",
    registers: [registry],
    async collect() {
      try {
        this.set(await opts.pendingCount());
      } catch {
        // Redis unreachable: the gauge keeps its last value; /readyz reports the outage.
      }
    },
  });
  return {
    onApprovalEvent(event: ApprovalEvent): void {
      switch (event.type) {
        case "approval.verdict":
          if (event.approval.verdicts.length === 1 && event.recovered !== true) {
            firstVerdict.observe({ verdict: event.verdict.verdict }, Math.max(0, event.verdict.at - event.approval.createdAt) / 1000);
          }
          return;
        case "approval.finalized":
          if (event.recovered !== true)
            toDecision.observe(
              { outcome: event.status },
              Math.max(0, (event.approval.decidedAt ?? event.at) - event.approval.createdAt) / 1000,
            );
          return;
        case "approval.reminded":
          reminders.inc();
          return;
        case "approval.escalated":
          escalations.inc();
          return;
        default:
          return;
      }
    },
  };
}
