/**
 * The replay report as text: a header saying what was replayed against what, then one table of what would
 * change (`recorded → candidate`, count, example decision ids), the unchanged count, and the decisions that
 * could not be replayed because a candidate rule may read a value the trail holds only as a digest.
 */

import type { ReplayReport } from "./replay";

/** Lines of text for a report; `candidate` names the bundle file and revision. */
export function replayTable(r: ReplayReport, candidate: string): string[] {
  const lines: string[] = [];
  const span =
    r.first === null || r.last === null
      ? ""
      : ` (seq ${r.first.seq ?? "?"}..${r.last.seq ?? "?"}, ${r.first.timestamp} .. ${r.last.timestamp})`;
  lines.push(`replayed ${r.replayed} of ${r.decisions} recorded decisions${span} against ${candidate}`);
  const under = Object.entries(r.recordedUnder).map(([k, n]) => `${k} (${n})`);
  if (under.length > 0) lines.push(`recorded under: ${under.join(", ")}`);
  lines.push("");
  const rows: [string, string, string][] = [["change", "count", "examples"]];
  for (const [k, row] of Object.entries(r.changes)) rows.push([k.replace("→", " → "), String(row.count), row.examples.join(", ")]);
  rows.push(["unchanged", String(r.unchanged), ""]);
  for (const row of r.notReplayable) rows.push([`not replayable: ${row.pointer} is masked`, String(row.count), row.examples.join(", ")]);
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  for (const [a, b, c] of rows) lines.push(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`.trimEnd());
  lines.push("");
  lines.push(`${r.changed} would change, ${r.unchanged} unchanged, ${r.notReplayableTotal} not replayable`);
  for (const row of r.notReplayable) {
    lines.push(`  ${row.pointer}: held in the trail only as a digest, and read by ${row.rules.join("; ")}`);
  }
  if (r.analysisProblem !== undefined)
    lines.push(
      `  (the candidate's sources cannot be analysed: ${r.analysisProblem}; every decision with a masked value is counted as not replayable)`,
    );
  const failures = Object.entries(r.candidateFailures);
  if (failures.length > 0) lines.push(`candidate failures (fail-closed denies): ${failures.map(([c, n]) => `${c} ${n}`).join(", ")}`);
  return lines;
}
