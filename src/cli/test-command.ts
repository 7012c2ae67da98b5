/**
 * `countersign test <paths…>`: run the Rego unit tests (`test_` rules) in policy and `*_test.rego` files,
 * as `opa test` does, printing PASS/FAIL/ERROR per test and a summary line.
 */

import { formatDiagnosticWithSource } from "../compiler/diagnostics";
import { RegoTestError } from "../rego-test/rego-test-error";
import { formatDuration, formatResult, formatSummary, countResults } from "../rego-test/test-report";
import { runRegoTests } from "../rego-test/test-runner";
import { loadTestSources } from "../rego-test/test-sources";
import { readBuiltinsModule, readCapabilitiesFile } from "./capabilities-file";
import { CliError } from "./cli-error";
import type { CliIo } from "./cli-io";

/** Options of `countersign test`. */
export interface TestCommandOptions {
  /** Also print where each passing test is, and what was compiled. */
  readonly verbose?: boolean;
  /** Only run tests whose name (`data.pkg.test_x`) matches this regular expression. */
  readonly run?: string;
  /** Read policy and test modules as Rego v0, as `opa test --v0-compatible` does. */
  readonly v0Compatible?: boolean;
  /** A capabilities file (OPA's JSON format) restricting and extending the built-ins. */
  readonly capabilities?: string;
  /** A JavaScript module implementing custom built-ins. */
  readonly builtins?: string;
  /** Print the coverage report (OPA's JSON shape) on stdout; the test lines go to stderr. */
  readonly coverage?: boolean;
  /** With coverage: fail when the total coverage (percent) is below this. */
  readonly threshold?: number;
}

/**
 * Runs the tests and prints the report to `io.out` (diagnostics to `io.err`). Resolves when every test
 * passed; throws RegoTestError (COUNTERSIGN_TEST_FAILED, COUNTERSIGN_TEST_NONE_FOUND) when not, CliError
 * when the sources do not compile or `--run` is not a valid regular expression.
 */
export async function runTestCommand(paths: readonly string[], opts: TestCommandOptions, io: CliIo): Promise<void> {
  let filter: RegExp | undefined;
  if (opts.run !== undefined) {
    try {
      filter = new RegExp(opts.run);
    } catch (err) {
      throw new CliError("COUNTERSIGN_CLI_USAGE", `--run ${opts.run} is not a valid regular expression: ${(err as Error).message}`);
    }
  }
  const capabilities = opts.capabilities === undefined ? undefined : await readCapabilitiesFile(opts.capabilities);
  const builtins = opts.builtins === undefined ? undefined : readBuiltinsModule(opts.builtins);
  const sources = await loadTestSources(paths, { regoVersion: opts.v0Compatible === true ? 0 : 1 });
  const run = await runRegoTests(sources, {
    ...(filter === undefined ? {} : { filter }),
    ...(capabilities === undefined ? {} : { capabilities }),
    ...(builtins === undefined ? {} : { builtins }),
    ...(opts.coverage === true ? { coverage: true } : {}),
  });
  if (!run.ok) {
    for (const d of run.diagnostics) io.err(formatDiagnosticWithSource(d, run.texts));
    const n = run.diagnostics.length;
    throw new CliError("COUNTERSIGN_CLI_COMPILE_FAILED", `compilation failed with ${n} error${n === 1 ? "" : "s"}`);
  }
  if (opts.verbose === true) {
    const data = run.dataFiles.length === 0 ? "no data files" : `data from ${run.dataFiles.join(", ")}`;
    io.out(`compiled ${run.moduleCount} module${run.moduleCount === 1 ? "" : "s"} with ${data} in ${formatDuration(run.compileNs)}`);
  }
  if (run.results.length === 0) {
    const what = filter === undefined ? "no test_ rules found" : `no test matches --run ${opts.run}`;
    throw new RegoTestError("COUNTERSIGN_TEST_NONE_FOUND", `${what} in ${paths.join(", ")}`);
  }
  // With --coverage, standard output is the JSON report alone (as opa test --coverage), the results go to stderr.
  const say = opts.coverage === true ? (l: string) => io.err(l) : (l: string) => io.out(l);
  for (const r of run.results) for (const line of formatResult(r, opts.verbose === true)) say(line);
  say(formatSummary(run.results));
  if (run.coverage !== undefined) io.out(JSON.stringify(run.coverage, null, 2));
  const { failed, errors } = countResults(run.results);
  if (failed + errors > 0) {
    throw new RegoTestError("COUNTERSIGN_TEST_FAILED", `${failed + errors} of ${run.results.length} tests did not pass`);
  }
  if (run.coverage !== undefined && opts.threshold !== undefined && run.coverage.coverage < opts.threshold) {
    throw new RegoTestError(
      "COUNTERSIGN_TEST_COVERAGE_LOW",
      `coverage ${run.coverage.coverage.toFixed(2)}% is below the threshold of ${opts.threshold}%`,
    );
  }
}
