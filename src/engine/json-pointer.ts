/**
 * JSON Pointer (RFC 6901) syntax, as the decision contract uses it for `mask`.
 */

const POINTER = /^(?:\/(?:[^~/]|~[01])*)*$/;

/**
 * True for a syntactically valid JSON pointer: empty (the whole document) or a sequence of `/token`s
 * where `~` appears only as the escapes `~0` and `~1`.
 */
export function isJsonPointer(text: string): boolean {
  return POINTER.test(text);
}
