/**
 * Benchmark: per-evaluation cost of Countersign's compiled decision policy against the SDK's floor, and
 * compile time of `rego/`.
 *
 * The floor is a trivial module (`allow := true`) compiled by the same compiler and evaluated through the
 * same SDK with the same 1 KB input, so the ratio shows what the policy logic itself costs on top of the
 * SDK's own work (copying and parsing the input, dumping the result).
 */

import * as path from "node:path";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { compile } from "../../src/compiler/compile";
import { readRegoSources } from "./rego-sources";
import { fmt, msPerRun, nsPerCall } from "./measure";

/** A realistic decide input of about 1 KB. */
export function sampleInput(): Record<string, unknown> {
  return {
    actor: { id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: "user:alice" },
    action: {
      name: "deploy.release",
      params: {
        service: "payments-api",
        version: "2026.11.21-3",
        strategy: "canary",
        canary_percent: 10,
        regions: ["eu-west-1", "us-east-1"],
      },
    },
    resource: { type: "service", id: "prod/payments-api", environment: "production", labels: { team: "payments", tier: "1", pci: "true" } },
    context: {
      reason: "ship the refund fix before the weekend",
      ticket: "OPS-1234",
      pipeline: { provider: "github-actions", run_id: "8812734912", commit: "9f2c1d7e4b5a3c2d1e0f9a8b7c6d5e4f3a2b1c0d", branch: "main" },
      history: Array.from({ length: 6 }, (_, i) => ({ at: `2026-11-2${i}T10:00:00Z`, action: "deploy.release", outcome: "allow" })),
    },
    caller: { principal: "svc:ci" },
    now: "2026-11-21T12:00:00Z",
  };
}

/** Runs the benchmark and prints its figures. */
export async function benchPolicyEval(root: string): Promise<void> {
  const sources = readRegoSources(path.join(root, "rego"));
  const compileMs = msPerRun(() => {
    const r = compile({ modules: sources, entrypoints: ["countersign/decision"] });
    if (!r.ok) throw new Error("rego/ does not compile");
  });
  const policy = compile({ modules: sources, entrypoints: ["countersign/decision"] });
  const trivial = compile({
    modules: [{ file: "trivial.rego", text: "package trivial\nallow := true\n" }],
    entrypoints: ["trivial/allow"],
  });
  if (!policy.ok || !trivial.ok) throw new Error("benchmark policies do not compile");

  const input = sampleInput();
  const inputBytes = Buffer.byteLength(JSON.stringify(input));
  const floorPolicy = await loadPolicy(trivial.wasm);
  const realPolicy = await loadPolicy(policy.wasm);
  const check = realPolicy.evaluate(input, "countersign/decision");
  if (check[0]?.result?.outcome !== "require_approval") throw new Error(`unexpected decision ${JSON.stringify(check)}`);

  const floorNs = nsPerCall(() => floorPolicy.evaluate(input, "trivial/allow"), 5000);
  const policyNs = nsPerCall(() => realPolicy.evaluate(input, "countersign/decision"), 5000);

  console.log(`policy evaluation (input ${inputBytes} bytes, ${sources.length} module(s)):`);
  console.log(`  SDK floor (trivial module):   ${fmt(floorNs / 1000)} µs/eval`);
  console.log(`  decision policy:              ${fmt(policyNs / 1000)} µs/eval`);
  console.log(`  ratio policy / floor:         ${fmt(policyNs / floorNs)}x   (target <= 3x)`);
  console.log(`compile rego/ (${sources.length} module(s), ${policy.wasm.length} bytes of wasm): ${fmt(compileMs)} ms`);
}
