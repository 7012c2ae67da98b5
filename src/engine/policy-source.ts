/**
 * A policy source as the service sees it: a PolicyProvider that can be started and stopped, reports its
 * state for /readyz and /metrics, and tells listeners (the audit trail) when a bundle is activated,
 * refused or removed.
 */

import type { ActivePolicy, PolicyProvider } from "./policy-provider";

/** A bundle started serving decisions. */
export interface ActivatedEvent {
  readonly bundle: string;
  readonly revision: string;
  /** The file (or, for compiled Rego, the directory) it came from. */
  readonly file: string;
  /** The revision it replaced, or null when nothing was serving under this name. */
  readonly previousRevision: string | null;
}

/** A bundle (or a state of the Rego sources) was not activated; whatever served before keeps serving. */
export interface RefusedEvent {
  readonly file: string;
  readonly reason: string;
  /** Stable code: a COUNTERSIGN_BUNDLE_* code of the reader, or an EngineErrorCode. */
  readonly code: string;
  /** The bundle name the file would have had. */
  readonly bundle: string;
}

/** A bundle file disappeared, so its bundle no longer serves. */
export interface RemovedEvent {
  readonly bundle: string;
  readonly revision: string;
  readonly file: string;
}

/** Receives source events. Called synchronously; exceptions are logged and otherwise ignored. */
export interface PolicySourceListener {
  onActivated?(event: ActivatedEvent): void;
  onRefused?(event: RefusedEvent): void;
  onRemoved?(event: RemovedEvent): void;
}

/** One bundle the source knows about. */
export interface BundleStatus {
  readonly bundle: string;
  readonly file: string;
  /** True for the bundle that answers decisions. */
  readonly serving: boolean;
  /** Revision of the last good load, or null when it has never loaded. */
  readonly revision: string | null;
  /** Why the current contents of the file were refused, or null when they loaded. */
  readonly refusal: { readonly code: string; readonly reason: string; readonly at: Date } | null;
}

/** What /readyz and /metrics need. */
export interface PolicySourceStatus {
  readonly kind: "bundle-directory" | "rego-directory" | "bundle-server";
  /** The watched directory, or the bundle server's URL. */
  readonly location: string;
  /** The bundle name that answers decisions. */
  readonly decisionBundle: string;
  /** True when a policy is serving decisions. */
  readonly ready: boolean;
  /** The serving bundle, or null. */
  readonly active: { readonly bundle: string; readonly revision: string; readonly file: string; readonly activatedAt: Date } | null;
  /** When a change was last processed (a bundle activated, refused or removed), or null before the first. */
  readonly lastReloadAt: Date | null;
  /** Refusals since the source started. */
  readonly reloadFailures: number;
  /** The same refusals counted by code (COUNTERSIGN_BUNDLE_BAD_SIGNATURE, …). */
  readonly refusalsByCode: Readonly<Record<string, number>>;
  /** The most recent refusal, or null when there has been none. */
  readonly lastFailure: { readonly file: string; readonly code: string; readonly reason: string; readonly at: Date } | null;
  /** Every bundle known, sorted by name. */
  readonly bundles: readonly BundleStatus[];
  /** For a bundle server: how polling goes. */
  readonly remote?: RemotePollStatus;
}

/** The polling state of a bundle-server source. */
export interface RemotePollStatus {
  /** The ETag of the bundle serving (sent as If-None-Match), or null. */
  readonly etag: string | null;
  /** When the server last answered 200 or 304, or null. */
  readonly lastSuccessAt: Date | null;
  /** Polls in a row that failed (network error, 5xx, …); 0 after a success. */
  readonly consecutiveFailures: number;
  /** Why the last poll failed, or null when it did not. */
  readonly lastError: string | null;
  /** Downloads (200) and unchanged answers (304) since start. */
  readonly downloads: number;
  readonly notModified: number;
  /** True when the serving bundle came from the on-disk cache and the server has not confirmed it yet. */
  readonly servingFromCache: boolean;
}

/** A source of policies the service runs. */
export interface PolicySource extends PolicyProvider {
  /** Loads what is there now, then watches for changes. Resolves once the first load is done. */
  start(): Promise<void>;
  /** Looks for changes now (also what the watcher calls). Resolves when the scan it joined is done. */
  reload(): Promise<void>;
  /** Stops watching; resolves once a reload in progress has finished. */
  close(): Promise<void>;
  status(): PolicySourceStatus;
  /** Adds a listener; returns a function that removes it. */
  subscribe(listener: PolicySourceListener): () => void;
  /**
   * The last good load of another bundle the source holds beside the decision bundle (a shadow candidate),
   * or null; absent on sources that hold only the decision bundle.
   */
  bundle?(name: string): ActivePolicy | null;
}
