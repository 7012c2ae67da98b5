/**
 * Verifying a bundle's signature as OPA does before activating it: the JWS in `/.signatures.json` must
 * verify with a configured key, its scope must match, and its `files` list must match the archive exactly —
 * every file (but `/.signatures.json` and the files `exclude_files` names) listed with the right digest,
 * and no listed file missing.
 *
 * The key is chosen by the configured `key_id`, else the JWS header's `kid`, else the payload's deprecated
 * `keyid` claim. A bundle without `/.signatures.json` is refused when a signature is required (production
 * mode, or a `key_id` configured, as OPA does); a signed bundle is refused when no keys are configured,
 * since its signature cannot be checked (OPA's rule too).
 */

import { compactVerify } from "jose";
import type { KeyObject } from "node:crypto";
import { BundleError } from "./bundle-error";
import type { SigningAlgorithm } from "./bundle-keys";
import { fileDigest } from "./file-digest";

/** A key bundles may be signed with. */
export interface VerificationKey {
  readonly key: KeyObject;
  readonly algorithm: SigningAlgorithm;
  /** The scope a token signed with this key must carry, unless the configuration sets one for all. */
  readonly scope?: string;
}

/** `bundles.verification`, resolved (key files read, keys parsed). */
export interface VerificationConfig {
  readonly keys: ReadonlyMap<string, VerificationKey>;
  /** Always verify with this key, whatever the token says. */
  readonly keyId?: string;
  /** The `scope` claim tokens must carry (empty when absent). */
  readonly scope?: string;
  /** Go `path.Match` patterns (`*`, `?`, `[...]`) of archive paths, without the leading `/`, left unverified. */
  readonly excludeFiles: readonly string[];
  /** Refuse bundles without `/.signatures.json`. */
  readonly requireSignature: boolean;
}

/** One archive file, as read. */
export interface ArchiveFile {
  /** Bundle-absolute path (`/data.json`). */
  readonly path: string;
  readonly body: Uint8Array;
}

/** What verification established. */
export type VerificationOutcome =
  | { readonly signed: false }
  | { readonly signed: true; readonly keyId: string; readonly files: number; readonly excluded: readonly string[] };

/** The path of the signatures file in the archive. */
export const SIGNATURES_PATH = "/.signatures.json";

const bad = (message: string, file?: string): BundleError => new BundleError("COUNTERSIGN_BUNDLE_BAD_SIGNATURE", message, file);

/**
 * Verifies the archive's files against its signatures. `signatures` is the raw `/.signatures.json`, absent
 * when the archive has none; `files` are the other entries. Throws BundleError COUNTERSIGN_BUNDLE_UNSIGNED
 * or COUNTERSIGN_BUNDLE_BAD_SIGNATURE. Without a configuration, an unsigned bundle passes as unsigned.
 */
export async function verifyBundleFiles(
  files: readonly ArchiveFile[],
  signatures: Uint8Array | undefined,
  cfg: VerificationConfig | undefined,
): Promise<VerificationOutcome> {
  if (signatures === undefined) {
    if (cfg?.requireSignature === true) {
      throw new BundleError(
        "COUNTERSIGN_BUNDLE_UNSIGNED",
        "the bundle has no /.signatures.json and bundles must be signed (bundles.verification)",
      );
    }
    return { signed: false };
  }
  if (cfg === undefined) {
    throw bad(
      "the bundle is signed (/.signatures.json) but no verification keys are configured (bundles.verification), so it cannot be verified",
    );
  }

  const token = tokenOf(signatures);
  const { keyId, payload } = await verifyToken(token, cfg);
  const listed = listedFiles(payload);

  const excluded: string[] = [];
  for (const f of files) {
    const name = f.path.replace(/^\/+/, "");
    if (cfg.excludeFiles.some((p) => globMatch(p, name))) {
      listed.delete(name);
      excluded.push(name);
      continue;
    }
    const want = listed.get(name);
    if (want === undefined) throw bad(`file ${name} is not included in the bundle signature`, f.path);
    if (want.algorithm === "") throw bad(`no hashing algorithm given for file ${name} in the bundle signature`, f.path);
    const got = fileDigest(name, f.body, want.algorithm);
    if (got !== want.hash.toLowerCase()) throw bad(`${name}: digest mismatch (signed ${want.hash}, found ${got})`, f.path);
    listed.delete(name);
  }
  if (listed.size > 0) {
    throw bad(`file(s) ${[...listed.keys()].sort().join(", ")} listed in the bundle signature but not found in the bundle`);
  }
  return { signed: true, keyId, files: files.length - excluded.length, excluded };
}

/** The one JWS of `/.signatures.json`. */
function tokenOf(raw: Uint8Array): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw).toString("utf8"));
  } catch (err) {
    throw bad(`.signatures.json: not JSON (${(err as Error).message})`, SIGNATURES_PATH);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw bad(".signatures.json: must be a JSON object", SIGNATURES_PATH);
  const { signatures, plugin } = parsed as { signatures?: unknown; plugin?: unknown };
  if (plugin !== undefined && plugin !== "")
    throw bad(`.signatures.json: signature plugin '${String(plugin)}' is not supported`, SIGNATURES_PATH);
  if (signatures !== undefined && (!Array.isArray(signatures) || !signatures.every((s) => typeof s === "string"))) {
    throw bad('.signatures.json: "signatures" must be a list of strings', SIGNATURES_PATH);
  }
  const list = (signatures ?? []) as string[];
  if (list.length === 0) throw bad(".signatures.json: missing JWT (expected exactly one)", SIGNATURES_PATH);
  if (list.length > 1) throw bad(".signatures.json: multiple JWTs are not supported (expected exactly one)", SIGNATURES_PATH);
  return list[0]!;
}

async function verifyToken(token: string, cfg: VerificationConfig): Promise<{ keyId: string; payload: Record<string, unknown> }> {
  const parts = token.split(".");
  if (parts.length !== 3) throw bad(".signatures.json: the JWT is not in compact form (three dot-separated parts)", SIGNATURES_PATH);
  const header = decodePart(parts[0]!, "header");
  const unverified = decodePart(parts[1]!, "payload");
  const keyId = nonEmpty(cfg.keyId) ?? nonEmptyString(header["kid"]) ?? nonEmptyString(unverified["keyid"]);
  if (keyId === undefined)
    throw bad(
      "the bundle signature names no key (no kid header, no keyid claim) and bundles.verification.key_id is not set",
      SIGNATURES_PATH,
    );
  const key = cfg.keys.get(keyId);
  if (key === undefined) throw bad(`verification key '${keyId}' is not configured (bundles.verification.keys)`, SIGNATURES_PATH);
  let payload: Record<string, unknown>;
  try {
    const verified = await compactVerify(token, key.key, { algorithms: [key.algorithm] });
    payload = JSON.parse(Buffer.from(verified.payload).toString("utf8")) as Record<string, unknown>;
  } catch (err) {
    throw bad(`the bundle signature does not verify with key '${keyId}' (${key.algorithm}): ${(err as Error).message}`, SIGNATURES_PATH);
  }
  const scope = nonEmpty(cfg.scope) ?? key.scope ?? "";
  const claimed = typeof payload["scope"] === "string" ? payload["scope"] : "";
  if (claimed !== scope) throw bad(`scope mismatch: the signature has scope '${claimed}', '${scope}' is required`, SIGNATURES_PATH);
  return { keyId, payload };
}

function listedFiles(payload: Record<string, unknown>): Map<string, { hash: string; algorithm: string }> {
  const files = payload["files"];
  if (!Array.isArray(files)) throw bad('the bundle signature\'s payload has no "files" list', SIGNATURES_PATH);
  const out = new Map<string, { hash: string; algorithm: string }>();
  for (const f of files) {
    if (typeof f !== "object" || f === null) throw bad('the bundle signature\'s "files" holds a non-object', SIGNATURES_PATH);
    const { name, hash, algorithm } = f as { name?: unknown; hash?: unknown; algorithm?: unknown };
    if (typeof name !== "string" || typeof hash !== "string")
      throw bad("each file of the bundle signature needs a string name and hash", SIGNATURES_PATH);
    out.set(name.replace(/^\/+/, ""), { hash, algorithm: typeof algorithm === "string" ? algorithm : "" });
  }
  return out;
}

function decodePart(part: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as unknown;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw bad(`.signatures.json: the JWT ${what} is not base64url-encoded JSON`, SIGNATURES_PATH);
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === "" ? undefined : s;
}

function nonEmptyString(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** Go's `path.Match`: `*` any run of non-`/` characters, `?` one such character, `[...]`/`[^...]` a class. */
export function globMatch(pattern: string, name: string): boolean {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "\\" && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) return false; // Go: ErrBadPattern, which OPA treats as no match
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith("^");
      if (negate) body = body.slice(1);
      re += (negate ? "[^/" : "[") + body.replace(/[\]\\]/g, "\\$&") + "]";
      i = end;
    } else re += escapeRe(c);
  }
  try {
    return new RegExp(re + "$", "u").test(name);
  } catch {
    return false;
  }
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
