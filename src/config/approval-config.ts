/**
 * The approval workflow's settings as the service sees them: typed, defaults filled in by the config loader
 * (which owns the file form and validation), and handed to the composition root.
 */

import type { CallbackConfig } from "./callback-config";
import type { JsonWebKey } from "node:crypto";

/** Settings of approvals, grants and callbacks. */
export interface ApprovalWorkflowConfig {
  /** Redis key prefix. Default `countersign:` (use `{countersign}:` on Redis Cluster). */
  readonly keyPrefix: string;
  /** How long final requests stay readable, in seconds. Default 30 days. */
  readonly retentionSeconds: number;
  /** Longest verdict comment (code points). Default 2000. */
  readonly commentMaxChars: number;
  /** Longest `?wait=` long-poll, in seconds. Default 60. */
  readonly maxWaitSeconds: number;
  /** Time between expiry sweeps, in milliseconds. Default 1000. */
  readonly sweepIntervalMs: number;
  /** The grant signing key; both fields absent means "generate once and share through Redis". */
  readonly grants: GrantKeyConfig;
  /** Final-state callbacks; absent means every `callback_url` is refused. */
  readonly callbacks?: CallbackConfig;
}

/** The defaults the loader starts from. */
export const DEFAULT_APPROVAL_WORKFLOW_CONFIG: ApprovalWorkflowConfig = {
  keyPrefix: "countersign:",
  retentionSeconds: 30 * 24 * 3600,
  commentMaxChars: 2000,
  maxWaitSeconds: 60,
  sweepIntervalMs: 1000,
  grants: {},
};

/** How the key is configured; with neither field set it is generated and persisted in Redis. */
export interface GrantKeyConfig {
  /** PKCS#8 PEM of an Ed25519 private key. */
  readonly privateKeyPem?: string;
  /** An Ed25519 private key as a JWK (`kty: OKP`, `crv: Ed25519`, `x`, `d`). */
  readonly privateJwk?: JsonWebKey;
}
