/**
 * Writing a JSON answer in one piece: the status line, the headers and the serialised body leave in a single
 * socket write.
 *
 * Express's `res.json` hands the body to Node as a Buffer after the headers, which costs a second chunk and
 * a `writev` per answer; a string passed to `end()` right after `writeHead()` is joined to the headers.
 * Works on a plain Node response and on Express's (which extends it).
 */

import type { ServerResponse } from "node:http";

/** The Content-Type of every JSON answer (what Express's `res.json` sends). */
export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/** Answers `status` with `value` as JSON, plus `headers` (Cache-Control, WWW-Authenticate, Allow, …). */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { ...headers, "Content-Type": JSON_CONTENT_TYPE, "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}
