/**
 * Turning untrusted values (a caller's reason, a reviewer's comment, request parameters) into safe card
 * text: one line, bounded length, and no Markdown that could disguise a link or restyle the card.
 */

/** Longest single value shown on a card; longer values are cut with an ellipsis. */
export const MAX_VALUE_LENGTH = 300;

/**
 * `value` as inert card text. Adaptive Card TextBlocks and FactSets render a Markdown subset: a zero-width
 * space between `]` and `(` keeps `[click here](https://…)` from becoming a disguised link (on every client,
 * including those that ignore backslash escapes), and emphasis and code characters are escaped.
 */
export function cardText(value: string, maxLength: number = MAX_VALUE_LENGTH): string {
  const line = truncate(value.replace(/\s+/g, " ").trim(), maxLength);
  return line.replace(/[\\*`]/g, (c) => `\\${c}`).replace(/\]\s*\(/g, "]\u200b(");
}

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
