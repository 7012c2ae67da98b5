/** The `bundles.remote` settings, resolved: what the bundle-server policy source polls, and how. */

/** `bundles.remote`, resolved (credentials read from the environment). */
export interface RemoteBundleConfig {
  readonly url: string;
  /** Shortest and longest delay between polls, in milliseconds. */
  readonly pollMinMs: number;
  readonly pollMaxMs: number;
  /** Extra request headers, the Authorization built from credentials included. */
  readonly headers: Readonly<Record<string, string>>;
  /** Where the last good bundle is kept; absent, nothing is cached. */
  readonly cacheDir?: string;
  /** Longest a request may take (default 30 s). */
  readonly timeoutMs?: number;
}
