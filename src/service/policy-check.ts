/**
 * The readiness check of the policy engine: ready when a decision bundle is loaded and serving.
 */

import type { DecisionPolicy } from "./decision-policy";
import type { ReadinessCheck } from "../observability/readiness";

/** A check named `policy` over the engine's status. */
export function policyCheck(policy: Pick<DecisionPolicy, "status">): ReadinessCheck {
  return {
    name: "policy",
    check: async () => {
      const s = policy.status();
      if (!s.ready) return { ok: false, detail: s.problem ?? "no decision bundle is loaded" };
      const serving = s.active.map((r) => `${r.bundle}@${r.revision}`).join(", ");
      return { ok: true, detail: `serving ${serving}` + (s.problem === undefined ? "" : `; ${s.problem}`) };
    },
  };
}
