/**
 * Prometheus metrics of the decision service, on a registry of its own (never prom-client's global one,
 * so several services can live in one process, as tests do).
 *
 * Decisions are counted as they happen (an observer); the bundle and reload figures are read from the
 * policy engine's status when scraped.
 */

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { DecisionEvent, DecisionObserver } from "./decision-response";
import type { PolicyStatus } from "./decision-policy";

/** The registry to expose and the observer that feeds it. */
export interface ServiceMetrics {
  readonly registry: Registry;
  readonly observer: DecisionObserver;
}

/** Options for the metrics. */
export interface ServiceMetricsOptions {
  /** Reads the engine's status at scrape time. */
  readonly policyStatus: () => PolicyStatus;
  /** Also export Node's process metrics (CPU, memory, event loop lag); default true. */
  readonly processMetrics?: boolean;
}

/** Creates the service's metrics. */
export function createServiceMetrics(opts: ServiceMetricsOptions): ServiceMetrics {
  const registry = new Registry();
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: "countersign_" });

  const decisions = new Counter({
    name: "countersign_decisions_total",
    help: "Decisions answered, by outcome.",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  for (const outcome of ["allow", "deny", "require_approval"]) decisions.inc({ outcome }, 0);

  const failures = new Counter({
    name: "countersign_decision_failures_total",
    help: "Decisions forced to deny because the policy failed (error, missing, ill-formed, timeout), by failure code.",
    labelNames: ["code"] as const,
    registers: [registry],
  });

  const breakGlass = new Counter({
    name: "countersign_break_glass_total",
    help: "Actions allowed by break-glass (without approval, with a justification; each opens a post-hoc review).",
    registers: [registry],
  });

  const evalSeconds = new Histogram({
    name: "countersign_policy_eval_seconds",
    help: "Time to evaluate the decision policy.",
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });

  new Gauge({
    name: "countersign_bundle_info",
    help: "The decision bundles serving now (value 1), labelled with bundle name and manifest revision.",
    labelNames: ["bundle", "revision"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const ref of opts.policyStatus().active) this.set({ bundle: ref.bundle, revision: ref.revision }, 1);
    },
  });

  new Gauge({
    name: "countersign_policy_ready",
    help: "1 when a decision bundle is loaded and serving, else 0.",
    registers: [registry],
    collect() {
      this.set(opts.policyStatus().ready ? 1 : 0);
    },
  });

  let reportedFailures = 0;
  new Counter({
    name: "countersign_bundle_reload_failures_total",
    help: "Bundle loads or reloads refused (corrupt, incompatible); the last good bundle kept serving.",
    registers: [registry],
    collect() {
      const total = opts.policyStatus().reloadFailures;
      if (total > reportedFailures) {
        this.inc(total - reportedFailures);
        reportedFailures = total;
      }
    },
  });

  const reportedByCode = new Map<string, number>();
  new Counter({
    name: "countersign_bundle_refusals_total",
    help: "Bundles refused, by code (COUNTERSIGN_BUNDLE_BAD_SIGNATURE, COUNTERSIGN_BUNDLE_UNSIGNED, …); the last good bundle kept serving.",
    labelNames: ["code"] as const,
    registers: [registry],
    collect() {
      for (const [code, total] of Object.entries(opts.policyStatus().refusalsByCode ?? {})) {
        const before = reportedByCode.get(code) ?? 0;
        if (total > before) {
          this.inc({ code }, total - before);
          reportedByCode.set(code, total);
        }
      }
    },
  });

  return {
    registry,
    observer: {
      decided(event: DecisionEvent): void {
        decisions.inc({ outcome: event.decision.outcome });
        if (event.decision.break_glass !== undefined) breakGlass.inc();
        if (event.evaluated.failure !== undefined) failures.inc({ code: event.evaluated.failure.code });
        else evalSeconds.observe(event.evaluated.evalNs / 1e9);
      },
    },
  };
}
