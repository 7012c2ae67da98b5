/**
 * Reading a JSON body: refuse other media types (415), then parse with a size limit (413 past it, 400 for
 * malformed JSON, both mapped by the error handler). An empty body is read as none, whatever its type.
 */

import express, { type NextFunction, type Request, type RequestHandler, type Response } from "express";
import { HttpError } from "./http-error";
import { assertJsonDepth } from "./json-depth";

const JSON_TYPES = ["application/json", "application/*+json"];

/** Middlewares that leave the parsed JSON in `req.body` (nested at most `maxDepth` deep). */
export function jsonBody(limitBytes: number, maxDepth: number): RequestHandler[] {
  const requireJson: RequestHandler = (req: Request, _res: Response, next: NextFunction) => {
    // null: no body at all (the route then answers 400); false: a body of another type. An empty body
    // (Content-Length: 0, as clients send for a POST without data) has no type to check.
    const empty = req.headers["content-length"] === "0" && req.headers["transfer-encoding"] === undefined;
    if (!empty && req.is(JSON_TYPES) === false) {
      next(
        new HttpError(
          "COUNTERSIGN_UNSUPPORTED_MEDIA_TYPE",
          `the body must be application/json, not ${req.headers["content-type"] ?? "untyped"}`,
        ),
      );
      return;
    }
    next();
  };
  const limitDepth: RequestHandler = (req: Request, _res: Response, next: NextFunction) => {
    try {
      assertJsonDepth(req.body, maxDepth);
      next();
    } catch (err) {
      next(err);
    }
  };
  // requireJson has checked the type; body-parser need not check it again.
  return [requireJson, express.json({ limit: limitBytes, strict: true, type: () => true }), limitDepth];
}
