/**
 * The callback settings the service needs, typed and with defaults; the config loader fills them from the
 * file form (`callbacks:` section) once at start-up.
 */

import { isIP } from "node:net";

/** Final-state callback settings. */
export interface CallbackConfig {
  /** HMAC-SHA256 key for `X-Countersign-Signature` (at least 32 bytes of entropy recommended; 16 characters minimum). */
  readonly secret: string;
  /**
   * Hosts callbacks may go to: exact names or IP literals, optionally with `:port`. An entry without a port
   * admits only the scheme's default port (443 for https, 80 for http); `host:*` admits any port (meant for
   * loopback receivers in development).
   */
  readonly allowedHosts: readonly string[];
  /**
   * Allow-listed hosts that may resolve to non-public addresses (loopback, private, link-local). Without
   * this, such resolutions are refused (SSRF). Same `host[:port]` form; must also be in `allowedHosts`.
   */
  readonly privateNetworkHosts?: readonly string[];
  /** Development only: allow `http://` to loopback hosts. Everything else must be https. */
  readonly allowHttpLoopback?: boolean;
  /** Delivery attempts before giving up. Default 8. */
  readonly maxAttempts?: number;
  /** Delay before the second attempt; doubles each time. Default 1000 ms. */
  readonly initialBackoffMs?: number;
  /** Largest delay between attempts. Default 300 000 ms. */
  readonly maxBackoffMs?: number;
  /** Per-attempt timeout. Default 5000 ms. */
  readonly timeoutMs?: number;
}

/** The shortest secret accepted. */
export const MIN_CALLBACK_SECRET_LENGTH = 16;

/**
 * `Host[:port]` → `host` or `host|port` (lower-case, no brackets, no trailing dot); `host:*` (any port,
 * meant for loopback receivers in development) → `host|*`.
 */
export function normalizeHostEntry(entry: string): string {
  const trimmed = entry.trim().toLowerCase();
  const port = (p: string): string => (p === "*" ? "*" : String(Number(p)));
  const bracketed = /^\[([^\]]+)\](?::(\d+|\*))?$/.exec(trimmed);
  if (bracketed) return bracketed[2] ? `${bracketed[1]}|${port(bracketed[2])}` : (bracketed[1] as string);
  if (isIP(trimmed) === 6) return trimmed;
  const m = /^([^:]+?)\.?(?::(\d+|\*))?$/.exec(trimmed);
  if (!m) return trimmed;
  return m[2] ? `${m[1]}|${port(m[2])}` : (m[1] as string);
}
