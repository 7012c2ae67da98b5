/**
 * Serves a policy compiled in memory from a directory of Rego sources, recompiling on every save: the
 * policy author's mode (`countersign serve --watch-rego`).
 *
 * The directory is read as `countersign build <dir>` reads it (non-test `.rego` files and `.json`/`.yaml`
 * data, recursively, hidden entries skipped) and compiled with `countersign/decision` plus those of
 * `optionalEntrypoints` the sources define. Sources that do not compile, or do not define the decision,
 * are refused with their diagnostics (`file:line:col: code: message`) logged, and the last good
 * compilation keeps serving. Edits that do not change the policy sources or data (tests, editor swap
 * files) are noticed but cause no recompilation.
 */

import { createHash } from "node:crypto";
import * as path from "node:path";
import { canonicalJson } from "../bundle/data-tree";
import { buildBundle } from "../bundle/bundle-build";
import { loadSourceSet, type SourceSet } from "../bundle/source-set";
import { formatDiagnostic } from "../compiler/diagnostics";
import type { Clock } from "../policy/clock";
import { BundleRegistry } from "./bundle-registry";
import { DECISION_ENTRYPOINT } from "./decision";
import { silentLogger, type EngineLogger } from "./engine-logger";
import { EngineError, refusalOf } from "./engine-error";
import { watchDirectory, type DirectoryWatch } from "./directory-watcher";
import { loadDecisionBundle } from "./loaded-bundle";
import type { ActivePolicy } from "./policy-provider";
import type { PolicySource, PolicySourceListener, PolicySourceStatus } from "./policy-source";
import { ReloadLoop } from "./reload-loop";
import { definedEntrypoints } from "./rule-definitions";

/** How to serve a Rego directory. */
export interface RegoDirectorySourceOptions {
  readonly dir: string;
  /** The bundle name decisions report (default: the directory's base name, e.g. `rego`). */
  readonly name?: string;
  /** Entrypoints compiled besides the decision when the sources define them (e.g. `countersign/reviewer`). */
  readonly optionalEntrypoints?: readonly string[];
  readonly strictBuiltinErrors?: boolean;
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
export class RegoDirectorySource implements PolicySource {
  private readonly registry: BundleRegistry;
  private readonly logger: EngineLogger;
  private readonly loop: ReloadLoop;
  private readonly name: string;
  private lastSources: string | null = null;
  private watch: DirectoryWatch | null = null;

  constructor(private readonly opts: RegoDirectorySourceOptions) {
    this.logger = opts.logger ?? silentLogger;
    this.name = opts.name ?? (path.basename(path.resolve(opts.dir)) || "rego");
    this.registry = new BundleRegistry({
      kind: "rego-directory",
      location: opts.dir,
      decisionBundle: this.name,
      logger: this.logger,
      ...(opts.clock === undefined ? {} : { clock: opts.clock }),
    });
    this.loop = new ReloadLoop(() => this.scan(), this.logger);
  }

  /** @inheritdoc */
  active(): ActivePolicy | null {
    return this.registry.active();
  }

  /** @inheritdoc */
  async start(): Promise<void> {
    await this.reload();
    if (this.opts.watch === false || this.watch !== null) return;
    this.watch = watchDirectory({
      dir: this.opts.dir,
      recursive: true,
      debounceMs: this.opts.debounceMs ?? 150,
      pollIntervalMs: 0,
      fallbackPollMs: this.opts.fallbackPollMs ?? 2000,
      onChange: () => void this.reload(),
      logger: this.logger,
    });
    this.logger.info(`watching ${this.opts.dir}: Rego sources are recompiled on save`, { dir: this.opts.dir });
  }

  /** @inheritdoc */
  reload(): Promise<void> {
    return this.loop.trigger();
  }

  /** @inheritdoc */
  async close(): Promise<void> {
    this.watch?.close();
    this.watch = null;
    await this.loop.settled();
  }

  /** @inheritdoc */
  status(): PolicySourceStatus {
    return this.registry.status();
  }

  /** @inheritdoc */
  subscribe(listener: PolicySourceListener): () => void {
    return this.registry.subscribe(listener);
  }

  private async scan(): Promise<void> {
    const dir = this.opts.dir;
    let sources: SourceSet;
    try {
      sources = await loadSourceSet([dir]);
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
  for (const m of sources.modules) h.update(`${m.file}\0${m.bundlePath}\0${m.text.length}\0${m.text}\0`);
  h.update(canonicalJson(sources.data));
  return h.digest("hex");
}
