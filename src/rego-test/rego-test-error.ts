/**
 * The Rego test runner's error catalogue: a run that did not pass.
 */

import { CodedError } from "../errors/coded-error";

/** Stable codes of runs that did not pass. */
export type RegoTestErrorCode =
  /** At least one test failed or raised an error; the report has been printed. */
  | "COUNTERSIGN_TEST_FAILED"
  /** No `test_` rule was found (or none matched `--run`), which is a mistake in a CI job rather than a pass. */
  | "COUNTERSIGN_TEST_NONE_FOUND"
  /** `--coverage --threshold P`: the tests passed but reached less than P percent of the lines. */
  | "COUNTERSIGN_TEST_COVERAGE_LOW";

/** A test run that did not pass. */
export class RegoTestError extends CodedError<RegoTestErrorCode> {
  constructor(code: RegoTestErrorCode, message: string) {
    super(code, message);
  }
}
