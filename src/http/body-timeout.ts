/**
 * The body deadline: a request that has not delivered its whole body within the time allowed is answered
 * 408 COUNTERSIGN_REQUEST_TIMEOUT and its connection closed.
 *
 * Why: a client that declares a Content-Length and then sends less (or trickles bytes) otherwise holds a
 * socket and a pending body read for as long as it likes; Node's own request timeout is minutes long and
 * answers without the catalogue's body. The deadline covers every route, the decide fast lane included,
 * because it wraps the listener in front of both.
 */

import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Logger } from "../observability/logger";
import { HttpError, sendError } from "./http-error";
import { pathOf } from "./request-path";

/** A request carries a body when it declares a length above zero or a transfer encoding. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/** Wraps `listener` so that bodies must arrive in full within `timeoutMs`. */
export function withBodyTimeout(listener: RequestListener, timeoutMs: number, logger: Logger): RequestListener {
  return (req, res) => {
    if (hasBody(req)) {
      const timer = setTimeout(() => expire(req, res, timeoutMs, logger), timeoutMs);
      const done = (): void => clearTimeout(timer);
      req.once("end", done);
      req.once("close", done);
      res.once("close", done);
    }
    listener(req, res);
  };
}

function expire(req: IncomingMessage, res: ServerResponse, timeoutMs: number, logger: Logger): void {
  if (req.complete) return;
  logger.debug("a request body did not arrive in time", { method: req.method, path: pathOf(req), timeout_ms: timeoutMs });
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  res.shouldKeepAlive = false;
  res.once("finish", () => req.socket.destroy());
  sendError(res, new HttpError("COUNTERSIGN_REQUEST_TIMEOUT", `the body did not arrive in full within ${timeoutMs} ms`));
}
