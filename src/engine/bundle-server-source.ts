/**
 * Serves the decision bundle from a bundle server — any HTTP(S) server holding a `.tar.gz` at a URL (S3,
 * nginx, a CDN, OPA's bundle service API) — polled on an interval, as OPA's bundle plugin does.
 *
 * Each poll is a GET with the ETag of the bundle serving as `If-None-Match`: a `304 Not Modified` costs
 * nothing but the request. A `200` is read, its signature verified (`bundles.verification`), loaded and
 * smoke-tested before it is activated; a refused download leaves the last good bundle serving and is
 * logged, counted and recorded once (the same bytes offered again are not re-examined). Polls are spaced
 * by a random delay between `poll_min` and `poll_max`; after a failure (network error, non-2xx) the delay
 * backs off exponentially from `poll_min`, capped at `poll_max`, so a struggling server is not hammered.
 *
 * The last good bundle is kept on disk (`cache_dir`) with its ETag, written atomically after it activates.
 * At start the cached copy is verified and loaded first, so a restart while the server is down still
 * serves; the first poll then asks the server with the cached ETag.
 */

import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { decodeVerifiedBundle } from "../bundle/bundle-reader";
import type { VerificationConfig } from "../bundle/bundle-verification";
import { writeFileAtomic } from "../bundle/bundle-writer";
import type { Clock } from "../policy/clock";
import { BundleRegistry } from "./bundle-registry";
import { DEFAULT_DECISION_BUNDLE } from "./bundle-directory-source";
import { silentLogger, type EngineLogger } from "./engine-logger";
import { refusalOf } from "./engine-error";
import { loadDecisionBundle } from "./loaded-bundle";
import type { ActivePolicy } from "./policy-provider";
import type { PolicySource, PolicySourceListener, PolicySourceStatus, RemotePollStatus } from "./policy-source";
import { ReloadLoop } from "./reload-loop";
import type { RemoteBundleConfig } from "../config/remote-bundle-config";

export type { RemoteBundleConfig };

/** How to serve from a bundle server. */
export interface BundleServerSourceOptions extends RemoteBundleConfig {
  /** The bundle name (for status, audit and the cache file); default `countersign`. */
  readonly decisionBundle?: string;
  readonly verification?: VerificationConfig;
  readonly logger?: EngineLogger;
  readonly clock?: Clock;
  /** Poll on the interval after start (default true); when false, only start() and reload() poll. */
  readonly poll?: boolean;
  /** A number in [0, 1) for the poll jitter (default Math.random). */
  readonly random?: () => number;
  readonly maxBundleBytes?: number;
  readonly smokeInput?: unknown;
}

/** What the cache keeps beside the bundle. */
interface CacheMeta {
  readonly url: string;
  readonly etag: string | null;
  readonly revision: string;
}

/** A PolicySource polling one bundle URL. */
export class BundleServerSource implements PolicySource {
  private readonly registry: BundleRegistry;
  private readonly logger: EngineLogger;
  private readonly loop: ReloadLoop;
  private readonly name: string;
  private readonly random: () => number;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: AbortController | null = null;
  private closed = false;
  private etag: string | null = null;
  private servingHash: string | null = null;
  private refusedHash: string | null = null;
  private servingFromCache = false;
  private lastSuccessAt: Date | null = null;
  private consecutiveFailures = 0;
  private lastError: string | null = null;
  private downloads = 0;
  private notModified = 0;

  constructor(private readonly opts: BundleServerSourceOptions) {
    this.name = opts.decisionBundle ?? DEFAULT_DECISION_BUNDLE;
    this.logger = opts.logger ?? silentLogger;
    this.random = opts.random ?? Math.random;
    this.registry = new BundleRegistry({
      kind: "bundle-server",
      location: opts.url,
      decisionBundle: this.name,
      logger: this.logger,
      ...(opts.clock === undefined ? {} : { clock: opts.clock }),
    });
    this.loop = new ReloadLoop(() => this.poll(), this.logger);
  }

  /** @inheritdoc */
  active(): ActivePolicy | null {
    return this.registry.active();
  }

  /** Loads the cached bundle, if any, then polls once; resolves when that poll is done. */
  async start(): Promise<void> {
    await this.loadCache();
    await this.reload();
    if (this.opts.poll !== false && !this.closed) {
      this.logger.info(
        `polling ${this.opts.url} for policy bundle ${this.name} every ${this.opts.pollMinMs / 1000}-${this.opts.pollMaxMs / 1000} s`,
        { url: this.opts.url },
      );
      this.schedule();
    }
  }

  /** Polls now. */
  reload(): Promise<void> {
    return this.loop.trigger();
  }

  /** Stops polling, aborts a request in flight and waits for the poll in progress. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.inFlight?.abort();
    await this.loop.settled();
  }

  /** @inheritdoc */
  status(): PolicySourceStatus {
    const remote: RemotePollStatus = {
      etag: this.etag,
      lastSuccessAt: this.lastSuccessAt,
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
      downloads: this.downloads,
      notModified: this.notModified,
      servingFromCache: this.servingFromCache,
    };
    return { ...this.registry.status(), remote };
  }

  /** @inheritdoc */
  subscribe(listener: PolicySourceListener): () => void {
    return this.registry.subscribe(listener);
  }

  /** The delay before the next poll: jittered between min and max, or backed off after failures. */
  nextDelayMs(): number {
    const { pollMinMs: min, pollMaxMs: max } = this.opts;
    if (this.consecutiveFailures === 0) return min + (max - min) * this.random();
    const backedOff = Math.min(max, min * 2 ** (this.consecutiveFailures - 1));
    return backedOff * (0.75 + 0.25 * this.random());
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.reload().then(() => this.schedule());
    }, this.nextDelayMs());
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    if (this.closed) return;
    const abort = new AbortController();
    this.inFlight = abort;
    const timeout = setTimeout(() => abort.abort(new Error(`no answer within ${this.timeoutMs()} ms`)), this.timeoutMs());
    let response: Response;
    let bytes: Buffer | null = null;
    try {
      const headers: Record<string, string> = { ...this.opts.headers, Accept: "application/gzip, application/octet-stream" };
      if (this.etag !== null) headers["If-None-Match"] = this.etag;
      response = await fetch(this.opts.url, { headers, signal: abort.signal, redirect: "follow" });
      if (response.status === 200) bytes = Buffer.from(await response.arrayBuffer());
      else await response.arrayBuffer().catch(() => undefined);
    } catch (err) {
      this.failed(this.closed ? "closed" : describeFetchError(err, abort.signal));
      return;
    } finally {
      clearTimeout(timeout);
      this.inFlight = null;
    }
    if (response.status === 304) {
      this.succeeded();
      this.notModified += 1;
      this.servingFromCache = false;
      return;
    }
    if (bytes === null) {
      this.failed(`${this.opts.url} answered HTTP ${response.status}`);
      return;
    }
    this.succeeded();
    this.downloads += 1;
    await this.consider(bytes, response.headers.get("etag"));
  }

  /** Verifies and activates downloaded bytes, unless they are what serves or what was refused already. */
  private async consider(bytes: Buffer, etag: string | null): Promise<void> {
    const hash = createHash("sha256").update(bytes).digest("hex");
    if (hash === this.servingHash) {
      const revision = this.registry.active()?.ref.revision;
      if (etag !== this.etag && revision !== undefined) await this.writeCache(bytes, { url: this.opts.url, etag, revision });
      this.etag = etag;
      this.servingFromCache = false;
      return;
    }
    if (hash === this.refusedHash) return;
    const loaded = await this.load(bytes, hash, this.opts.url);
    if (loaded === null) {
      this.refusedHash = hash;
      return;
    }
    this.refusedHash = null;
    this.servingHash = hash;
    this.etag = etag;
    this.servingFromCache = false;
    await this.writeCache(bytes, { url: this.opts.url, etag, revision: loaded });
  }

  /** Loads bytes into the registry; the revision on success, null when refused (the refusal recorded). */
  private async load(bytes: Buffer, hash: string, file: string): Promise<string | null> {
    try {
      const { bundle } = await decodeVerifiedBundle(
        bytes,
        this.opts.verification,
        this.opts.maxBundleBytes === undefined ? {} : { maxBytes: this.opts.maxBundleBytes },
      );
      const loaded = await loadDecisionBundle(bundle, this.name, file, {
        revisionIfEmpty: `sha256:${hash.slice(0, 16)}`,
        ...(this.opts.clock === undefined ? {} : { clock: this.opts.clock }),
        ...(this.opts.smokeInput === undefined ? {} : { smokeInput: this.opts.smokeInput }),
      });
      this.registry.accept(this.name, loaded);
      return loaded.ref.revision;
    } catch (err) {
      const { code, reason } = refusalOf(err);
      this.registry.refuse(this.name, file, code, reason);
      return null;
    }
  }

  private succeeded(): void {
    if (this.consecutiveFailures > 0) this.logger.info(`bundle server ${this.opts.url} reachable again`, { url: this.opts.url });
    this.consecutiveFailures = 0;
    this.lastError = null;
    this.lastSuccessAt = this.now();
  }

  private failed(why: string): void {
    if (why === "closed") return;
    this.consecutiveFailures += 1;
    this.lastError = why;
    const serving = this.registry.active();
    const consequence = serving === null ? "no policy is serving: decisions are denied" : `revision ${serving.ref.revision} keeps serving`;
    // Log the first failure of a streak at error level, then every tenth, so a long outage does not flood.
    if (this.consecutiveFailures === 1 || this.consecutiveFailures % 10 === 0) {
      this.logger.error(`cannot fetch policy bundle ${this.name} from ${this.opts.url} (${consequence}): ${why}`, {
        url: this.opts.url,
        failures: this.consecutiveFailures,
      });
    }
  }

  private cacheFiles(): { bundle: string; meta: string } | null {
    if (this.opts.cacheDir === undefined) return null;
    return { bundle: path.join(this.opts.cacheDir, `${this.name}.tar.gz`), meta: path.join(this.opts.cacheDir, `${this.name}.json`) };
  }

  private async loadCache(): Promise<void> {
    const files = this.cacheFiles();
    if (files === null) return;
    let meta: CacheMeta;
    let bytes: Buffer;
    try {
      meta = JSON.parse(await fs.readFile(files.meta, "utf8")) as CacheMeta;
      bytes = await fs.readFile(files.bundle);
    } catch {
      return; // no cache yet
    }
    if (meta.url !== this.opts.url) {
      this.logger.warn(`ignoring the cached bundle ${files.bundle}: it came from ${meta.url}, not ${this.opts.url}`, {
        file: files.bundle,
      });
      return;
    }
    const hash = createHash("sha256").update(bytes).digest("hex");
    // The cache is verified like a download: a copy altered on disk is refused like a tampered download.
    const revision = await this.load(bytes, hash, files.bundle);
    if (revision === null) return;
    this.servingHash = hash;
    this.etag = typeof meta.etag === "string" ? meta.etag : null;
    this.servingFromCache = true;
    this.logger.info(`policy bundle ${this.name} revision ${revision} loaded from the cache ${files.bundle}`, { file: files.bundle });
  }

  private async writeCache(bytes: Buffer, meta: CacheMeta): Promise<void> {
    const files = this.cacheFiles();
    if (files === null) return;
    try {
      await writeFileAtomic(files.bundle, bytes);
      await writeFileAtomic(files.meta, Buffer.from(JSON.stringify(meta) + "\n"));
    } catch (err) {
      this.logger.warn(
        `cannot cache policy bundle ${this.name} in ${this.opts.cacheDir}: ${(err as Error).message}; a restart without the server will not serve it`,
        {
          dir: this.opts.cacheDir,
        },
      );
    }
  }

  private timeoutMs(): number {
    return this.opts.timeoutMs ?? 30_000;
  }

  private now(): Date {
    return this.opts.clock === undefined ? new Date() : new Date(Number(this.opts.clock.nowNs() / 1_000_000n));
  }
}

function describeFetchError(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof Error ? reason.message : "request aborted";
  }
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause === undefined ? (e.message ?? String(err)) : `${e.message ?? "fetch failed"} (${cause})`;
}
