/**
 * Masking: the one place that walks a JSON document and replaces sensitive values, for everything that shows
 * or stores a request — the decision log, the approval views reviewers read, the Teams cards and the audit
 * trail.
 *
 * Two things are masked: the values at a policy's `mask` pointers (RFC 6901), and every member whose name is
 * a well-known secret (`password`, `token`, `authorization`, …; ALWAYS_MASKED_KEYS) anywhere in the
 * document, whatever the policy says. What replaces a value is the caller's choice (a `MaskReplacer`):
 * wherever a request is displayed (logs, API views, cards) it is MASK_MARKER, `[MASKED]`; the audit trail
 * stores a salted digest instead (`src/audit/masking.ts`), so an auditor holding a value can prove it.
 *
 * Only the containers on the way to a masked value are copied; the rest is shared with the original, which
 * is never modified. A pointer that names nothing masks nothing. A pointer that is not a valid JSON pointer
 * masks the whole document by default, because it is impossible to tell what it meant to hide.
 */

import { arrayIndex, formatJsonPointer, parseJsonPointer } from "./json-pointer";

/** What a masked value is replaced with wherever a request is displayed (logs, approval views, Teams cards). */
export const MASK_MARKER = "[MASKED]";

/** Computes the replacement for one masked value, given the pointer it sits at (the audit trail adds a salted digest). */
export type MaskReplacer = (value: unknown, pointer: string) => unknown;

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

const normalised = new Map<string, string>();

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

/** How to mask. */
export interface MaskOptions {
  /** The replacement of each masked value; default MASK_MARKER. */
  readonly replace?: MaskReplacer;
  /** Normalised member names masked anywhere; default ALWAYS_MASKED_KEYS. An empty set masks pointers only. */
  readonly keys?: ReadonlySet<string>;
  /** Values that are already masked (a replacement), left as they are, so masking twice is harmless. */
  readonly isMasked?: (value: unknown) => boolean;
  /** What a pointer that is not RFC 6901 text does: mask the whole document (default), or nothing (reported). */
  readonly invalidPointers?: "mask-document" | "ignore";
}

/** A masked copy of a document and what was masked. */
export interface MaskResult<T> {
  readonly value: T;
  /** Pointers (into the document) of every value that was replaced, in order of discovery. */
  readonly masked: readonly string[];
  /** Pointers given that are not valid RFC 6901 text. */
  readonly invalidPointers: readonly string[];
}

const DISPLAY: MaskReplacer = () => MASK_MARKER;
const NEVER = (): boolean => false;

/** Masks the values at `pointers` and every secret-named member of `doc`, reporting what it replaced. */
export function maskJson<T>(doc: T, pointers: readonly string[], opts: MaskOptions = {}): MaskResult<T> {
  const replace = opts.replace ?? DISPLAY;
  const keys = opts.keys ?? ALWAYS_MASKED_KEYS;
  const isMasked = opts.isMasked ?? NEVER;
  const masked: string[] = [];
  const invalidPointers: string[] = [];
  let value: unknown = doc;
  for (const pointer of pointers) {
    const tokens = parseJsonPointer(pointer);
    if (tokens === null) {
      invalidPointers.push(pointer);
      if (opts.invalidPointers === "ignore") continue;
      masked.push("");
      return { value: replace(doc, "") as T, masked, invalidPointers };
    }
    value = maskAt(value, tokens, 0, { replace, isMasked, onMasked: (p) => masked.push(p) });
  }
  if (keys.size > 0) value = maskKeys(value, { keys, replace, isMasked, path: [], masked });
  return { value: value as T, masked, invalidPointers };
}

/** `doc` masked for display: values at `pointers` and secret-named members replaced (MASK_MARKER by default). */
export function maskDocument<T>(doc: T, pointers: readonly string[], replace: MaskReplacer = DISPLAY): T {
  return maskJson(doc, pointers, { replace }).value;
}

interface PointerWalk {
  readonly replace: MaskReplacer;
  readonly isMasked: (value: unknown) => boolean;
  readonly onMasked: (pointer: string) => void;
}

/** Replaces the value at tokens[i..] inside `node`, copying only the path to it. */
function maskAt(node: unknown, tokens: readonly string[], i: number, walk: PointerWalk): unknown {
  if (walk.isMasked(node)) return node;
  if (i === tokens.length) {
    const pointer = formatJsonPointer(tokens);
    walk.onMasked(pointer);
    return walk.replace(node, pointer);
  }
  const token = tokens[i] as string;
  if (Array.isArray(node)) {
    const index = arrayIndex(token, node.length);
    if (index === null) return node;
    const copy = node.slice();
    copy[index] = maskAt(node[index], tokens, i + 1, walk);
    return copy;
  }
  if (node !== null && typeof node === "object" && Object.prototype.hasOwnProperty.call(node, token)) {
    const record = node as Record<string, unknown>;
    const copy = { ...record };
    defineMember(copy, token, maskAt(record[token], tokens, i + 1, walk));
    return copy;
  }
  return node;
}

interface KeyWalk {
  readonly keys: ReadonlySet<string>;
  readonly replace: MaskReplacer;
  readonly isMasked: (value: unknown) => boolean;
  readonly path: string[];
  readonly masked: string[];
}

/** Masks members with secret names anywhere below `node`; returns `node` itself when nothing changed. */
function maskKeys(node: unknown, walk: KeyWalk): unknown {
  if (node === null || typeof node !== "object" || walk.isMasked(node)) return node;
  const { path } = walk;
  if (Array.isArray(node)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < node.length; i++) {
      path.push(String(i));
      const next = maskKeys(node[i], walk);
      path.pop();
      if (next !== node[i]) (copy ??= node.slice())[i] = next;
    }
    return copy ?? node;
  }
  const record = node as Record<string, unknown>;
  let copy: Record<string, unknown> | null = null;
  for (const key of Object.keys(record)) {
    const child = record[key];
    path.push(key);
    let next: unknown;
    if (walk.keys.has(normaliseKey(key)) && !walk.isMasked(child)) {
      const pointer = formatJsonPointer(path);
      walk.masked.push(pointer);
      next = walk.replace(child, pointer);
    } else {
      next = maskKeys(child, walk);
    }
    path.pop();
    if (next !== child) defineMember((copy ??= { ...record }), key, next);
  }
  return copy ?? node;
}

/** Sets an own member, even one named `__proto__` (plain assignment would change the prototype instead). */
function defineMember(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}
