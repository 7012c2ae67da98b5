/**
 * Serves policy bundles from a directory, reloading them when files are added, changed or removed.
 *
 * The rule for several bundles: every `*.tar.gz` file in the directory (hidden files and subdirectories
 * aside) is a separate named bundle, its name being the file name without `.tar.gz`. Each is read and
 * checked (see loaded-bundle.ts); the one named by `decisionBundle` (configuration `bundles.decision`,
 * default `countersign`, so `bundles/countersign.tar.gz`) answers decisions, and the others are loaded and
 * reported in the status but answer nothing. A bundle file whose contents are refused (corrupt, not an
 * OPA wasm bundle, no `countersign/decision`, failing its smoke evaluation) leaves that bundle's last good
 * revision serving. Removing a bundle's file unloads it: removing the decision bundle means decisions
 * are denied (COUNTERSIGN_POLICY_MISSING) until one is loaded again.
 *
 * Files are compared by inode, size and times, then by a hash of their bytes, so a rewrite with the same
 * contents is not a reload. A bundle whose manifest has no revision (`opa build` without `--revision`)
 * is reported under `sha256:` and the first 16 hex digits of its file's hash, so decisions and audit
 * records still say which policy answered. Writes should be atomic (a temporary file renamed over the target, as
 * `countersign build -o` does); a file copied in place may be seen half-written, refused, and then
 * picked up once complete.
 *
 * With `bundles.verification` configured, a bundle's signature is verified before anything in it is
 * loaded; a bundle that is unsigned (when signatures are required) or mis-signed is refused like any other
 * bad bundle, so its last good revision keeps serving.
 */

import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { decodeVerifiedBundle } from "../bundle/bundle-reader";
import type { VerificationConfig } from "../bundle/bundle-verification";
import { describeIoError } from "../bundle/bundle-error";
import type { Clock } from "../policy/clock";
import type { EngineLogger } from "./engine-logger";
import { refusalOf } from "./engine-error";
import { loadDecisionBundle } from "./loaded-bundle";
import { WatchedPolicySource } from "./watched-policy-source";

/** The bundle name that answers decisions unless configured otherwise. */
export const DEFAULT_DECISION_BUNDLE = "countersign";

/** The file extension of bundles in the directory. */
export const BUNDLE_EXTENSION = ".tar.gz";

/** How to serve a bundle directory. */
export interface BundleDirectorySourceOptions {
  readonly dir: string;
  /** The bundle (file name without `.tar.gz`) that answers decisions; default `countersign`. */
  readonly decisionBundle?: string;
  readonly logger?: EngineLogger;
  /** Time for the status and for `time.now_ns` in policies. */
  readonly clock?: Clock;
  /** Watch for changes (default true); when false, only start() and reload() load. */
  readonly watch?: boolean;
  /** Quiet time after a change before reloading (default 150 ms). */
  readonly debounceMs?: number;
  /** Also look for changes on this interval (default 0: on file-system events only). */
  readonly pollIntervalMs?: number;
  /** Interval used when the directory cannot be watched (default 2000 ms). */
  readonly fallbackPollMs?: number;
  /** Largest uncompressed bundle accepted (default: the reader's, 512 MiB). */
  readonly maxBundleBytes?: number;
  /** Input for the smoke evaluation of each bundle (default SMOKE_INPUT of loaded-bundle.ts). */
  readonly smokeInput?: unknown;
  /**
   * `bundles.verification`: each bundle's signature is checked before it is loaded (bundle-verification.ts).
   * Absent, unsigned bundles load and signed ones are refused, since their signature cannot be checked.
   */
  readonly verification?: VerificationConfig;
}

interface SeenFile {
  readonly fingerprint: string;
  readonly hash: string;
}

/** A PolicySource over a directory of `.tar.gz` bundles. */
export class BundleDirectorySource extends WatchedPolicySource {
  private readonly seen = new Map<string, SeenFile>();
  private missingDirLogged = false;

  constructor(private readonly opts: BundleDirectorySourceOptions) {
    const decisionBundle = opts.decisionBundle ?? DEFAULT_DECISION_BUNDLE;
    super(
      { kind: "bundle-directory", location: opts.dir, decisionBundle, ...(opts.clock === undefined ? {} : { clock: opts.clock }) },
      opts.logger,
      {
        enabled: opts.watch !== false,
        dir: opts.dir,
        recursive: false,
        debounceMs: opts.debounceMs ?? 150,
        pollIntervalMs: opts.pollIntervalMs ?? 0,
        fallbackPollMs: opts.fallbackPollMs ?? 2000,
        startMessage: () => `watching ${opts.dir} for policy bundles (decisions come from ${decisionBundle}${BUNDLE_EXTENSION})`,
      },
    );
  }

  /** @inheritdoc */
  protected async scan(): Promise<void> {
    const names = await this.listBundleFiles();
    const present = new Set<string>();
    let changed = false;
    for (const fileName of names) {
      const name = fileName.slice(0, -BUNDLE_EXTENSION.length);
      const file = path.join(this.opts.dir, fileName);
      let stat: import("node:fs").Stats;
      try {
        stat = await fs.stat(file);
      } catch {
        continue; // gone since the listing; the next scan sees it as removed
      }
      if (!stat.isFile()) continue;
      present.add(name);
      const fingerprint = `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
      const before = this.seen.get(name);
      if (before !== undefined && before.fingerprint === fingerprint) continue;
      let bytes: Buffer;
      try {
        bytes = await fs.readFile(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") {
          present.delete(name);
          continue;
        }
        this.seen.set(name, { fingerprint, hash: "" });
        this.registry.refuse(name, file, "COUNTERSIGN_BUNDLE_IO", `cannot read ${file}: ${describeIoError(err)}`);
        changed = true;
        continue;
      }
      const hash = createHash("sha256").update(bytes).digest("hex");
      this.seen.set(name, { fingerprint, hash });
      if (before !== undefined && before.hash === hash) continue;
      changed = true;
      await this.load(name, file, bytes, hash);
    }
    for (const name of [...this.seen.keys()]) {
      if (present.has(name)) continue;
      this.seen.delete(name);
      this.registry.remove(name);
      changed = true;
    }
    if (changed && this.registry.active() === null) this.explainNothingServing();
  }

  private async load(name: string, file: string, bytes: Uint8Array, hash: string): Promise<void> {
    try {
      const { bundle } = await decodeVerifiedBundle(
        bytes,
        this.opts.verification,
        this.opts.maxBundleBytes === undefined ? {} : { maxBytes: this.opts.maxBundleBytes },
      );
      const loaded = await loadDecisionBundle(bundle, name, file, {
        revisionIfEmpty: `sha256:${hash.slice(0, 16)}`,
        ...(this.opts.clock === undefined ? {} : { clock: this.opts.clock }),
        ...(this.opts.smokeInput === undefined ? {} : { smokeInput: this.opts.smokeInput }),
      });
      this.registry.accept(name, loaded);
    } catch (err) {
      const { code, reason } = refusalOf(err);
      this.registry.refuse(name, file, code, reason);
    }
  }

  /** Bundle file names in the directory, sorted; none when it does not exist (logged once). */
  private async listBundleFiles(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.opts.dir);
    } catch (err) {
      if (!this.missingDirLogged) {
        this.logger.error(`cannot read the bundle directory ${this.opts.dir}: ${describeIoError(err)}`, { dir: this.opts.dir });
        this.missingDirLogged = true;
      }
      return [];
    }
    this.missingDirLogged = false;
    return names.filter((n) => n.endsWith(BUNDLE_EXTENSION) && !n.startsWith(".") && n.length > BUNDLE_EXTENSION.length).sort();
  }

  private explainNothingServing(): void {
    const want = this.registry.decisionBundle + BUNDLE_EXTENSION;
    const others = this.registry.names().filter((n) => n !== this.registry.decisionBundle);
    const found = others.length === 0 ? "no other bundles" : `only ${others.map((n) => n + BUNDLE_EXTENSION).join(", ")}`;
    const hint =
      this.registry.fileOf(this.registry.decisionBundle) === undefined ? ` (found ${found}; rename one or set bundles.decision)` : "";
    this.logger.error(`no policy is serving: ${want} in ${this.opts.dir} is missing or refused${hint}; decisions are denied`, {
      dir: this.opts.dir,
      decisionBundle: this.registry.decisionBundle,
    });
  }
}
