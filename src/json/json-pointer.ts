/**
 * JSON Pointers (RFC 6901): `/action/params/query` names a value inside a JSON document. Shared by masking
 * (logs, approval views, Teams cards, the audit trail) and the audit events.
 */

/** The reference tokens of a pointer (`""` is the whole document, `[]`); null when the text is no pointer. */
export function parseJsonPointer(pointer: string): string[] | null {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) return null;
  const tokens: string[] = [];
  for (const raw of pointer.slice(1).split("/")) {
    // "~" may only start the escapes "~0" (for "~") and "~1" (for "/").
    if (/~(?![01])/.test(raw)) return null;
    tokens.push(raw.replace(/~1/g, "/").replace(/~0/g, "~"));
  }
  return tokens;
}

/** The pointer text for reference tokens (the inverse of parseJsonPointer). */
export function formatJsonPointer(tokens: readonly string[]): string {
  return tokens.map((t) => "/" + t.replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

/** An array index token as RFC 6901 spells it (`0`, `12`; no leading zeros, no `-`), or null. */
export function arrayIndex(token: string, length: number): number | null {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return null;
  const i = Number(token);
  return i < length ? i : null;
}

/** True when `pointer` names `target` or a value that contains it (a prefix in token terms). */
export function pointerCovers(pointer: string, target: string): boolean {
  return pointer === "" || target === pointer || target.startsWith(pointer + "/");
}

/**
 * True for a syntactically valid JSON pointer: empty (the whole document) or a sequence of `/token`s where
 * `~` appears only as the escapes `~0` and `~1`.
 */
export function isJsonPointer(text: string): boolean {
  return parseJsonPointer(text) !== null;
}
