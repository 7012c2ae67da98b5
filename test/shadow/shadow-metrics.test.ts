/**
 * Shadow mode's Prometheus counters: comparisons and agreements (counted in plain numbers between scrapes)
 * read exactly what was compared, scrape after scrape, beside the disagreements and candidate failures.
 */

import { Registry } from "prom-client";
import type { Outcome } from "../../src/engine/decision-contract";
import { registerShadowMetrics } from "../../src/shadow/shadow-metrics";
import type { ShadowComparison } from "../../src/shadow/shadow-comparison";

const POLICY = { bundle: "countersign", revision: "r" };

function comparison(live: Outcome, candidate: Outcome, failed = false): ShadowComparison {
  return {
    decisionId: "d",
    live: { policy: POLICY, outcome: live, reasons: [] },
    candidate: {
      policy: POLICY,
      outcome: candidate,
      reasons: [],
      ...(failed ? { failure: { code: "COUNTERSIGN_POLICY_ILL_FORMED", message: "x" } } : {}),
    },
  };
}

async function values(registry: Registry): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of await registry.getMetricsAsJSON()) {
    for (const v of m.values) {
      const labels = Object.entries(v.labels)
        .map(([k, x]) => `${k}=${String(x)}`)
        .join(",");
      out[labels === "" ? m.name : `${m.name}{${labels}}`] = v.value;
    }
  }
  return out;
}

describe("shadow counters", () => {
  it("count every comparison exactly across scrapes", async () => {
    const registry = new Registry();
    const listener = registerShadowMetrics(registry, () => 3);
    const first = await values(registry);
    expect(first["countersign_shadow_comparisons_total{live=allow,candidate=allow}"]).toBe(0);
    expect(first["countersign_shadow_agreements_total"]).toBe(0);
    expect(first["countersign_shadow_queue_length"]).toBe(3);

    for (let i = 0; i < 5; i++) listener.compared!(comparison("allow", "allow"));
    listener.compared!(comparison("allow", "require_approval"));
    listener.compared!(comparison("allow", "deny", true));
    const second = await values(registry);
    expect(second["countersign_shadow_comparisons_total{live=allow,candidate=allow}"]).toBe(5);
    expect(second["countersign_shadow_comparisons_total{live=allow,candidate=require_approval}"]).toBe(1);
    expect(second["countersign_shadow_comparisons_total{live=allow,candidate=deny}"]).toBe(1);
    expect(second["countersign_shadow_agreements_total"]).toBe(5);
    expect(second["countersign_shadow_disagreements_total{transition=allow→require_approval}"]).toBe(1);
    expect(second["countersign_shadow_candidate_failures_total{code=COUNTERSIGN_POLICY_ILL_FORMED}"]).toBe(1);

    listener.compared!(comparison("deny", "deny"));
    listener.compared!(comparison("allow", "allow"));
    const third = await values(registry);
    expect(third["countersign_shadow_comparisons_total{live=allow,candidate=allow}"]).toBe(6);
    expect(third["countersign_shadow_comparisons_total{live=deny,candidate=deny}"]).toBe(1);
    expect(third["countersign_shadow_agreements_total"]).toBe(7);
    expect(await registry.metrics()).toContain("countersign_shadow_agreements_total 7");
  });
});
