/**
 * The values a mask hid, where they were (RFC 6901 pointers), and a scrubber that removes them from the
 * text a card or message displays, so a policy reason, a comment or another field that happens to repeat a
 * masked value cannot carry it onto a card.
 *
 * Masking replaces values at JSON pointers; what was hidden is found by walking the original and the masked
 * copy side by side (shared or equal parts are skipped), so this works with any masker.
 *
 * Scrubbing applies to displayed text only, never to card structure (verbs, data keys, ids, input ids): a
 * masked value `"app"` must not turn the verb `countersign.approve` into something else. Within displayed
 * text a masked value is replaced wherever it stands as a value or a word of its own, whatever its length;
 * values of SUBSTRING_SCRUB_LENGTH characters or more are replaced inside longer words too. A shorter value
 * inside a longer word (`app` in `approve`) is left alone: it says nothing about the hidden value, and
 * replacing it would make every comment unreadable. A value with surrounding whitespace is looked for with
 * and without it; whitespace-only values are not searched for.
 */

import { MASK_MARKER } from "../json/document-masking";

/** Shortest hidden value that is also replaced where it is part of a longer word. */
export const SUBSTRING_SCRUB_LENGTH = 4;

/** What a scrubbed occurrence is replaced with: the same display marker as a masked field. */
export const SCRUBBED_MARKER = MASK_MARKER;

/** The string forms of every leaf value present in `original` but changed or removed in `masked`, longest first. */
export function maskedValues(original: unknown, masked: unknown): string[] {
  const found = new Set<string>();
  collect(original, masked, "", found, undefined);
  return [...found].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
}

/** The RFC 6901 pointers at which `masked` hides something of `original`, in document order. */
export function hiddenPointers(original: unknown, masked: unknown): string[] {
  const pointers: string[] = [];
  collect(original, masked, "", new Set(), pointers);
  return pointers;
}

/**
 * `text` with every occurrence of each of `secrets` replaced by SCRUBBED_MARKER: where it stands alone
 * (not part of a longer word: where the secret ends in a letter, digit or mark, the text beside it does not
 * continue with one), and, for secrets of SUBSTRING_SCRUB_LENGTH or more characters, anywhere. Markers already in the text are kept as they are,
 * so scrubbing twice gives the same text.
 */
export function scrubText(text: string, secrets: readonly string[]): string {
  return textScrubber(secrets)(text);
}

/** A text with the masked values it was prepared for scrubbed out (`textScrubber`). */
export type TextScrubber = (text: string) => string;

/** The scrubber of no secrets: every text as it is. */
const NOTHING_TO_SCRUB: TextScrubber = (text) => text;

/**
 * `scrubText` with the secrets prepared once, for scrubbing many texts with the same secrets (every leaf of
 * a view). A text that contains none of them comes back as it is without being walked: most texts of a
 * page hold no masked value.
 */
export function textScrubber(secrets: readonly string[]): TextScrubber {
  // A value with surrounding whitespace is also looked for without it (folded text loses that whitespace).
  const usable = [...new Set(secrets.flatMap((s) => [s, s.trim()]))].filter((s) => s.trim() !== "");
  if (usable.length === 0) return NOTHING_TO_SCRUB;
  const ordered = usable.sort((a, b) => b.length - a.length);
  return (text) => (ordered.some((secret) => text.includes(secret)) ? scrubWalk(text, ordered) : text);
}

/** The scrub itself, position by position; `ordered` is longest first. */
function scrubWalk(text: string, ordered: readonly string[]): string {
  let out = "";
  let i = 0;
  outer: while (i < text.length) {
    if (text.startsWith(SCRUBBED_MARKER, i)) {
      out += SCRUBBED_MARKER;
      i += SCRUBBED_MARKER.length;
      continue;
    }
    for (const secret of ordered) {
      if (!text.startsWith(secret, i)) continue;
      const end = i + secret.length;
      if (secret.length >= SUBSTRING_SCRUB_LENGTH || standsAlone(text, i, end, secret)) {
        out += SCRUBBED_MARKER;
        i = end;
        continue outer;
      }
    }
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    out += text.slice(i, i + width);
    i += width;
  }
  return out;
}

/**
 * A copy of a JSON value with `scrub` (a `textScrubber`, the same one the view uses for its other texts)
 * applied to every string value (object keys are left as they are): for views that show a masked document
 * whole (the console's request page, the API's request view), where an unmasked field may repeat a masked
 * value. With nothing to scrub, the value itself.
 */
export function scrubLeaves(value: unknown, scrub: TextScrubber): unknown {
  if (scrub === NOTHING_TO_SCRUB) return value;
  if (typeof value === "string") return scrub(value);
  if (Array.isArray(value)) return value.map((item) => scrubLeaves(item, scrub));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubLeaves(v, scrub)]));
  return value;
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;

/**
 * True when the secret at [start, end) of text is not part of a longer word: at each edge where the secret
 * itself ends in a letter, digit or mark, the text beside it does not continue with one. An edge that is
 * punctuation or space ("* ", "-x") joins no word, whatever stands next to it.
 */
function standsAlone(text: string, start: number, end: number, secret: string): boolean {
  const first = secret.codePointAt(0);
  const last = [...secret].at(-1)?.codePointAt(0);
  const leftJoins = isWordChar(first) && isWordChar(codePointBefore(text, start));
  const rightJoins = isWordChar(last) && isWordChar(text.codePointAt(end));
  return !leftJoins && !rightJoins;
}

function isWordChar(codePoint: number | undefined): boolean {
  return codePoint !== undefined && WORD_CHAR.test(String.fromCodePoint(codePoint));
}

function codePointBefore(text: string, i: number): number | undefined {
  if (i === 0) return undefined;
  const low = text.charCodeAt(i - 1);
  if (low >= 0xdc00 && low <= 0xdfff && i >= 2) {
    const high = text.charCodeAt(i - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.codePointAt(i - 2);
  }
  return low;
}

function collect(original: unknown, masked: unknown, pointer: string, found: Set<string>, pointers: string[] | undefined): void {
  if (Object.is(original, masked)) return;
  if (isRecord(original) && isRecord(masked) && Array.isArray(original) === Array.isArray(masked)) {
    for (const key of Object.keys(original)) collect(original[key], masked[key], `${pointer}/${escapeToken(key)}`, found, pointers);
    return;
  }
  if (!isRecord(original) && !isRecord(masked) && original === masked) return;
  pointers?.push(pointer);
  leaves(original, found);
}

function leaves(node: unknown, found: Set<string>): void {
  if (typeof node === "string") {
    if (node !== "") found.add(node);
  } else if (typeof node === "number" || typeof node === "bigint") {
    found.add(String(node));
  } else if (isRecord(node)) {
    for (const item of Object.values(node)) leaves(item, found);
  }
}

function escapeToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
