/**
 * Masking: a copy of a document with the values at a policy's `mask` pointers replaced, so logs, the audit
 * trail and Teams cards can show a request without its secrets.
 *
 * Only the containers on the way to a masked value are copied; the rest is shared with the original, which
 * is never modified. A pointer that names nothing masks nothing; a pointer that is not a valid JSON
 * pointer masks the whole document, because it is impossible to tell what it meant to hide.
 */

import { parseJsonPointer } from "./json-pointer";

/** What a masked value is replaced with by default. */
export const MASK_MARKER = "[MASKED]";

/** Computes the replacement for one masked value (the audit trail adds a salted hash, for example). */
export type MaskReplacer = (value: unknown, pointer: string) => unknown;

/** The document with each value named by `pointers` replaced by `replace(value)` (MASK_MARKER by default). */
export function maskDocument<T>(doc: T, pointers: readonly string[], replace: MaskReplacer = () => MASK_MARKER): T {
  let out: unknown = doc;
  for (const pointer of pointers) {
    const tokens = parseJsonPointer(pointer);
    if (tokens === null) return replace(doc, "") as T;
    out = maskAt(out, tokens, 0, pointer, replace);
  }
  return out as T;
}

function maskAt(node: unknown, tokens: readonly string[], i: number, pointer: string, replace: MaskReplacer): unknown {
  if (i === tokens.length) return replace(node, pointer);
  const token = tokens[i]!;
  if (Array.isArray(node)) {
    if (!/^(0|[1-9]\d*)$/.test(token)) return node;
    const index = Number(token);
    if (index >= node.length) return node;
    const copy = [...node];
    copy[index] = maskAt(node[index], tokens, i + 1, pointer, replace);
    return copy;
  }
  if (typeof node === "object" && node !== null) {
    if (!Object.prototype.hasOwnProperty.call(node, token)) return node;
    const record = node as Record<string, unknown>;
    return { ...record, [token]: maskAt(record[token], tokens, i + 1, pointer, replace) };
  }
  return node;
}
