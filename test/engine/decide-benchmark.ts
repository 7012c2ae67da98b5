/**
 * A micro-benchmark of decide() on the example policy: the engine's cost per call next to the bare SDK
 * evaluation it wraps, on the allow and the require_approval paths, and the validation step alone.
 *
 * Run with node on the build (`npm run build && node dist/test/engine/decide-benchmark.js`); jest runs it
 * the same way in decide-benchmark.test.ts, because inside jest's sandbox everything runs several times
 * slower than in the service.
 */

import { promises as fs } from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { buildBundle } from "../../src/bundle/bundle-build";
import { validateDecision } from "../../src/engine/decision-validator";
import { loadDecisionBundle } from "../../src/engine/loaded-bundle";
import { PolicyEngine } from "../../src/engine/policy-engine";
import { loadCompiledPolicy } from "../../src/policy/compiled-policy";

const input = (action: string, type: string) => ({
  actor: { id: "agent:deploy-bot", type, on_behalf_of: "user:alice" },
  action: { name: action, params: { table: "customers", rows: 10000 } },
  resource: { type: "database", id: "prod/customers", environment: "production" },
  context: { reason: "quarterly report", ticket: "OPS-1234" },
  caller: { id: "svc:ci", kind: "service", roles: [] },
  now: "2026-01-01T12:00:00.000Z",
});

/** Microseconds per call of each function: rounds alternate between them, the best round counts (load only slows rounds down). */
function microsPerCall(fns: readonly (() => unknown)[], calls = 5000, rounds = 15): number[] {
  for (const fn of fns) for (let i = 0; i < 5000; i++) fn();
  const best = fns.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    fns.forEach((fn, k) => {
      const start = performance.now();
      for (let i = 0; i < calls; i++) fn();
      best[k] = Math.min(best[k]!, ((performance.now() - start) * 1000) / calls);
    });
  }
  return best;
}

/** Measures and returns the report lines. */
export async function benchmarkDecide(root: string): Promise<string[]> {
  const names = (await fs.readdir(path.join(root, "rego"))).filter((n) => n.endsWith(".rego") && !n.endsWith("_test.rego"));
  const modules = await Promise.all(
    names.map(async (n) => ({ file: n, bundlePath: `/${n}`, text: await fs.readFile(path.join(root, "rego", n), "utf8") })),
  );
  const built = await buildBundle({
    sources: { modules, data: {}, dataFiles: [] },
    entrypoints: ["countersign/decision"],
  });
  if (!built.ok) throw new Error("rego/ does not compile");
  const engine = new PolicyEngine({ active: () => policy });
  const policy = await loadDecisionBundle(built.bundle, "countersign", "bench");
  const sdk = await loadCompiledPolicy(built.bundle.wasmModules[0]!.wasm, built.bundle.data);

  const lines = [`decide() on rego/decision.rego, Node ${process.version}, best of 15 rounds of 5000 calls:`];
  for (const [label, req] of [
    ["allow (db.read)", input("db.read", "human")],
    ["require_approval (db.export)", input("db.export", "ai_agent")],
  ] as const) {
    const d = engine.decide(req);
    if (d.failure !== undefined) throw new Error(`the benchmark request failed: ${d.failure.message}`);
    const result = sdk.evaluate("countersign/decision", req)[0]!["result"];
    const [decide, bare, validate] = microsPerCall([
      () => engine.decide(req),
      () => sdk.evaluate("countersign/decision", req),
      () => validateDecision(result),
    ]);
    lines.push(
      `  ${label.padEnd(30)} decide() ${decide!.toFixed(1).padStart(5)} µs   bare SDK evaluate ${bare!.toFixed(1).padStart(5)} µs   ` +
        `validation alone ${validate!.toFixed(2)} µs`,
    );
  }
  return lines;
}

if (require.main === module) {
  void benchmarkDecide(path.join(__dirname, "..", "..", "..")).then(
    (lines) => process.stdout.write(lines.join("\n") + "\n"),
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
