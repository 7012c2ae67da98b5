/**
 * How a conformance run is reported: one line per failing case, a final tally line that scripts parse,
 * and a JSON document for tools.
 */

import type { CaseResult, SuiteReport } from "./conformance-suite";

/** `FAIL <file> :: <note> :: <why>` on one line. */
export function formatFailure(r: CaseResult): string {
  return `FAIL ${r.file} :: ${r.note} :: ${oneLine(r.reason)}`;
}

/** `SKIP <file> :: <note> :: <why>` on one line. */
export function formatSkip(r: CaseResult): string {
  return `SKIP ${r.file} :: ${r.note} :: ${oneLine(r.reason)}`;
}

/** Exactly `conformance: N passed, M failed, K skipped`. */
export function formatSummary(r: Pick<SuiteReport, "passed" | "failed" | "skipped">): string {
  return `conformance: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`;
}

/** Parses the summary line back, or null. */
export function parseSummary(line: string): { passed: number; failed: number; skipped: number } | null {
  const m = /^conformance: (\d+) passed, (\d+) failed, (\d+) skipped$/.exec(line.trim());
  return m === null ? null : { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3]) };
}

/** The JSON report: the tally and every case's result. */
export function reportJson(r: SuiteReport): string {
  return (
    JSON.stringify(
      {
        dir: r.dir,
        summary: { passed: r.passed, failed: r.failed, skipped: r.skipped, total: r.total },
        cases: r.results.map((c) => ({
          file: c.file,
          index: c.index,
          note: c.note,
          status: c.status,
          ...(c.reason === "" ? {} : { reason: c.reason }),
          duration_ms: c.durationMs,
        })),
      },
      null,
      2,
    ) + "\n"
  );
}

function oneLine(s: string, max = 600): string {
  const flat = s.replace(/\s*\n\s*/g, " ⏎ ").trim();
  return flat.length > max ? flat.slice(0, max) + "…" : flat;
}
