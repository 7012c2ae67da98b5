/**
 * A micro-benchmark of decide() on the example policy, printed rather than asserted (timings vary by
 * machine): the engine's cost per call next to the bare SDK evaluation it wraps, on the allow and the
 * require_approval paths. Run alone for stable figures: `npx jest test/engine/decide-benchmark`.
 */

import { promises as fs } from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { loadCompiledPolicy } from "../../src/policy/compiled-policy";
import { PolicyEngine } from "../../src/engine/policy-engine";
import { bundleFrom, fixedProvider, ROOT } from "./engine-fixtures";
import { loadDecisionBundle } from "../../src/engine/loaded-bundle";

const input = (action: string, type: string) => ({
  actor: { id: "agent:deploy-bot", type, on_behalf_of: "user:alice" },
  action: { name: action, params: { table: "customers", rows: 10000 } },
  resource: { type: "database", id: "prod/customers", environment: "production" },
  context: { reason: "quarterly report", ticket: "OPS-1234" },
  caller: { id: "svc:ci", kind: "service", roles: [] },
  now: "2026-01-01T12:00:00.000Z",
});

/** Microseconds per call of fn, after a warm-up, best of several rounds. */
function microsPerCall(fn: () => unknown, calls = 5000, rounds = 5): number {
  for (let i = 0; i < 1000; i++) fn();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < calls; i++) fn();
    best = Math.min(best, ((performance.now() - start) * 1000) / calls);
  }
  return best;
}

it("prints decide() µs per call on the example policy", async () => {
  const text = await fs.readFile(path.join(ROOT, "rego", "decision.rego"), "utf8");
  const bundle = await bundleFrom({ "decision.rego": text });
  const engine = new PolicyEngine(fixedProvider(await loadDecisionBundle(bundle, "countersign", "bench")));
  const sdk = await loadCompiledPolicy(bundle.wasmModules[0]!.wasm, bundle.data);

  const rows: string[] = [];
  for (const [label, req] of [
    ["allow (db.read)", input("db.read", "human")],
    ["require_approval (db.export)", input("db.export", "ai_agent")],
  ] as const) {
    expect(engine.decide(req).failure).toBeUndefined();
    const bare = microsPerCall(() => sdk.evaluate("countersign/decision", req));
    const decide = microsPerCall(() => engine.decide(req));
    rows.push(`${label.padEnd(30)} decide() ${decide.toFixed(1).padStart(6)} µs/call   bare SDK evaluate ${bare.toFixed(1).padStart(6)} µs/call   engine overhead ${(decide - bare).toFixed(1)} µs`);
  }
  process.stdout.write(`\ndecide() micro-benchmark (Node ${process.version}):\n${rows.join("\n")}\n\n`);
});
