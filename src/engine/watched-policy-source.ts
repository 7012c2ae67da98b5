/**
 * The common part of policy sources that watch a directory: a bundle registry, a reload loop that never
 * runs two scans at once, and a directory watch started by `start()`; subclasses say how to scan.
 */

import { BundleRegistry, type BundleRegistryOptions } from "./bundle-registry";
import { watchDirectory, type DirectoryWatch, type WatchOptions } from "./directory-watcher";
import { silentLogger, type EngineLogger } from "./engine-logger";
import type { ActivePolicy } from "./policy-provider";
import type { PolicySource, PolicySourceListener, PolicySourceStatus } from "./policy-source";
import { ReloadLoop } from "./reload-loop";

/** How a source watches its directory; `enabled: false` loads once and never watches. */
export interface SourceWatchSettings extends Omit<WatchOptions, "onChange" | "logger"> {
  readonly enabled: boolean;
  /** The line logged once watching starts. */
  readonly startMessage: () => string;
}

/** A PolicySource over a watched directory. */
export abstract class WatchedPolicySource implements PolicySource {
  protected readonly registry: BundleRegistry;
  protected readonly logger: EngineLogger;
  private readonly loop: ReloadLoop;
  private watch: DirectoryWatch | null = null;

  protected constructor(
    registry: Omit<BundleRegistryOptions, "logger">,
    logger: EngineLogger | undefined,
    private readonly watchSettings: SourceWatchSettings,
  ) {
    this.logger = logger ?? silentLogger;
    this.registry = new BundleRegistry({ ...registry, logger: this.logger });
    this.loop = new ReloadLoop(() => this.scan(), this.logger);
  }

  /** Looks at the directory once and updates the registry; never runs concurrently with itself. */
  protected abstract scan(): Promise<void>;

  /** @inheritdoc */
  active(): ActivePolicy | null {
    return this.registry.active();
  }

  /** @inheritdoc */
  async start(): Promise<void> {
    await this.reload();
    const { enabled, startMessage, ...watch } = this.watchSettings;
    if (!enabled || this.watch !== null) return;
    this.watch = watchDirectory({ ...watch, onChange: () => void this.reload(), logger: this.logger });
    this.logger.info(startMessage(), { dir: watch.dir });
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
  bundle(name: string): ActivePolicy | null {
    return this.registry.loaded(name);
  }

  /** @inheritdoc */
  subscribe(listener: PolicySourceListener): () => void {
    return this.registry.subscribe(listener);
  }
}
