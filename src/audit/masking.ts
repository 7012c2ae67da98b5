/**
 * Masking sensitive values before they reach the trail, logs or a Teams card: each value is replaced by
 * `{"$masked": "sha256:<hex>"}`, where hex is HMAC-SHA256(salt, canonical JSON of the value).
 *
 * Why a keyed digest rather than a plain hash or a blank: an auditor who holds the value (and the
 * deployment's salt) can prove what was sent by recomputing the digest, while a reader of the log alone
 * cannot confirm guesses of low-entropy values (a plain SHA-256 of "hunter2" is one dictionary lookup away).
 * Values are masked at the policy's `mask` pointers, and at every member whose key is a well-known secret
 * name (`password`, `token`, `authorization`, …) anywhere in the document, whatever the policy says.
 *
 * Pure functions, no I/O: the trail, the structured logs and the Teams cards all call the same code.
 */

import { createHmac } from "node:crypto";
import type { JsonValue } from "../bundle/bundle";
import { canonicalJson } from "./canonical-json";
import { arrayIndex, formatJsonPointer, parseJsonPointer } from "./json-pointer";

/** What a masked value is replaced with. */
export interface MaskedValue {
  readonly $masked: string;
}

/**
 * Member names whose values are always masked, compared case-insensitively with `-` and `_` removed
 * (so `API_KEY`, `api-key` and `apiKey` all match `apikey`).
 */
export const ALWAYS_MASKED_KEYS: ReadonlySet<string> = new Set([
  "password",
  "passwd",
  "passphrase",
  "secret",
  "clientsecret",
  "token",
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "sessiontoken",
  "apikey",
  "xapikey",
  "authorization",
  "proxyauthorization",
  "cookie",
  "setcookie",
  "privatekey",
  "credential",
  "credentials",
]);

/** Normalises a member name for comparison with ALWAYS_MASKED_KEYS. */
export function normaliseKey(key: string): string {
  let n = normalised.get(key);
  if (n === undefined) {
    n = key.toLowerCase().replace(/[-_]/g, "");
    // Member names repeat from one request to the next; the cache only bounds its own size.
    if (normalised.size >= 10_000) normalised.clear();
    normalised.set(key, n);
  }
  return n;
}

const normalised = new Map<string, string>();

/** The digest text for a value: `sha256:` + hex HMAC-SHA256(salt, canonical JSON of the value). */
export function maskDigest(value: unknown, salt: Uint8Array): string {
  return "sha256:" + createHmac("sha256", salt).update(canonicalJson(value), "utf8").digest("hex");
}

/** The marker that replaces a value. */
export function maskedMarker(value: unknown, salt: Uint8Array): MaskedValue {
  return { $masked: maskDigest(value, salt) };
}

/** True for a masking marker (a one-member object `{"$masked": string}`). */
export function isMaskedMarker(value: unknown): value is MaskedValue {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === "$masked" && typeof (value as MaskedValue).$masked === "string";
}

/** How to mask a document. */
export interface MaskOptions {
  /** The per-deployment secret keying the digests. */
  readonly salt: Uint8Array;
  /** JSON pointers (RFC 6901) whose values are masked; pointers naming nothing are ignored. */
  readonly pointers?: readonly string[];
  /** Normalised member names masked anywhere; default ALWAYS_MASKED_KEYS. Pass an empty set to mask pointers only. */
  readonly keys?: ReadonlySet<string>;
}

/** A masked copy of a document and what was masked. */
export interface MaskResult {
  readonly value: JsonValue;
  /** Pointers (into the document) of every value that was replaced, in document order of discovery. */
  readonly masked: readonly string[];
  /** Pointers given that are not valid RFC 6901 text (nothing was masked for them). */
  readonly invalidPointers: readonly string[];
}

/**
 * Masks a JSON document: the values at `pointers`, then every member whose normalised name is in `keys`.
 * The input is not modified; a value that is already a marker is left as it is, so masking twice is harmless.
 */
export function maskDocument(document: JsonValue, opts: MaskOptions): MaskResult {
  const keys = opts.keys ?? ALWAYS_MASKED_KEYS;
  const masked: string[] = [];
  const invalidPointers: string[] = [];
  let value = document;
  for (const pointer of opts.pointers ?? []) {
    const tokens = parseJsonPointer(pointer);
    if (tokens === null) {
      invalidPointers.push(pointer);
      continue;
    }
    value = maskAt(value, tokens, 0, opts.salt, () => masked.push(formatJsonPointer(tokens)));
  }
  if (keys.size > 0) value = maskKeys(value, keys, opts.salt, [], masked);
  return { value, masked, invalidPointers };
}

/** Replaces the value at tokens[i..] inside `node`, copying only the path to it. */
function maskAt(node: JsonValue, tokens: readonly string[], i: number, salt: Uint8Array, onMasked: () => void): JsonValue {
  if (isMaskedMarker(node)) return node;
  if (i === tokens.length) {
    onMasked();
    return maskedMarker(node, salt) as unknown as JsonValue;
  }
  const token = tokens[i] as string;
  if (Array.isArray(node)) {
    const index = arrayIndex(token, node.length);
    if (index === null) return node;
    const copy = node.slice();
    copy[index] = maskAt(node[index] as JsonValue, tokens, i + 1, salt, onMasked);
    return copy;
  }
  if (node !== null && typeof node === "object" && Object.prototype.hasOwnProperty.call(node, token)) {
    return { ...node, [token]: maskAt(node[token] as JsonValue, tokens, i + 1, salt, onMasked) };
  }
  return node;
}

/** Masks members with secret names anywhere below `node`; returns `node` itself when nothing changed. */
function maskKeys(node: JsonValue, keys: ReadonlySet<string>, salt: Uint8Array, path: string[], masked: string[]): JsonValue {
  if (node === null || typeof node !== "object" || isMaskedMarker(node)) return node;
  if (Array.isArray(node)) {
    let copy: JsonValue[] | null = null;
    for (let i = 0; i < node.length; i++) {
      path.push(String(i));
      const next = maskKeys(node[i] as JsonValue, keys, salt, path, masked);
      path.pop();
      if (next !== node[i]) (copy ??= node.slice())[i] = next;
    }
    return copy ?? node;
  }
  let copy: { [key: string]: JsonValue } | null = null;
  for (const key of Object.keys(node)) {
    const child = node[key] as JsonValue;
    path.push(key);
    let next: JsonValue;
    if (keys.has(normaliseKey(key)) && !isMaskedMarker(child)) {
      masked.push(formatJsonPointer(path));
      next = maskedMarker(child, salt) as unknown as JsonValue;
    } else {
      next = maskKeys(child, keys, salt, path, masked);
    }
    path.pop();
    if (next !== child) defineMember((copy ??= { ...node }), key, next);
  }
  return copy ?? node;
}

/** Sets an own member, even one named `__proto__` (plain assignment would change the prototype instead). */
function defineMember(target: { [key: string]: JsonValue }, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}
