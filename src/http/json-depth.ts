/**
 * The nesting limit of request bodies: how deep objects and arrays may nest before a body is refused.
 *
 * Why: a body nested thousands of levels deep parses, but every later step that walks it recursively (the
 * schema validator, the policy input, canonical JSON for the audit trail) may exhaust the stack; the
 * decision would then fail as "audit unavailable" and be counted as an audit failure. Refusing it up front
 * gives the client a clear 400 and keeps the failure where it belongs.
 */

import { HttpError } from "./http-error";

/** The nesting depth of a parsed JSON value (a scalar is 0, `{}` and `[]` are 1), counted up to `stopAt`. */
export function jsonDepth(value: unknown, stopAt: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== "object") continue;
    if (depth > deepest) deepest = depth;
    if (deepest > stopAt) return deepest;
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    for (const child of children) if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Throws 400 COUNTERSIGN_BODY_TOO_DEEP when the body nests deeper than `maxDepth`. */
export function assertJsonDepth(body: unknown, maxDepth: number): void {
  if (jsonDepth(body, maxDepth) > maxDepth) {
    throw new HttpError("COUNTERSIGN_BODY_TOO_DEEP", `the body nests objects and arrays deeper than ${maxDepth} levels`, {
      limit: maxDepth,
    });
  }
}
