/**
 * CSRF protection for every state change the console accepts: the form must carry the session's CSRF token
 * (compared in constant time), and a browser-sent `Origin` (or, without it, `Sec-Fetch-Site`) must say the
 * form came from the console's own origin. Either failing refuses the request before anything changes.
 */

import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { ConsoleError } from "./console-errors";

/** Throws COUNTERSIGN_CONSOLE_CSRF_REFUSED unless `given` is the session's token and the request is same-origin. */
export function checkCsrf(given: unknown, expected: string, headers: IncomingHttpHeaders, publicOrigin: string): void {
  const a = Buffer.from(typeof given === "string" ? given : "", "utf8");
  const b = Buffer.from(expected, "utf8");
  const tokenOk = a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
  const origin = headers.origin;
  const site = headers["sec-fetch-site"];
  const originOk = origin !== undefined ? origin === publicOrigin : site === undefined || site === "same-origin" || site === "none";
  if (!tokenOk || !originOk) throw new ConsoleError("COUNTERSIGN_CONSOLE_CSRF_REFUSED");
}
