/**
 * The command line's start-up cost: wall time of `countersign --help`, `build` of the example policy, `test`
 * and `eval`, each against `node -e 0` measured in the same run (issue: each under 1 s on this machine).
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fmt } from "./measure";

const ROUNDS = 7;

/** Median wall milliseconds of running `node args…` to completion; throws when it exits non-zero. */
function medianRunMs(args: readonly string[], cwd: string): number {
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    const run = spawnSync(process.execPath, args, { cwd, encoding: "utf8" });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (run.status !== 0) throw new Error(`node ${args.join(" ")} exited ${run.status}: ${run.stderr}`);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/** Prints the start-up table. */
export async function benchCliStart(root: string): Promise<void> {
  const cli = path.join(root, "dist", "src", "cli", "main.js");
  const out = mkdtempSync(path.join(tmpdir(), "countersign-cli-bench-"));
  try {
    const baseline = medianRunMs(["-e", "0"], root);
    const input = path.join(out, "input.json");
    writeFileSync(
      input,
      JSON.stringify({
        actor: { id: "user:jane.doe", type: "human" },
        action: { name: "db.read" },
        resource: { type: "table", id: "crm/customers" },
      }),
    );
    const commands: ReadonlyArray<readonly [string, readonly string[]]> = [
      ["countersign --help", [cli, "--help"]],
      ["countersign build rego (example)", [cli, "build", "rego", "-e", "countersign/decision", "-o", path.join(out, "b.tar.gz")]],
      ["countersign test rego", [cli, "test", "rego"]],
      ["countersign eval (example, one input)", [cli, "eval", "rego", "-e", "countersign/decision", "-i", input]],
    ];
    console.log(`CLI start-up (wall time, median of ${ROUNDS}; target < 1 s each):`);
    console.log(`  node -e 0                              ${fmt(baseline, 0).padStart(6)} ms`);
    for (const [name, args] of commands) {
      const ms = medianRunMs(args, root);
      console.log(
        `  ${name.padEnd(38)} ${fmt(ms, 0).padStart(6)} ms   ${fmt(ms / baseline)}x node -e 0${ms < 1000 ? "" : "   (over 1 s)"}`,
      );
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
