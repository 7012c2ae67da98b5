/**
 * The decision service's configuration, as the rest of the service sees it: typed, complete (defaults
 * filled in) and already validated.
 *
 * The file form (YAML or JSON, snake_case keys) is described by `config-schema.ts`; `config-loader.ts`
 * reads it, applies the environment overrides and turns it into this shape once, at start-up.
 */

import type { ApprovalWorkflowConfig } from "./approval-config";
import type { AuditConfigFile } from "./audit-file-section";
import type { VerificationConfig } from "../bundle/bundle-verification";
import type { RemoteBundleConfig } from "./remote-bundle-config";
import type { IdentityConfig, JwtAuthConfig } from "../identity/identity-config";
import type { LogLevel } from "../observability/log-level";

export type { IdentityConfig, IdentityKind, JwtAuthConfig, SlackUser, TeamsUser } from "../identity/identity-config";
export { LOG_LEVELS, type LogLevel } from "../observability/log-level";

/** How the service runs: `production` refuses development keys. */
export type ServiceMode = "development" | "production";

/** The whole configuration. */
export interface ServiceConfig {
  readonly mode: ServiceMode;
  readonly server: {
    readonly host: string;
    readonly port: number;
    /** Largest request body, in bytes. */
    readonly bodyLimitBytes: number;
    /** Longest a request may take to deliver its body (408 after it). */
    readonly bodyTimeoutMs: number;
    /** Deepest nesting of objects and arrays a JSON body may have (400 past it). */
    readonly maxJsonDepth: number;
    /** The service's public base URL without a trailing slash (links to the web console); absent: no links. */
    readonly publicUrl?: string;
  };
  readonly bundles: {
    /** Directory of `.tar.gz` bundles, resolved against the working directory. */
    readonly dir: string;
    /** The bundle (file name without `.tar.gz`) that answers decisions. */
    readonly decision: string;
    /** `bundles.shadow`: a bundle of `dir` evaluated beside the decision bundle on every decision (never answering). */
    readonly shadow?: string;
    /** `bundles.verification`, keys parsed: every bundle's signature is checked before it loads. */
    readonly verification?: VerificationConfig;
    /** `bundles.remote`: poll this bundle server for the decision bundle instead of reading `dir`. */
    readonly remote?: RemoteBundleConfig;
  };
  readonly policy: {
    /** Longest a single policy evaluation may take before the answer is a fail-closed deny. */
    readonly timeoutMs: number;
  };
  /** The Redis of the approval workflow. */
  readonly redis: {
    /** `REDIS_URL` or `redis.url`; absent means `serve` starts the embedded redis-server. */
    readonly url?: string;
    /** Where the embedded redis-server keeps its data (AOF), resolved against the working directory. */
    readonly embeddedDir: string;
  };
  /** Approvals, grants and callbacks, defaults filled in. */
  readonly approvals: ApprovalWorkflowConfig;
  /**
   * The `audit:` section as written (checked by its schema); `main.ts` resolves it with the environment
   * (`resolveAuditSettings`: the mask salt, the signing key) when the service starts.
   */
  readonly audit: AuditConfigFile;
  /**
   * The `teams:` section as written, when present (it turns the Teams bot on); `main.ts` validates it with
   * the Bot Framework environment variables (`validateTeamsConfig`) when the service starts.
   */
  readonly teams?: Readonly<Record<string, unknown>>;
  /**
   * The `slack:` section as written, when present (it turns the Slack app on); `main.ts` validates it with the
   * Slack environment variables (`validateSlackConfig`) when the service starts.
   */
  readonly slack?: Readonly<Record<string, unknown>>;
  /**
   * The `console:` section as written, when present (it turns the web console at /console on); `main.ts`
   * validates it with the environment (`validateConsoleConfig`) when the service starts.
   */
  readonly console?: Readonly<Record<string, unknown>>;
  readonly auth: {
    readonly jwt?: JwtAuthConfig;
  };
  readonly log: {
    readonly level: LogLevel;
  };
  readonly identities: readonly IdentityConfig[];
  /**
   * Whether a request's `actor.on_behalf_of`, and the `actor.id` of an actor of type human, must name a
   * configured human identity (`identities.require_known_humans`; default on in production, off in development).
   */
  readonly requireKnownHumans: boolean;
}

/** Where the configuration came from, for the start-up log. */
export type ConfigSource = { readonly kind: "file"; readonly path: string } | { readonly kind: "example"; readonly path: string };
