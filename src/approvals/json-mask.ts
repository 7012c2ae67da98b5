/**
 * Masking the values a policy marked sensitive (RFC 6901 JSON pointers into the decide request) before a
 * request is shown to reviewers. The original is never modified.
 */

/** What replaces a masked value. */
export const MASKED = "***";

/**
 * A copy of `doc` with the value at each pointer replaced by `MASKED`. Pointers that do not resolve are
 * ignored; `~1` and `~0` are decoded as RFC 6901 says.
 */
export function maskPointers<T>(doc: T, pointers: readonly string[]): T {
  if (pointers.length === 0) return doc;
  const copy = structuredClone(doc) as unknown;
  for (const pointer of pointers) {
    if (pointer === "" || !pointer.startsWith("/")) continue;
    const path = pointer
      .slice(1)
      .split("/")
      .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
    let node: unknown = copy;
    for (let i = 0; i < path.length - 1 && node !== undefined; i++) node = child(node, path[i] as string);
    const last = path[path.length - 1] as string;
    if (Array.isArray(node)) {
      const index = Number(last);
      if (Number.isInteger(index) && index >= 0 && index < node.length) node[index] = MASKED;
    } else if (typeof node === "object" && node !== null && Object.prototype.hasOwnProperty.call(node, last)) {
      (node as Record<string, unknown>)[last] = MASKED;
    }
  }
  return copy as T;
}

function child(node: unknown, key: string): unknown {
  if (Array.isArray(node)) return node[Number(key)];
  if (typeof node === "object" && node !== null && Object.prototype.hasOwnProperty.call(node, key)) return (node as Record<string, unknown>)[key];
  return undefined;
}
