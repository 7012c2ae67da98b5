/**
 * Prints the decide() micro-benchmark (decide-benchmark.ts), run with node on the build as the service
 * runs; figures are printed, never asserted, since they depend on the machine. Build first.
 */

import * as path from "node:path";
import { ROOT, runNode } from "../cli/cli-helpers";

it("prints decide() µs per call on the example policy", async () => {
  const run = await runNode(path.join(ROOT, "dist", "test", "engine", "decide-benchmark.js"), []);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  process.stdout.write(`\n${run.stdout}\n`);
}, 120_000);
