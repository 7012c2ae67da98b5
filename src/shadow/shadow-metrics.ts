/**
 * Prometheus counters of shadow mode, on the service's registry: comparisons by live and candidate outcome
 * (agreements are the series where the two labels are equal), candidate failures by code, and decisions not
 * compared (dropped when the queue was full, skipped by reason). They count from the start of the process,
 * across revisions; `GET /v1/shadow` has the figures of the current pair of revisions.
 */

import { Counter, Gauge, type Registry } from "prom-client";
import type { Outcome } from "../engine/decision-contract";
import { OUTCOMES } from "./shadow-comparison";
import type { ShadowListener } from "./shadow-runner";

/** Registers the counters; returns the listener that feeds them. `queueLength` is read when scraped. */
export function registerShadowMetrics(registry: Registry, queueLength: () => number): ShadowListener {
  // Every decision is compared, so comparisons and agreements are counted in plain numbers here and handed to
  // the counters when they are scraped (prom-client hashes the labels on every `inc`); the rest are rare.
  const pending = Object.fromEntries(
    OUTCOMES.map((live) => [live, Object.fromEntries(OUTCOMES.map((candidate) => [candidate, { count: 0 }]))]),
  ) as Record<Outcome, Record<Outcome, { count: number }>>;
  let pendingAgreements = 0;
  new Counter({
    name: "countersign_shadow_comparisons_total",
    help: "Decisions evaluated on the shadow candidate too, by the live and the candidate outcome (equal labels: agreement).",
    labelNames: ["live", "candidate"] as const,
    registers: [registry],
    collect() {
      for (const live of OUTCOMES) {
        for (const candidate of OUTCOMES) {
          this.inc({ live, candidate }, pending[live][candidate].count);
          pending[live][candidate].count = 0;
        }
      }
    },
  });
  new Counter({
    name: "countersign_shadow_agreements_total",
    help: "Shadow comparisons where the candidate gave the live outcome.",
    registers: [registry],
    collect() {
      this.inc(pendingAgreements);
      pendingAgreements = 0;
    },
  });
  const disagreements = new Counter({
    name: "countersign_shadow_disagreements_total",
    help: "Shadow comparisons where the candidate's outcome differs from the live one, by kind (live→candidate, e.g. allow→require_approval).",
    labelNames: ["transition"] as const,
    registers: [registry],
  });
  const failures = new Counter({
    name: "countersign_shadow_candidate_failures_total",
    help: "Shadow comparisons whose candidate answer was a fail-closed deny, by failure code.",
    labelNames: ["code"] as const,
    registers: [registry],
  });
  const dropped = new Counter({
    name: "countersign_shadow_dropped_total",
    help: "Decisions not compared because the shadow queue was full.",
    registers: [registry],
  });
  const skipped = new Counter({
    name: "countersign_shadow_skipped_total",
    help: "Decisions not compared: candidate_missing (no good load of the candidate), not_recorded (the decision was not recorded), error.",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "countersign_shadow_queue_length",
    help: "Decisions waiting to be compared on the shadow candidate.",
    registers: [registry],
    collect() {
      this.set(queueLength());
    },
  });
  return {
    compared(c) {
      pending[c.live.outcome][c.candidate.outcome].count += 1;
      if (c.live.outcome === c.candidate.outcome) pendingAgreements += 1;
      else disagreements.inc({ transition: `${c.live.outcome}→${c.candidate.outcome}` });
      if (c.candidate.failure !== undefined) failures.inc({ code: c.candidate.failure.code });
    },
    dropped() {
      dropped.inc();
    },
    skipped(reason) {
      skipped.inc({ reason });
    },
  };
}
