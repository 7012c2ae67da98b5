/**
 * Watches a directory and calls back, debounced, when anything in it changes; polls instead when the
 * platform cannot watch it (missing directory, inotify limits, network file systems).
 *
 * Callers treat the callback as "look again": it carries no file names, because rename-based writes
 * (a temporary file renamed over the target, a Kubernetes ConfigMap swapping its `..data` link) arrive
 * as events on names other than the one that changed.
 */

import * as fs from "node:fs";
import type { EngineLogger } from "./engine-logger";

/** How to watch. */
export interface WatchOptions {
  readonly dir: string;
  /** Watch subdirectories too. */
  readonly recursive: boolean;
  /** Quiet time after the last event before calling back. */
  readonly debounceMs: number;
  /** Also call back on this interval; 0 for events only. */
  readonly pollIntervalMs: number;
  /** The interval used when the directory cannot be watched. */
  readonly fallbackPollMs: number;
  readonly onChange: () => void;
  readonly logger: EngineLogger;
}

/** A running watch. */
export interface DirectoryWatch {
  close(): void;
}

/** Starts watching; never throws (falls back to polling). */
export function watchDirectory(opts: WatchOptions): DirectoryWatch {
  let watcher: fs.FSWatcher | null = null;
  let poll: NodeJS.Timeout | null = null;
  let debounce: NodeJS.Timeout | null = null;
  let burstStart = 0;
  let closed = false;
  // A steady stream of events (a large file being copied in) still gets a look at least this often.
  const maxWaitMs = Math.max(opts.debounceMs * 10, 1000);

  const fire = (): void => {
    debounce = null;
    if (!closed) opts.onChange();
  };
  const onEvent = (): void => {
    if (closed) return;
    const now = Date.now();
    if (debounce === null) burstStart = now;
    else clearTimeout(debounce);
    const wait = now - burstStart >= maxWaitMs ? 0 : opts.debounceMs;
    debounce = setTimeout(fire, wait);
    debounce.unref();
  };
  const startPolling = (everyMs: number): void => {
    if (poll !== null || everyMs <= 0) return;
    poll = setInterval(() => {
      if (!closed) opts.onChange();
    }, everyMs);
    poll.unref();
  };

  try {
    watcher = fs.watch(opts.dir, { recursive: opts.recursive, persistent: false }, onEvent);
    watcher.on("error", (err) => {
      opts.logger.warn(`stopped watching ${opts.dir} (${err.message}); checking it every ${opts.fallbackPollMs} ms instead`, {
        dir: opts.dir,
      });
      watcher?.close();
      watcher = null;
      startPolling(opts.fallbackPollMs);
    });
  } catch (err) {
    opts.logger.warn(`cannot watch ${opts.dir} (${(err as Error).message}); checking it every ${opts.fallbackPollMs} ms instead`, {
      dir: opts.dir,
    });
    startPolling(opts.fallbackPollMs);
  }
  startPolling(opts.pollIntervalMs);

  return {
    close(): void {
      closed = true;
      watcher?.close();
      watcher = null;
      if (poll !== null) clearInterval(poll);
      if (debounce !== null) clearTimeout(debounce);
      poll = null;
      debounce = null;
    },
  };
}
