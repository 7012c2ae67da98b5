/**
 * The digest of one bundle file as OPA's bundle signatures record it.
 *
 * Unstructured files (Rego, wasm, anything else) are hashed as bytes. Structured files — a base name of
 * `data.json`, `data.yaml`, `.manifest` or `signatures.json`, exactly the set OPA treats so — are parsed and
 * hashed in a canonical form, so whitespace and key order do not matter: an object is `{`, its keys in byte
 * order each as a JSON string, `:`, the value's form, separated by `,`, then `}`; an array is `[`, its
 * elements separated by `,`, `]`; a scalar is written as Go's JSON encoder writes it without HTML escaping.
 * Numbers keep their literal text (OPA decodes them as json.Number), so `1.0` and `1` differ. Note that
 * `data.yml` is not in OPA's set: it is hashed as bytes, here as there.
 */

import { createHash } from "node:crypto";
import * as path from "node:path";
import { isLosslessNumber, parse as parseLossless } from "lossless-json";
import * as YAML from "yaml";
import { BundleError } from "./bundle-error";

/** Hash algorithm names as they appear in a signature's `files[].algorithm`, with Node's digest name. */
export const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  MD5: "md5",
  "SHA-1": "sha1",
  "SHA-224": "sha224",
  "SHA-256": "sha256",
  "SHA-384": "sha384",
  "SHA-512": "sha512",
  "SHA-512-224": "sha512-224",
  "SHA-512-256": "sha512-256",
};

/** The algorithm written by `countersign build --signing-key`, as by `opa build`/`opa sign`. */
export const DEFAULT_HASH_ALGORITHM = "SHA-256";

const STRUCTURED_BASE_NAMES = new Set(["data.json", "data.yaml", ".manifest", "signatures.json"]);

/** Whether OPA hashes a file of this path in its canonical JSON form rather than as bytes. */
export function isStructuredFile(file: string): boolean {
  return STRUCTURED_BASE_NAMES.has(path.posix.basename(file));
}

/**
 * The lower-case hex digest of a file. Throws BundleError COUNTERSIGN_BUNDLE_BAD_SIGNATURE for an unknown
 * algorithm and COUNTERSIGN_BUNDLE_BAD_JSON for a structured file that does not parse.
 */
export function fileDigest(file: string, body: Uint8Array, algorithm: string): string {
  const nodeName = HASH_ALGORITHMS[algorithm.toUpperCase()];
  if (nodeName === undefined) {
    throw new BundleError("COUNTERSIGN_BUNDLE_BAD_SIGNATURE", `unsupported hashing algorithm '${algorithm}' for ${file}`, file);
  }
  const hash = createHash(nodeName);
  if (isStructuredFile(file)) hash.update(canonicalForm(file, body), "utf8");
  else hash.update(body);
  return hash.digest("hex");
}

/** The canonical text OPA hashes for a structured file. */
export function canonicalForm(file: string, body: Uint8Array): string {
  const text = Buffer.from(body).toString("utf8");
  let value: unknown;
  try {
    value = file.endsWith(".yaml") ? (YAML.parse(text) ?? null) : parseLossless(text);
  } catch (err) {
    throw new BundleError("COUNTERSIGN_BUNDLE_BAD_JSON", `${file}: ${(err as Error).message}`, file);
  }
  return encode(value);
}

function encode(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (isLosslessNumber(v)) return v.value;
  if (typeof v === "number") return Number.isFinite(v) ? JSON.stringify(v) : "null";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "string") return goJsonString(v);
  if (Array.isArray(v)) return "[" + v.map(encode).join(",") + "]";
  if (v instanceof Date) return goJsonString(v.toISOString());
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
  return "{" + keys.map((k) => goJsonString(k) + ":" + encode(obj[k])).join(",") + "}";
}

/**
 * A string as Go's json.Encoder writes it with HTML escaping off: like JSON.stringify, except that U+2028
 * and U+2029 are escaped and an unpaired surrogate becomes U+FFFD (Go decodes it so).
 */
export function goJsonString(s: string): string {
  return JSON.stringify(s)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029")
    .replace(/\\ud[89a-f][0-9a-f]{2}/g, "\ufffd");
}
