/**
 * Turning untrusted values (a caller's reason, a reviewer's comment, request parameters) into safe card
 * text: one line, bounded length, invisible and direction-changing characters shown as escapes, and no
 * Markdown that could disguise a link or restyle the card.
 */

/** Longest single value shown on a card; longer values are cut with an ellipsis. */
export const MAX_VALUE_LENGTH = 300;

/**
 * `value` as inert card text. Adaptive Card TextBlocks and FactSets render a Markdown subset: a zero-width
 * space between `]` and `(` keeps `[click here](https://…)` from becoming a disguised link (on every client,
 * including those that ignore backslash escapes), and emphasis and code characters are escaped.
 */
export function cardText(value: string, maxLength: number = MAX_VALUE_LENGTH): string {
  const line = truncate(escapeInvisible(oneLine(value)), maxLength);
  return line.replace(/[\\*`]/g, (c) => `\\${c}`).replace(/\]\s*\(/g, "]\u200b(");
}

/** Whitespace runs (newlines included) as one space, trimmed. */
export function oneLine(value: string): string {
  return value.replace(/\s+/g, " ").trim();
}

/**
 * Control, format (zero-width, joiners, bidi embeddings, overrides and isolates, tag characters), private-use
 * and unassigned characters written as visible escapes (`\u200b`, `\u{e0041}`): `prod\u200buction` cannot pass
 * for `production`, and a right-to-left override cannot make `gnp.exe` read as `exe.png`.
 */
export function escapeInvisible(value: string): string {
  return value.replace(INVISIBLE, (c) => {
    const cp = c.codePointAt(0)!;
    return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, "0")}`;
  });
}

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/gu;

/** `text` cut to at most `maxLength` characters, ending with an ellipsis when cut. */
export function truncate(text: string, maxLength: number): string {
  const chars = Array.from(text);
  if (chars.length <= maxLength) return text;
  return `${chars.slice(0, Math.max(0, maxLength - 1)).join("")}…`;
}

/** A JSON value as one line of text (strings as they are, everything else as compact JSON). */
export function valueText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Epoch milliseconds as `2025-01-31 14:05 UTC`: the same for every viewer, whatever their client renders. */
export function utcTimestamp(epochMs: number): string {
  if (!Number.isFinite(epochMs)) return "unknown";
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * Epoch milliseconds as Teams' date and time functions (`{{DATE(…, SHORT)}} {{TIME(…)}}`): each viewer's client
 * shows it in their own time zone and locale. Hosts without the functions show the UTC timestamp in them.
 */
export function localTime(epochMs: number): string {
  if (!Number.isFinite(epochMs)) return "unknown";
  const iso = `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
  return `{{DATE(${iso}, SHORT)}} {{TIME(${iso})}}`;
}
