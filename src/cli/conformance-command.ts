/**
 * `countersign conformance`: run a directory of YAML cases and report. Always exits 0 once the run
 * completes; CI's verdict comes from comparing the tally with the baseline (scripts/conformance-ratchet.mjs).
 */

import { promises as fs } from "node:fs";
import { runSuite } from "../conformance/conformance-suite";
import { formatFailure, formatSkip, formatSummary, reportJson } from "../conformance/suite-report";
import { CliError } from "./cli-error";
import type { CliIo } from "./cli-io";

/** Options of `countersign conformance`. */
export interface ConformanceCommandOptions {
  readonly json?: string;
  readonly filter?: string;
  readonly timeout?: number;
  readonly jobs?: number;
  readonly verbose?: boolean;
  readonly reuse?: boolean;
}

/** Runs the cases under dir, printing failures as they come and the tally last. */
export async function runConformanceCommand(dir: string, opts: ConformanceCommandOptions, io: CliIo): Promise<void> {
  const stat = await fs.stat(dir).catch(() => null);
  if (stat === null || !stat.isDirectory()) {
    throw new CliError("COUNTERSIGN_CLI_USAGE", `${dir} is not a directory of YAML cases`);
  }
  const report = await runSuite(dir, {
    ...(opts.filter === undefined ? {} : { filter: opts.filter }),
    ...(opts.timeout === undefined ? {} : { timeoutMs: opts.timeout }),
    ...(opts.jobs === undefined ? {} : { concurrency: opts.jobs }),
    reuse: opts.reuse === true,
    onResult: (r) => {
      if (r.status === "fail") io.out(formatFailure(r));
      else if (r.status === "skip" && opts.verbose === true) io.out(formatSkip(r));
    },
  });
  if (opts.json !== undefined) {
    try {
      await fs.writeFile(opts.json, reportJson(report));
    } catch (err) {
      throw new CliError("COUNTERSIGN_CLI_USAGE", `cannot write ${opts.json}: ${(err as Error).message}`);
    }
  }
  io.out(formatSummary(report));
}
