/** The name of the host built-in that coverage instrumentation calls: `(file, line) → true`; the host records the hit. */
export const COVERAGE_BUILTIN = "countersign.coverage.hit";
