/**
 * The last middlewares: unknown routes (404), known routes with the wrong method (405), and the error
 * handler that maps every failure to the catalogue's body — body-parser's errors and the approval
 * workflow's refusals included — with no stack trace ever sent. `answerError` is that mapping for any Node
 * response, so the decide fast lane (`decide-lane.ts`) answers failures exactly as the app does.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from "express";
import { ApprovalError } from "../approvals/approval-errors";
import { AuditError } from "../audit/audit-error";
import type { Logger } from "../observability/logger";
import { HttpError, sendError } from "./http-error";
import { pathOf } from "./request-path";

/** 404 for anything no route matched. */
export const notFound: RequestHandler = (req: Request, _res: Response, next: NextFunction) => {
  next(new HttpError("COUNTERSIGN_NOT_FOUND", `no route ${req.method} ${req.path}`));
};

/** 405 for a route that exists only for the given methods. */
export function methodNotAllowed(allowed: readonly string[]): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    next(
      new HttpError("COUNTERSIGN_METHOD_NOT_ALLOWED", `${req.path} accepts ${allowed.join(", ")}, not ${req.method}`, undefined, {
        Allow: allowed.join(", "),
      }),
    );
  };
}

/** The error handler; unexpected errors are logged at error level and answered 500 without details. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => answerError(err, req, res, logger);
}

/** Answers a failure with the catalogue's status and body (500 and an error log for anything unexpected). */
export function answerError(err: unknown, req: IncomingMessage, res: ServerResponse, logger: Logger): void {
  const mapped = toHttpError(err);
  if (mapped === null) {
    const e = err instanceof Error ? err : new Error(String(err));
    logger.error("unexpected error", { method: req.method, path: pathOf(req), error: e.message, stack: e.stack });
  } else if (!(err instanceof HttpError) && mapped.code === "COUNTERSIGN_INVALID_REQUEST") {
    // A client's malformed request (a bad escape in the path, a corrupt gzip body): worth a line when
    // debugging a client, never an error or a stack trace per request.
    logger.debug("refused a malformed request", { method: req.method, path: pathOf(req), reason: mapped.message });
  }
  // Too late for a status: cut the connection, so the client cannot take a partial answer for a whole one.
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendError(res, mapped ?? new HttpError("COUNTERSIGN_INTERNAL", "internal error"));
}

/** The 400 for a body that is not JSON, or not an object or array (body-parser's strict rule). */
export function malformedJson(): HttpError {
  return new HttpError("COUNTERSIGN_MALFORMED_JSON", "the body is not well-formed JSON (or not a JSON object or array)");
}

/** Known errors as HttpError; null for anything unexpected. */
function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (err instanceof ApprovalError) return HttpError.fromApproval(err);
  if (err instanceof AuditError) return HttpError.fromAudit(err);
  const e = err as { type?: unknown; status?: unknown; limit?: unknown; charset?: unknown; encoding?: unknown; code?: unknown };
  // The router could not percent-decode a path parameter (`/v1/approvals/%ff`).
  if (err instanceof URIError) return new HttpError("COUNTERSIGN_INVALID_REQUEST", "the path holds a malformed percent-escape");
  // zlib could not inflate a gzip or deflate body.
  if (typeof e?.code === "string" && /^Z_[A-Z_]+$/.test(e.code)) {
    return new HttpError("COUNTERSIGN_INVALID_REQUEST", "the body's content encoding is corrupt: it does not decompress");
  }
  switch (e?.type) {
    case "entity.too.large":
      return new HttpError("COUNTERSIGN_PAYLOAD_TOO_LARGE", `the body is larger than the limit of ${String(e.limit)} bytes`, {
        limit: e.limit,
      });
    case "entity.parse.failed":
      return malformedJson();
    case "charset.unsupported":
      return new HttpError("COUNTERSIGN_UNSUPPORTED_MEDIA_TYPE", `unsupported charset ${String(e.charset).toUpperCase()}; send UTF-8`);
    case "encoding.unsupported":
      return new HttpError("COUNTERSIGN_UNSUPPORTED_MEDIA_TYPE", `unsupported content encoding ${String(e.encoding)}`);
    case "request.aborted":
    case "request.size.invalid":
      return new HttpError("COUNTERSIGN_INVALID_REQUEST", "the body was cut short");
    default:
      return null;
  }
}
