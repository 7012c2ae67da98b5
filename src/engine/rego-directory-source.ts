/**
 * Serves a policy compiled in memory from a directory of Rego sources, recompiling on every save: the
 * policy author's mode (`countersign serve --watch-rego`).
 *
 * The directory is read as `countersign build <dir>` reads it (non-test `.rego` files and `.json`/`.yaml`
 * data, recursively, hidden entries skipped) and compiled with `countersign/decision` plus those of
 * `optionalEntrypoints` the sources define. Sources that do not compile, or do not define the decision,
 * are refused with their diagnostics (`file:line:col: code: message`) logged, and the last good
 * compilation keeps serving. Edits that do not change the policy sources or data (tests, editor swap
 * files) are noticed but cause no recompilation. Modules are read as Rego v1 unless `regoVersion` is 0
 * (`--v0-compatible`) or a `.manifest` at the top of the directory says otherwise.
 */

import { createHash } from "node:crypto";
import * as path from "node:path";
import { goOrderedJson } from "../json/go-ordered-json";
import { buildBundle } from "../bundle/bundle-build";
import { loadSourceSet, type SourceSet } from "../bundle/source-set";
import { formatDiagnostic } from "../compiler/diagnostics";
import type { Clock } from "../policy/clock";
import { DECISION_ENTRYPOINT } from "../bundle/bundle-build";
import type { EngineLogger } from "./engine-logger";
import { EngineError, refusalOf } from "./engine-error";
import { loadDecisionBundle } from "./loaded-bundle";
import { WatchedPolicySource } from "./watched-policy-source";
import { definedEntrypoints } from "./rule-definitions";

/** How to serve a Rego directory. */
export interface RegoDirectorySourceOptions {
  readonly dir: string;
  /** The bundle name decisions report (default: the directory's base name, e.g. `rego`). */
  readonly name?: string;
  /** Entrypoints compiled besides the decision when the sources define them (e.g. `countersign/reviewer`). */
  readonly optionalEntrypoints?: readonly string[];
  readonly strictBuiltinErrors?: boolean;
  /** The Rego version of modules the directory's `.manifest` does not speak for (default 1). */
  readonly regoVersion?: 0 | 1;
  readonly logger?: EngineLogger;
  /** Time for the status and for `time.now_ns` in policies. */
  readonly clock?: Clock;
  /** Watch for changes (default true). */
  readonly watch?: boolean;
  /** Quiet time after a save before recompiling (default 150 ms). */
  readonly debounceMs?: number;
  /** Interval used when the directory cannot be watched (default 2000 ms). */
  readonly fallbackPollMs?: number;
  /** Input for the smoke evaluation. */
  readonly smokeInput?: unknown;
}

/** A PolicySource over Rego sources compiled in memory. */
export class RegoDirectorySource extends WatchedPolicySource {
  private readonly name: string;
  private lastSources: string | null = null;

  constructor(private readonly opts: RegoDirectorySourceOptions) {
    const name = opts.name ?? (path.basename(path.resolve(opts.dir)) || "rego");
    super(
      { kind: "rego-directory", location: opts.dir, decisionBundle: name, ...(opts.clock === undefined ? {} : { clock: opts.clock }) },
      opts.logger,
      {
        enabled: opts.watch !== false,
        dir: opts.dir,
        recursive: true,
        debounceMs: opts.debounceMs ?? 150,
        pollIntervalMs: 0,
        fallbackPollMs: opts.fallbackPollMs ?? 2000,
        startMessage: () => `watching ${opts.dir}: Rego sources are recompiled on save`,
      },
    );
    this.name = name;
  }

  /** @inheritdoc */
  protected async scan(): Promise<void> {
    const dir = this.opts.dir;
    let sources: SourceSet;
    try {
      sources = await loadSourceSet([dir], this.opts.regoVersion === undefined ? {} : { regoVersion: this.opts.regoVersion });
      if (sources.modules.length === 0) throw new EngineError("COUNTERSIGN_REGO_SOURCES", `no .rego policy files in ${dir}`);
    } catch (err) {
      const { code, reason } = refusalOf(err);
      const state = `unreadable:${code}:${reason}`;
      if (state === this.lastSources) return;
      this.lastSources = state;
      this.registry.refuse(this.name, dir, code === "COUNTERSIGN_BUNDLE_INCOMPATIBLE" ? "COUNTERSIGN_REGO_SOURCES" : code, reason);
      return;
    }
    const fingerprint = fingerprintOf(sources);
    if (fingerprint === this.lastSources) return;
    this.lastSources = fingerprint;

    try {
      const [hasDecision] = await definedEntrypoints(sources.modules, [DECISION_ENTRYPOINT]);
      const optional = await definedEntrypoints(sources.modules, this.opts.optionalEntrypoints ?? []);
      const result = await buildBundle({
        sources,
        entrypoints: [DECISION_ENTRYPOINT, ...optional],
        ...(this.opts.strictBuiltinErrors === undefined ? {} : { strictBuiltinErrors: this.opts.strictBuiltinErrors }),
      });
      if (!result.ok) {
        for (const d of result.diagnostics) {
          this.logger.error(formatDiagnostic(d), { file: d.file, line: d.line, col: d.col, code: d.code });
        }
        const first = result.diagnostics[0];
        const more = result.diagnostics.length - 1;
        const reason = first === undefined ? "compilation failed" : formatDiagnostic(first) + (more > 0 ? ` (and ${more} more)` : "");
        this.registry.refuse(this.name, first?.file ?? dir, "COUNTERSIGN_REGO_COMPILE_FAILED", reason);
        return;
      }
      if (hasDecision === undefined) {
        throw new EngineError(
          "COUNTERSIGN_BUNDLE_NO_DECISION",
          `the sources in ${dir} do not define data.countersign.decision (package countersign, rule decision)`,
        );
      }
      const loaded = await loadDecisionBundle(result.bundle, this.name, dir, {
        ...(this.opts.clock === undefined ? {} : { clock: this.opts.clock }),
        ...(this.opts.smokeInput === undefined ? {} : { smokeInput: this.opts.smokeInput }),
      });
      this.registry.accept(this.name, loaded);
    } catch (err) {
      const { code, reason } = refusalOf(err);
      this.registry.refuse(this.name, dir, code, reason);
    }
  }
}

/** A hash of what the compilation depends on: module paths and texts, and the merged data. */
function fingerprintOf(sources: SourceSet): string {
  const h = createHash("sha256");
  for (const m of sources.modules) h.update(`${m.file}\0${m.bundlePath}\0${m.regoVersion ?? 1}\0${m.text.length}\0${m.text}\0`);
  h.update(goOrderedJson(sources.data));
  return h.digest("hex");
}
