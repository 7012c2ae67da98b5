/**
 * The runtime's speed on the work every evaluation does: parse ~1 KB of input JSON, look things up, dump a
 * small result. The numbers are logged; the assertions only catch gross regressions (generous bounds, so
 * that a slow machine does not fail the suite).
 */

import { readFileSync } from "node:fs";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { RUNTIME_PATH, Runtime } from "./harness";
import { trivialPolicy } from "./trivial-policy";

/** A realistic approval request of about 1 KB. */
const INPUT = {
  request: {
    id: "req-8f14e45f",
    kind: "deployment",
    environment: "production",
    service: "payments-api",
    version: "2.14.3",
    requested_at: "2026-11-21T10:04:12Z",
    change_window: { start: "09:00", end: "17:00" },
    diff: {
      files_changed: 14,
      lines_added: 321,
      lines_removed: 87,
      paths: ["src/api/charge.ts", "src/db/migrations/0042.sql", "config/prod.yaml"],
    },
  },
  requester: {
    id: "u-1029",
    name: "Ada Lovelace",
    email: "ada@example.com",
    teams: ["payments", "platform"],
    roles: ["developer", "oncall"],
    tenure_days: 812,
  },
  approvals: [
    { by: "u-2211", role: "lead", at: "2026-11-21T10:10:00Z" },
    { by: "u-3320", role: "security", at: "2026-11-21T10:12:31Z" },
  ],
  checks: { ci: "passed", coverage: 0.873, vulnerabilities: { critical: 0, high: 1, medium: 4 }, canary_error_rate: 0.0012 },
  labels: { risk: "medium", ticket: "PAY-4411", customer_facing: true, rollback_plan: "helm rollback payments-api 1" },
};

function timePerOp(iterations: number, run: () => void): number {
  for (let i = 0; i < Math.min(iterations, 2000); i++) run();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) run();
  return Number(process.hrtime.bigint() - start) / iterations / 1000;
}

describe("performance", () => {
  const text = JSON.stringify(INPUT);

  it("parses and dumps a 1 KB document in a few microseconds", () => {
    const rt = new Runtime();
    const x = rt.exports;
    const [ptr, len] = rt.put(text);
    const base = x.opa_heap_ptr_get();
    const parse = timePerOp(20000, () => {
      x.opa_heap_ptr_set(base);
      x.opa_json_parse(ptr, len);
    });
    const value = x.opa_json_parse(ptr, len);
    const dumpBase = x.opa_heap_ptr_get();
    const dump = timePerOp(20000, () => {
      x.opa_heap_ptr_set(dumpBase);
      x.opa_json_dump(value);
    });
    console.log(`JSON of ${len} bytes: parse ${parse.toFixed(2)} µs, dump ${dump.toFixed(2)} µs`);
    expect(rt.js(value)).toEqual(INPUT);
    expect(parse + dump).toBeLessThan(100);
  });

  it("looks values up without allocating", () => {
    const rt = new Runtime();
    const x = rt.exports;
    const input = rt.json(text);
    const path = ["requester", "roles"].map((k) => rt.str(k));
    const critical = ["checks", "vulnerabilities", "critical"].map((k) => rt.str(k));
    const developer = rt.str("developer");
    const before = x.opa_heap_ptr_get();
    const lookups = timePerOp(100000, () => {
      let roles = input;
      for (const k of path) roles = x.cs_get(roles, k);
      x.cs_bi_internal__member_2(developer, roles);
      let v = input;
      for (const k of critical) v = x.cs_get(v, k);
      x.cs_bi_gt(v, x.cs_number_f64(0));
    });
    console.log(`7 lookups and 2 comparisons: ${lookups.toFixed(3)} µs`);
    expect(x.opa_heap_ptr_get()).toBe(before);
  });

  it("stays within 3x of the SDK's floor for a whole evaluation of a 1 KB input", async () => {
    const floorPolicy = await loadPolicy(trivialPolicy());
    const runtimePolicy = await loadPolicy(readFileSync(RUNTIME_PATH));
    const floor = timePerOp(20000, () => floorPolicy.evaluate(INPUT));
    const ours = timePerOp(20000, () => runtimePolicy.evaluate(INPUT));
    console.log(
      `SDK evaluate with 1 KB input: floor ${floor.toFixed(2)} µs, runtime ${ours.toFixed(2)} µs ` + `(${(ours / floor).toFixed(2)}x)`,
    );
    expect(floorPolicy.evaluate(INPUT)).toEqual([]);
    expect(ours / floor).toBeLessThan(3);
  });
});
