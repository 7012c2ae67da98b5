/**
 * The `approvals:` section of the configuration file (with its `grants:` and `callbacks:`) turned into the
 * `ApprovalWorkflowConfig` the composition root wires, after the rules the schema cannot express: one grant
 * key source, a key that is really Ed25519, one callback secret source, private-network hosts that are also
 * allowed hosts, and in production no plain-http loopback callbacks and no published development secret.
 */

import { createPrivateKey, type JsonWebKey, type KeyObject } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_APPROVAL_WORKFLOW_CONFIG, type ApprovalWorkflowConfig } from "./approval-config";
import type { CallbackConfig } from "./callback-config";
import { normalizeHostEntry } from "./callback-config";
import type { GrantKeyConfig } from "./approval-config";
import { ConfigError } from "./config-error";
import type { ConfigFile } from "./config-schema";
import { DEVELOPMENT_CALLBACK_SECRET } from "./development-keys";
import type { ServiceMode } from "./service-config";

/** Builds the workflow settings; `invalid` makes the loader's field error. Throws ConfigError. */
export function approvalWorkflowSettings(
  file: ConfigFile["approvals"],
  mode: ServiceMode,
  env: Readonly<Record<string, string | undefined>>,
  origin: string,
  invalid: (field: string, message: string) => ConfigError,
): ApprovalWorkflowConfig {
  const d = DEFAULT_APPROVAL_WORKFLOW_CONFIG;
  const f = file ?? {};
  const callbacks = f.callbacks === undefined ? undefined : callbackSettings(f.callbacks, mode, env, origin, invalid);
  return {
    keyPrefix: f.key_prefix ?? d.keyPrefix,
    retentionSeconds: f.retention_seconds ?? d.retentionSeconds,
    commentMaxChars: f.comment_max_chars ?? d.commentMaxChars,
    maxWaitSeconds: f.max_wait_seconds ?? d.maxWaitSeconds,
    sweepIntervalMs: f.sweep_interval_ms ?? d.sweepIntervalMs,
    grants: grantKeySettings(f.grants ?? {}, origin, invalid),
    ...(callbacks === undefined ? {} : { callbacks }),
  };
}

function grantKeySettings(
  g: NonNullable<NonNullable<ConfigFile["approvals"]>["grants"]>,
  origin: string,
  invalid: (field: string, message: string) => ConfigError,
): GrantKeyConfig {
  const given = (["private_key_pem", "private_key_file", "private_jwk"] as const).filter((k) => g[k] !== undefined);
  if (given.length > 1)
    throw invalid("approvals.grants", `takes one of private_key_pem, private_key_file and private_jwk, not ${given.join(" and ")}`);
  const ed25519 = (field: string, load: () => KeyObject): void => {
    let key: KeyObject;
    try {
      key = load();
    } catch (err) {
      throw invalid(field, `is not a usable private key: ${(err as Error).message}`);
    }
    if (key.asymmetricKeyType !== "ed25519")
      throw invalid(field, `must be an Ed25519 key (EdDSA), not ${key.asymmetricKeyType ?? "a symmetric key"}`);
  };
  if (g.private_key_pem !== undefined) {
    const pem = g.private_key_pem;
    ed25519("approvals.grants.private_key_pem", () => createPrivateKey({ key: pem, format: "pem" }));
    return { privateKeyPem: pem };
  }
  if (g.private_key_file !== undefined) {
    const file = path.resolve(path.dirname(origin), g.private_key_file);
    let pem: string;
    try {
      pem = fs.readFileSync(file, "utf8");
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message;
      throw invalid("approvals.grants.private_key_file", `cannot be read (${file}): ${why}`);
    }
    ed25519("approvals.grants.private_key_file", () => createPrivateKey({ key: pem, format: "pem" }));
    return { privateKeyPem: pem };
  }
  if (g.private_jwk !== undefined) {
    const jwk = g.private_jwk as JsonWebKey;
    ed25519("approvals.grants.private_jwk", () => createPrivateKey({ key: jwk, format: "jwk" }));
    return { privateJwk: jwk };
  }
  return {};
}

function callbackSettings(
  c: NonNullable<NonNullable<ConfigFile["approvals"]>["callbacks"]>,
  mode: ServiceMode,
  env: Readonly<Record<string, string | undefined>>,
  origin: string,
  invalid: (field: string, message: string) => ConfigError,
): CallbackConfig {
  if ((c.secret === undefined) === (c.secret_env === undefined))
    throw invalid("approvals.callbacks", "needs exactly one of secret and secret_env");
  let secret = c.secret;
  if (c.secret_env !== undefined) {
    secret = env[c.secret_env];
    if (secret === undefined || secret.length < 16) {
      throw invalid("approvals.callbacks.secret_env", `names ${c.secret_env}, which must be set to a secret of at least 16 characters`);
    }
  }
  const allowed = new Set(c.allowed_hosts.map(normalizeHostEntry));
  (c.private_network_hosts ?? []).forEach((entry, i) => {
    if (!allowed.has(normalizeHostEntry(entry)))
      throw invalid(`approvals.callbacks.private_network_hosts[${i}]`, `(${entry}) must also be in allowed_hosts`);
  });
  const initial = c.initial_backoff_ms;
  const max = c.max_backoff_ms;
  if (initial !== undefined && max !== undefined && max < initial)
    throw invalid("approvals.callbacks.max_backoff_ms", "must not be below initial_backoff_ms");
  if (mode === "production") {
    if (c.allow_http_loopback === true) {
      throw invalid("approvals.callbacks.allow_http_loopback", "is for development only; in production callbacks use https");
    }
    if (secret === DEVELOPMENT_CALLBACK_SECRET) {
      throw new ConfigError(
        "COUNTERSIGN_CONFIG_DEVELOPMENT_KEY_IN_PRODUCTION",
        `refusing to start in production: approvals.callbacks has the published development secret (${origin}); configure your own`,
        "approvals.callbacks.secret",
      );
    }
  }
  return {
    secret: secret as string,
    allowedHosts: c.allowed_hosts,
    ...(c.private_network_hosts === undefined ? {} : { privateNetworkHosts: c.private_network_hosts }),
    ...(c.allow_http_loopback === undefined ? {} : { allowHttpLoopback: c.allow_http_loopback }),
    ...(c.max_attempts === undefined ? {} : { maxAttempts: c.max_attempts }),
    ...(initial === undefined ? {} : { initialBackoffMs: initial }),
    ...(max === undefined ? {} : { maxBackoffMs: max }),
    ...(c.timeout_ms === undefined ? {} : { timeoutMs: c.timeout_ms }),
  };
}
