/**
 * Signing a bundle as `opa build --signing-key` and `opa sign` do: a JWS (compact form) whose payload lists
 * every file of the bundle with the digest of its content (see file-digest.ts), stored as
 * `{"signatures": [<jws>]}` in `/.signatures.json`.
 *
 * The payload is `{"files": [{name, hash, algorithm}], ...claims}`; names are paths inside the archive
 * without the leading `/` (`data.json`, `policy.wasm`, `.manifest`, `a/b.rego`). With a key id and no claims
 * file, the id is also written as the deprecated `keyid` claim, as OPA writes it; the JWS header carries it
 * as `kid` either way.
 */

import { CompactSign } from "jose";
import type { KeyObject } from "node:crypto";
import type { Bundle, JsonObject } from "./bundle";
import { BundleError } from "./bundle-error";
import { signedEntriesOf } from "./bundle-writer";
import { DEFAULT_HASH_ALGORITHM, fileDigest } from "./file-digest";
import type { SigningAlgorithm } from "./bundle-keys";

/** One file a signature covers. */
export interface SignedFile {
  readonly name: string;
  readonly hash: string;
  readonly algorithm: string;
}

/** How to sign. */
export interface SigningConfig {
  readonly key: KeyObject;
  readonly algorithm: SigningAlgorithm;
  /** Written as the JWS `kid` header (and the `keyid` claim when there are no claims). */
  readonly keyId?: string;
  /** Extra payload claims (`scope`, `iss`, `iat`, …), from `--claims-file`. */
  readonly claims?: JsonObject;
}

/** The digests of a bundle's files as it will be written. */
export function signedFilesOf(bundle: Bundle): SignedFile[] {
  return signedEntriesOf(bundle).map((e) => {
    const name = e.name.replace(/^\/+/, "");
    return { name, hash: fileDigest(name, e.body, DEFAULT_HASH_ALGORITHM), algorithm: DEFAULT_HASH_ALGORITHM };
  });
}

/** The compact JWS over the given files. */
export async function signFiles(files: readonly SignedFile[], cfg: SigningConfig): Promise<string> {
  const payload: Record<string, unknown> = { files };
  if (cfg.claims !== undefined) {
    for (const [k, v] of Object.entries(cfg.claims)) if (k !== "files") payload[k] = v;
  } else if (cfg.keyId !== undefined && cfg.keyId !== "") {
    payload["keyid"] = cfg.keyId;
  }
  const header = { alg: cfg.algorithm, ...(cfg.keyId === undefined || cfg.keyId === "" ? {} : { kid: cfg.keyId }) };
  try {
    return await new CompactSign(Buffer.from(JSON.stringify(payload), "utf8")).setProtectedHeader(header).sign(cfg.key);
  } catch (err) {
    throw new BundleError("COUNTERSIGN_BUNDLE_BAD_KEY", `cannot sign with ${cfg.algorithm}: ${(err as Error).message}`);
  }
}

/** The bundle with `/.signatures.json` covering every other file of it. */
export async function signBundle(bundle: Bundle, cfg: SigningConfig): Promise<Bundle> {
  const token = await signFiles(signedFilesOf(bundle), cfg);
  return { ...bundle, signatures: { signatures: [token] } };
}
