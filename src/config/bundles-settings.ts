/**
 * The `bundles:` section of the configuration turned into what the composition root wires: the directory
 * and decision bundle, the signature verification keys (read from the file, the environment or inline, and
 * parsed once at start-up), and the bundle server to poll with its credentials from the environment.
 *
 * Rules the schema cannot express: each key has exactly one of key, key_file and key_env, in a known
 * algorithm, and parses; key_id names a configured key; poll_min ≤ poll_max; the bearer token's variable is
 * set; and in production a bundle server needs verification keys, since anyone who can write to it would
 * otherwise decide who is approved. Signatures are required in production and whenever key_id is set (as
 * OPA requires them then), unless `require_signature` says otherwise.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { BundleError } from "../bundle/bundle-error";
import { isSigningAlgorithm, SIGNING_ALGORITHMS, verificationKeyFrom } from "../bundle/bundle-keys";
import type { VerificationConfig, VerificationKey } from "../bundle/bundle-verification";
import type { RemoteBundleConfig } from "./remote-bundle-config";
import type { ConfigError } from "./config-error";
import type { ConfigFile } from "./config-schema";
import type { ServiceMode } from "./service-config";

/** Defaults of `bundles.remote` (OPA's polling defaults). */
export const REMOTE_DEFAULTS = {
  pollMinSeconds: 60,
  pollMaxSeconds: 120,
  timeoutSeconds: 30,
  cacheDir: path.join(".countersign", "bundle-cache"),
} as const;

type BundlesFile = NonNullable<ConfigFile["bundles"]>;

/** The resolved verification settings, or undefined when none are configured. Throws ConfigError. */
export function verificationSettings(
  file: BundlesFile["verification"],
  mode: ServiceMode,
  env: Readonly<Record<string, string | undefined>>,
  origin: string,
  invalid: (field: string, message: string) => ConfigError,
): VerificationConfig | undefined {
  if (file === undefined) return undefined;
  const keys = new Map<string, VerificationKey>();
  for (const [id, k] of Object.entries(file.keys)) {
    const field = `bundles.verification.keys.${id}`;
    if (!isSigningAlgorithm(k.algorithm))
      throw invalid(`${field}.algorithm`, `must be one of ${SIGNING_ALGORITHMS.join(", ")}, not ${k.algorithm}`);
    const given = (["key", "key_file", "key_env"] as const).filter((f) => k[f] !== undefined);
    if (given.length !== 1)
      throw invalid(field, `needs exactly one of key, key_file and key_env${given.length > 1 ? `, not ${given.join(" and ")}` : ""}`);
    let text: string;
    if (k.key !== undefined) text = k.key;
    else if (k.key_env !== undefined) {
      const value = env[k.key_env];
      if (value === undefined || value === "") throw invalid(`${field}.key_env`, `names ${k.key_env}, which is not set`);
      text = value;
    } else {
      const file = path.resolve(path.dirname(origin), k.key_file!);
      try {
        text = fs.readFileSync(file, "utf8");
      } catch (err) {
        throw invalid(`${field}.key_file`, `cannot be read (${file}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    try {
      keys.set(id, {
        key: verificationKeyFrom(text, k.algorithm, field),
        algorithm: k.algorithm,
        ...(k.scope === undefined ? {} : { scope: k.scope }),
      });
    } catch (err) {
      if (err instanceof BundleError) throw invalid(field, err.message.replace(`${field}: `, ""));
      throw err;
    }
  }
  if (file.key_id !== undefined && !keys.has(file.key_id))
    throw invalid("bundles.verification.key_id", `names ${file.key_id}, which is not in bundles.verification.keys`);
  return {
    keys,
    ...(file.key_id === undefined ? {} : { keyId: file.key_id }),
    ...(file.scope === undefined ? {} : { scope: file.scope }),
    excludeFiles: file.exclude_files ?? [],
    requireSignature: file.require_signature ?? (mode === "production" || file.key_id !== undefined),
  };
}

/** The resolved bundle server settings, or undefined when none is configured. Throws ConfigError. */
export function remoteSettings(
  file: BundlesFile["remote"],
  verification: VerificationConfig | undefined,
  mode: ServiceMode,
  env: Readonly<Record<string, string | undefined>>,
  invalid: (field: string, message: string) => ConfigError,
): RemoteBundleConfig | undefined {
  if (file === undefined) return undefined;
  if (mode === "production" && verification === undefined) {
    throw invalid("bundles.remote", "needs bundles.verification in production: an unverified bundle server decides who is approved");
  }
  const min = file.poll_min_seconds ?? Math.min(REMOTE_DEFAULTS.pollMinSeconds, file.poll_max_seconds ?? Infinity);
  const max = file.poll_max_seconds ?? Math.max(REMOTE_DEFAULTS.pollMaxSeconds, min);
  if (min > max) throw invalid("bundles.remote.poll_min_seconds", `(${min}) must not exceed poll_max_seconds (${max})`);
  const headers: Record<string, string> = { ...(file.headers ?? {}) };
  const bearer = file.credentials?.bearer;
  if (bearer !== undefined) {
    const token = env[bearer.token_env];
    if (token === undefined || token === "")
      throw invalid("bundles.remote.credentials.bearer.token_env", `names ${bearer.token_env}, which is not set`);
    headers["Authorization"] = `${bearer.scheme ?? "Bearer"} ${token}`;
  }
  if (mode === "production" && file.url.startsWith("http://") && bearer !== undefined) {
    throw invalid("bundles.remote.url", "must be https when a bearer token is sent (production)");
  }
  return {
    url: file.url,
    pollMinMs: Math.round(min * 1000),
    pollMaxMs: Math.round(max * 1000),
    timeoutMs: Math.round((file.timeout_seconds ?? REMOTE_DEFAULTS.timeoutSeconds) * 1000),
    headers,
    cacheDir: path.resolve(file.cache_dir ?? REMOTE_DEFAULTS.cacheDir),
  };
}
