/**
 * The audit sinks' lag as a Prometheus gauge, read at scrape time: how many trail entries each sink has yet
 * to deliver (`countersign_audit_sink_lag_entries{sink}`). A lag that keeps growing means a collector is
 * down or too slow; entries wait in Redis (the archiver keeps them) until it catches up.
 */

import { Gauge, type Registry } from "prom-client";

/** What the gauge reads of each sink. */
export interface LaggingSink {
  readonly name: string;
  lag(): Promise<number>;
}

/** Registers the gauge on `registry`. */
export function registerAuditSinkMetrics(registry: Registry, sinks: readonly LaggingSink[]): void {
  if (sinks.length === 0) return;
  new Gauge({
    name: "countersign_audit_sink_lag_entries",
    help: "Audit trail entries appended and not yet delivered to each sink.",
    labelNames: ["sink"] as const,
    registers: [registry],
    async collect() {
      for (const sink of sinks) {
        try {
          this.set({ sink: sink.name }, await sink.lag());
        } catch {
          // Redis unreachable: keep the last value; /readyz reports the outage.
        }
      }
    },
  });
}
