/**
 * `countersign audit view <digest | approval-id> [trail.jsonl | -]`: prints back what a reviewer was shown
 * when they gave a verdict, from the view the trail keeps in the `approval.verdict` entry (the Teams card or
 * the console's request page model, masked as it was shown), and checks that it hashes to the digest the
 * verdict recorded.
 *
 * The entries come from an export file (or standard input), or from the live trail (`--redis`, with
 * `--archive` for sealed segments), read oldest first. A 64-hex argument names a view by its digest; anything
 * else is an approval id, and every verdict of that request is listed (API verdicts recorded no view). The
 * chain itself is checked by `audit verify`: this command checks each kept view against its own digest, so an
 * altered view is found even in a trail whose hashes were recomputed after the change.
 */

import type { AuditReader } from "../audit/audit-reader";
import { checkShownView, shownViewOf, type ShownViewRecord, type ViewCheck } from "../audit/shown-view";
import type { CliIo } from "./cli-io";

/** How many entries are read from storage at a time. */
const PAGE = 500;

/** What the view command found. */
export interface ViewSummary {
  readonly verdicts: number;
  readonly matched: number;
  readonly mismatched: number;
  readonly notKept: number;
}

/** True when `key` names a view by its digest (64 hex digits), not a request by its id. */
export function isDigestKey(key: string): boolean {
  return /^[0-9a-f]{64}$/i.test(key);
}

/** The entries of a stored trail, oldest first, parsed; entries that are not JSON are skipped (verify reports them). */
export async function* readerEntries(reader: AuditReader): AsyncGenerator<unknown> {
  let after: string | null = null;
  for (;;) {
    const page = await reader.readAscending(after, PAGE);
    if (page.length === 0) return;
    for (const record of page) {
      const parsed = parseLine(record.line);
      if (parsed !== undefined) yield parsed;
    }
    after = page[page.length - 1]!.id;
  }
}

/** The entries of an export's lines (the head line and blank lines are skipped). */
export async function* lineEntries(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<unknown> {
  for await (const line of lines) {
    if (line.trim() === "") continue;
    const parsed = parseLine(line);
    if (parsed !== undefined) yield parsed;
  }
}

/** Prints every verdict `key` names with the view it kept and the check; the summary says what was found. */
export async function printShownViews(key: string, entries: AsyncIterable<unknown>, io: CliIo): Promise<ViewSummary> {
  const byDigest = isDigestKey(key);
  const wanted = byDigest ? key.toLowerCase() : key;
  let verdicts = 0;
  let matched = 0;
  let mismatched = 0;
  let notKept = 0;
  for await (const entry of entries) {
    const record = shownViewOf(entry);
    if (record === null) continue;
    if (byDigest ? record.shown?.digest.toLowerCase() !== wanted : record.approvalId !== wanted) continue;
    verdicts += 1;
    const check = checkShownView(record);
    if (check.kind === "match") matched += 1;
    else if (check.kind === "mismatch") mismatched += 1;
    else notKept += 1;
    if (verdicts > 1) io.out("");
    for (const line of describe(record, check)) io.out(line);
  }
  return { verdicts, matched, mismatched, notKept };
}

/** The exit code and closing line for a summary: 0 only when views were printed and every one matched. */
export function viewOutcome(key: string, summary: ViewSummary): { readonly code: number; readonly line: string } {
  if (summary.verdicts === 0)
    return {
      code: 1,
      line: `audit view: no verdict in the trail ${isDigestKey(key) ? "recorded a view with digest" : "for the request"} ${key}`,
    };
  const parts = [
    `${summary.verdicts} verdict${summary.verdicts === 1 ? "" : "s"}`,
    `${summary.matched} view${summary.matched === 1 ? "" : "s"} hash to their recorded digests`,
  ];
  if (summary.mismatched > 0) parts.push(`${summary.mismatched} DO NOT: the trail was altered`);
  if (summary.notKept > 0) parts.push(`${summary.notKept} kept no view`);
  const code = summary.mismatched > 0 || summary.matched === 0 ? 1 : 0;
  return { code, line: `audit view: ${parts.join(", ")}` };
}

function describe(r: ShownViewRecord, check: ViewCheck): string[] {
  const head = [
    `seq ${r.seq ?? "?"}`,
    ...(r.timestamp === undefined ? [] : [r.timestamp]),
    `approval ${r.approvalId}`,
    `${r.verdict} by ${r.reviewer} via ${r.channel}`,
    ...(r.shown === undefined ? [] : [`shown version ${r.shown.version}`]),
  ].join(" · ");
  const lines = [head];
  if (r.comment !== undefined) lines.push(`comment: ${JSON.stringify(r.comment)}`);
  switch (check.kind) {
    case "not-shown":
      lines.push("no view recorded: the reviewer read the request through the API");
      return lines;
    case "not-kept":
      lines.push(`digest ${r.shown!.digest}: the view itself was not kept (the channel recorded its digest only)`);
      return lines;
    case "match":
      lines.push(`digest ${check.digest}: ok, the kept view hashes to it`);
      break;
    case "mismatch":
      lines.push(`digest ${check.recorded}: MISMATCH, the kept view hashes to ${check.actual}: it is not the view the reviewer was shown`);
      break;
  }
  if (r.shown!.hidden.length > 0) lines.push(`hidden from the reviewer: ${r.shown!.hidden.join(", ")}`);
  lines.push(pretty(r.shown!.view!));
  return lines;
}

/** The view as indented JSON, or as it is when it is not JSON (a tampered view). */
function pretty(view: string): string {
  try {
    return JSON.stringify(JSON.parse(view), null, 2);
  } catch {
    return view;
  }
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}
