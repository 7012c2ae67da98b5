#!/usr/bin/env node
// The conformance ratchet: runs the built CLI's `conformance --reuse` command (every case evaluated twice on
// one policy instance, as the service does) and fails when fewer cases pass
// than test/conformance-baseline.json records, so conformance can only move forward.
//
// Usage: node scripts/conformance-ratchet.mjs <cases-dir> [--baseline <file>]   (after `npm run build`)

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const flag = args.indexOf("--baseline");
const baselineFile = flag >= 0 ? args.splice(flag, 2)[1] : join(root, "test", "conformance-baseline.json");
const dir = args[0];
if (dir === undefined || baselineFile === undefined || args.length !== 1) {
  console.error("usage: node scripts/conformance-ratchet.mjs <cases-dir> [--baseline <file>]");
  process.exit(2);
}

let baseline;
try {
  baseline = JSON.parse(readFileSync(baselineFile, "utf8"));
} catch (err) {
  console.error(`conformance ratchet: cannot read ${baselineFile}: ${err.message}`);
  process.exit(1);
}
if (!Number.isInteger(baseline.passed) || baseline.passed < 0) {
  console.error(`conformance ratchet: ${baselineFile} must hold {"passed": <whole number>, "total": <whole number>}`);
  process.exit(1);
}

const cli = join(root, "dist", "src", "cli", "main.js");
const run = spawnSync(process.execPath, [cli, "conformance", "--reuse", dir], {
  encoding: "utf8",
  maxBuffer: 64 * 1024 * 1024,
  stdio: ["ignore", "pipe", "inherit"],
});
if (run.error !== undefined) {
  console.error(`conformance ratchet: cannot run ${cli}: ${run.error.message}`);
  process.exit(1);
}
process.stdout.write(run.stdout);

const lines = run.stdout.trimEnd().split("\n");
const last = lines[lines.length - 1] ?? "";
const m = /^conformance: (\d+) passed, (\d+) failed, (\d+) skipped$/.exec(last);
if (run.status !== 0 || m === null) {
  console.error(`conformance ratchet: the conformance run did not finish (exit ${run.status}); last line: ${JSON.stringify(last)}`);
  process.exit(1);
}

const passed = Number(m[1]);
const total = Number(m[1]) + Number(m[2]) + Number(m[3]);
if (Number.isInteger(baseline.total) && baseline.total !== total) {
  console.error(`conformance ratchet: note: the baseline counts ${baseline.total} cases, this run found ${total}`);
}
if (passed < baseline.passed) {
  console.error(`conformance ratchet: FAILED: ${passed} cases pass, below the baseline of ${baseline.passed}`);
  process.exit(1);
}
if (passed > baseline.passed) {
  console.log(
    `conformance ratchet: ${passed} cases pass, above the baseline of ${baseline.passed}: ` +
      `raise "passed" in test/conformance-baseline.json to ${passed} to lock the gain in`,
  );
} else {
  console.log(`conformance ratchet: ${passed} cases pass, at the baseline`);
}
