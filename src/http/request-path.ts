/**
 * The path of a request without its query string: Express's `req.path`, for plain Node requests too (the
 * decide fast lane sees requests before Express does).
 */

import type { IncomingMessage } from "node:http";

/** `/v1/decide` for `/v1/decide?x=1`. */
export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}
