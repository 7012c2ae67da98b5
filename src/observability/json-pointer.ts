/**
 * JSON pointers (RFC 6901): parsing `/action/params/query` into its reference tokens.
 */

/** The tokens of a pointer (`""` → `[]`), or null when the text is not a pointer. */
export function parseJsonPointer(pointer: string): string[] | null {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) return null;
  const tokens = pointer.slice(1).split("/");
  for (const t of tokens) if (/~[^01]|~$/.test(t)) return null;
  return tokens.map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}
