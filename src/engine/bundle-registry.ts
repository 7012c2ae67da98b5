/**
 * The bookkeeping shared by policy sources: bundles by name with their last good load, which one serves
 * decisions, refusals and counters, and the listeners told about each change.
 *
 * The last-good rule lives here: a refusal records why the file's current contents were not loaded but
 * leaves the bundle's previous good load in place, so a serving bundle keeps serving.
 */

import { systemClock, type Clock } from "../policy/clock";
import type { EngineLogger } from "./engine-logger";
import type { LoadedBundle } from "./loaded-bundle";
import type { ActivePolicy } from "./policy-provider";
import type { BundleStatus, PolicySourceListener, PolicySourceStatus } from "./policy-source";

/** How a registry is set up. */
export interface BundleRegistryOptions {
  readonly kind: PolicySourceStatus["kind"];
  readonly location: string;
  /** The bundle name that answers decisions. */
  readonly decisionBundle: string;
  readonly logger: EngineLogger;
  readonly clock?: Clock;
}

interface Entry {
  file: string;
  loaded: LoadedBundle | null;
  refusal: { code: string; reason: string; at: Date } | null;
}

/** Bundles by name, the serving one, and the events. */
export class BundleRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<PolicySourceListener>();
  private readonly clock: Clock;
  private serving: LoadedBundle | null = null;
  private activatedAt: Date | null = null;
  private lastReloadAt: Date | null = null;
  private reloadFailures = 0;
  private readonly refusalsByCode: Record<string, number> = {};
  private lastFailure: PolicySourceStatus["lastFailure"] = null;

  constructor(private readonly opts: BundleRegistryOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  /** The bundle name that answers decisions. */
  get decisionBundle(): string {
    return this.opts.decisionBundle;
  }

  /** The serving policy, or null. */
  active(): ActivePolicy | null {
    return this.serving;
  }

  /** The last good load of a bundle by name (serving or not), or null. */
  loaded(name: string): ActivePolicy | null {
    return this.entries.get(name)?.loaded ?? null;
  }

  /** Names of the bundles known, sorted. */
  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** The file a bundle name was last seen in. */
  fileOf(name: string): string | undefined {
    return this.entries.get(name)?.file;
  }

  /** Records a good load; the decision bundle starts serving it at once. */
  accept(name: string, loaded: LoadedBundle): void {
    const now = this.now();
    const entry = this.entries.get(name);
    const previous = entry?.loaded ?? null;
    this.entries.set(name, { file: loaded.file, loaded, refusal: null });
    this.lastReloadAt = now;
    for (const w of loaded.warnings)
      this.opts.logger.warn(`policy bundle ${name}: ${w}`, { bundle: name, revision: loaded.ref.revision, file: loaded.file });
    if (name !== this.opts.decisionBundle) {
      this.opts.logger.info(
        `policy bundle ${name} loaded; it does not answer decisions (the decision bundle is ${this.opts.decisionBundle})`,
        {
          bundle: name,
          revision: loaded.ref.revision,
          file: loaded.file,
        },
      );
      return;
    }
    this.serving = loaded;
    this.activatedAt = now;
    const event = { bundle: name, revision: loaded.ref.revision, file: loaded.file, previousRevision: previous?.ref.revision ?? null };
    this.opts.logger.info(`policy bundle ${name} activated (revision ${loaded.ref.revision})`, { ...event });
    this.emit((l) => l.onActivated?.(event));
  }

  /** Records a refusal; whatever loaded before under this name stays. */
  refuse(name: string, file: string, code: string, reason: string): void {
    const at = this.now();
    const entry = this.entries.get(name);
    if (entry === undefined) this.entries.set(name, { file, loaded: null, refusal: { code, reason, at } });
    else entry.refusal = { code, reason, at };
    this.lastReloadAt = at;
    this.reloadFailures += 1;
    this.refusalsByCode[code] = (this.refusalsByCode[code] ?? 0) + 1;
    this.lastFailure = { file, code, reason, at };
    const kept = entry?.loaded ?? null;
    const consequence =
      name !== this.opts.decisionBundle
        ? "it does not answer decisions"
        : kept !== null && this.serving === kept
          ? `revision ${kept.ref.revision} keeps serving`
          : "no policy is serving: decisions are denied";
    this.opts.logger.error(`policy bundle ${name} refused (${consequence}): ${reason}`, { bundle: name, file, code, reason });
    this.emit((l) => l.onRefused?.({ file, reason, code, bundle: name }));
  }

  /** Forgets a bundle whose file is gone; when it was serving, nothing serves any more. */
  remove(name: string): void {
    const entry = this.entries.get(name);
    if (entry === undefined) return;
    this.entries.delete(name);
    this.lastReloadAt = this.now();
    const loaded = entry.loaded;
    if (loaded === null) return;
    if (this.serving === loaded) {
      this.serving = null;
      this.activatedAt = null;
      this.opts.logger.error(`policy bundle ${name} was removed: no policy is serving, decisions are denied until one is loaded`, {
        bundle: name,
        revision: loaded.ref.revision,
        file: entry.file,
      });
    } else {
      this.opts.logger.info(`policy bundle ${name} was removed`, { bundle: name, file: entry.file });
    }
    const event = { bundle: name, revision: loaded.ref.revision, file: entry.file };
    this.emit((l) => l.onRemoved?.(event));
  }

  /** Adds a listener; returns its removal. */
  subscribe(listener: PolicySourceListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** The state for /readyz and /metrics. */
  status(): PolicySourceStatus {
    const bundles: BundleStatus[] = this.names().map((name) => {
      const e = this.entries.get(name)!;
      return {
        bundle: name,
        file: e.file,
        serving: e.loaded !== null && e.loaded === this.serving,
        revision: e.loaded?.ref.revision ?? null,
        refusal: e.refusal,
      };
    });
    const s = this.serving;
    return {
      kind: this.opts.kind,
      location: this.opts.location,
      decisionBundle: this.opts.decisionBundle,
      ready: s !== null,
      active:
        s === null || this.activatedAt === null
          ? null
          : { bundle: s.ref.bundle, revision: s.ref.revision, file: s.file, activatedAt: this.activatedAt },
      lastReloadAt: this.lastReloadAt,
      reloadFailures: this.reloadFailures,
      refusalsByCode: { ...this.refusalsByCode },
      lastFailure: this.lastFailure,
      bundles,
    };
  }

  private now(): Date {
    return new Date(Number(this.clock.nowNs() / 1_000_000n));
  }

  private emit(call: (l: PolicySourceListener) => void): void {
    for (const l of this.listeners) {
      try {
        call(l);
      } catch (err) {
        this.opts.logger.error("a policy source listener failed", { error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
}
