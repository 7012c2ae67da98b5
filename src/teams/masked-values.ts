/**
 * The values a mask hid, and a scrubber that removes them from text, so a policy reason, a comment or any
 * other string that happens to echo a masked value cannot carry it onto a card.
 *
 * Masking replaces values at JSON pointers; what was hidden is found by walking the original and the masked
 * copy side by side (shared or equal parts are skipped), so this works with any masker. Values shorter than
 * MIN_SCRUBBED_LENGTH characters are not searched for in free text: they would match everywhere and protect
 * nothing. They are still masked in their own field.
 */

import { MASK_MARKER } from "../observability/masking";

/** Shortest hidden value that is also scrubbed from free text. */
export const MIN_SCRUBBED_LENGTH = 3;

/** What a scrubbed occurrence is replaced with: the same display marker as a masked field. */
export const SCRUBBED_MARKER = MASK_MARKER;

/** The string forms of every leaf value present in `original` but changed or removed in `masked`, longest first. */
export function maskedValues(original: unknown, masked: unknown): string[] {
  const found = new Set<string>();
  collect(original, masked, found);
  return [...found].sort((a, b) => b.length - a.length);
}

/** `text` with every occurrence of each of `secrets` replaced by SCRUBBED_MARKER. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(SCRUBBED_MARKER);
  }
  return out;
}

/** A deep copy of a JSON value with every string scrubbed (keys included). */
export function scrubJson<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  return scrubNode(value, secrets) as T;
}

function scrubNode(node: unknown, secrets: readonly string[]): unknown {
  if (typeof node === "string") return scrubText(node, secrets);
  if (Array.isArray(node)) return node.map((item) => scrubNode(item, secrets));
  if (isRecord(node)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(node)) out[scrubText(key, secrets)] = scrubNode(item, secrets);
    return out;
  }
  return node;
}

function collect(original: unknown, masked: unknown, found: Set<string>): void {
  if (Object.is(original, masked)) return;
  if (isRecord(original) && isRecord(masked) && Array.isArray(original) === Array.isArray(masked)) {
    for (const key of Object.keys(original)) collect(original[key], masked[key], found);
    return;
  }
  leaves(original, found);
}

function leaves(node: unknown, found: Set<string>): void {
  if (typeof node === "string") {
    if (node.length >= MIN_SCRUBBED_LENGTH) found.add(node);
  } else if (typeof node === "number" || typeof node === "bigint") {
    const text = String(node);
    if (text.length >= MIN_SCRUBBED_LENGTH) found.add(text);
  } else if (isRecord(node)) {
    for (const item of Object.values(node)) leaves(item, found);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
