/**
 * A route whose body is required answers a request without one with 400 COUNTERSIGN_INVALID_REQUEST
 * ("the body is empty"), the same way `POST /v1/decide` does.
 */

import type { Request } from "express";
import { HttpError } from "./http-error";

/** The parsed body, or the 400 for a missing one. */
export function requiredBody(req: Request): unknown {
  if (req.body === undefined) {
    throw new HttpError("COUNTERSIGN_INVALID_REQUEST", "invalid request: the body is empty", {
      field: "",
      problems: [{ field: "", message: "is required" }],
    });
  }
  return req.body;
}
