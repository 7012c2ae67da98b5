/**
 * `countersign replay --bundle candidate.tar.gz [--from T] [--to T] [--redis URL | --archive DIR] [--json]`:
 * the recorded decisions of the audit trail evaluated again on a candidate bundle, and a table of what would
 * change (`src/replay/`).
 *
 * The trail is read as `audit export` reads it: the Redis stream (`--redis`, default REDIS_URL), the archive
 * then the stream (`--archive` with a Redis), or the archive alone (`--archive` without one). `--from`/`--to`
 * are seqs or RFC 3339 times and select decisions by seq or by timestamp. The candidate is loaded as the
 * service loads a bundle (not signature-checked: it is not being served). Exit 0 whatever would change;
 * `--json` prints the report as one JSON document instead of the table.
 */

import * as path from "node:path";
import type { AuditReader } from "../audit/audit-reader";
import type { ExportRange } from "../audit/export";
import { ArchiveTrailReader } from "../audit/archive-reader";
import { AuditError } from "../audit/audit-error";
import { parseTimestamp } from "../audit/audit-time";
import { streamIdOf } from "../audit/stream-id";
import { readBundleFile } from "../bundle/bundle-reader";
import { BundleError } from "../bundle/bundle-error";
import { EngineError } from "../engine/engine-error";
import { loadDecisionBundle } from "../engine/loaded-bundle";
import { PolicyEngine } from "../engine/policy-engine";
import { inputReadsOf } from "../replay/input-reads";
import { recordedDecisionOf } from "../replay/recorded-decision";
import { Replay } from "../replay/replay";
import { replayTable } from "../replay/replay-table";
import { bound, refuseArchivedRange, withArchive, withStore, type AuditCommandDeps, type AuditCommandOptions } from "./audit-command";
import { CliError } from "./cli-error";
import type { CliIo } from "./cli-io";

/** Options of `countersign replay`. */
export interface ReplayCommandOptions extends Pick<
  AuditCommandOptions,
  "redis" | "stream" | "from" | "to" | "archive" | "s3Endpoint" | "s3Region" | "s3PathStyle"
> {
  readonly bundle: string;
  readonly json?: boolean;
  /** The candidate's evaluation budget per decision, in ms (default 1000). */
  readonly timeoutMs?: number;
}

const PAGE = 1000;

/** Runs the replay; resolves to the exit code. */
export async function runReplayCommand(opts: ReplayCommandOptions, io: CliIo, deps: AuditCommandDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const range: ExportRange = { ...bound("from", opts.from), ...bound("to", opts.to) };
  let bundle;
  try {
    bundle = await readBundleFile(opts.bundle);
  } catch (err) {
    if (err instanceof BundleError) throw new CliError("COUNTERSIGN_CLI_BAD_INPUT", `${opts.bundle}: ${err.message}`);
    throw err;
  }
  const name = path.basename(opts.bundle).replace(/\.(tar\.gz|tgz)$/, "");
  let loaded;
  try {
    loaded = await loadDecisionBundle(bundle, name, opts.bundle, { revisionIfEmpty: "(none)" });
  } catch (err) {
    if (err instanceof EngineError)
      throw new CliError("COUNTERSIGN_CLI_BAD_INPUT", `${opts.bundle} cannot answer decisions: ${err.message} [${err.code}]`);
    throw err;
  }
  const engine = new PolicyEngine({ active: () => loaded }, { timeoutMs: opts.timeoutMs ?? 1000 });
  const replay = new Replay((input, decisionId) => engine.decide(input, { decision_id: decisionId }), inputReadsOf(bundle));

  const run = (reader: AuditReader): Promise<void> => replayFrom(reader, range, replay);
  try {
    if (opts.archive !== undefined && opts.redis === undefined && env["REDIS_URL"] === undefined) {
      await withArchive(opts, env, (archive) => run(new ArchiveTrailReader(archive, null)));
    } else {
      await withStore(opts, env, deps, async (store) => {
        if (opts.archive === undefined) {
          await refuseArchivedRange(store, range);
          return run(store);
        }
        return withArchive(opts, env, (archive) => run(new ArchiveTrailReader(archive, store)));
      });
    }
  } catch (err) {
    if (err instanceof AuditError) {
      io.err(`error: ${err.message} [${err.code}]`);
      return 1;
    }
    throw err;
  }
  const report = replay.report();
  if (opts.json === true)
    io.out(JSON.stringify({ candidate: { file: opts.bundle, bundle: name, revision: loaded.ref.revision }, ...report }, null, 2));
  else for (const line of replayTable(report, `${opts.bundle} (revision ${loaded.ref.revision})`)) io.out(line);
  if (report.decisions === 0) io.err("replay: no recorded decisions in range");
  return 0;
}

/** Feeds every decision entry in range to the replay, oldest first. */
async function replayFrom(reader: AuditReader, range: ExportRange, replay: Replay): Promise<void> {
  let cursor: string | null = range.fromSeq !== undefined && range.fromSeq > 1 ? streamIdOf(range.fromSeq - 1) : null;
  for (;;) {
    const page = await reader.readAscending(cursor, PAGE);
    if (page.length === 0) return;
    for (const rec of page) {
      cursor = rec.id;
      const d = recordedDecisionOf(rec.line);
      if (d === null) continue;
      const seq = d.seq ?? rec.idSeq;
      if (seq !== null && range.toSeq !== undefined && seq > range.toSeq) return;
      if (range.fromTime !== undefined || range.toTime !== undefined) {
        const ns = parseTimestamp(d.timestamp);
        if (ns === null) continue;
        if (range.fromTime !== undefined && ns < range.fromTime) continue;
        if (range.toTime !== undefined && ns > range.toTime) continue;
      }
      replay.add(d);
    }
  }
}
