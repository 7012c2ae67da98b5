/**
 * Masking a request before it is shown to reviewers: the values a policy marked sensitive (RFC 6901 JSON
 * pointers into the decide request) and every secret-named member, replaced by the display marker of the
 * shared masking module. The original is never modified.
 */

import { MASK_MARKER, maskDocument } from "../observability/masking";

/** What replaces a masked value (the one display marker: logs, approval views and Teams cards alike). */
export const MASKED = MASK_MARKER;

/** A copy of `doc` with the value at each pointer, and each secret-named member, replaced by `MASKED`. */
export function maskPointers<T>(doc: T, pointers: readonly string[]): T {
  return maskDocument(doc, pointers);
}
