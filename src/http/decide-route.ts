/**
 * `POST /v1/decide` (and its alias `POST /decide`): validate the body, call the decide use case with the
 * authenticated caller, answer the decision.
 */

import type { Request, RequestHandler, Response } from "express";
import type { DecideUseCase } from "../service/decide";
import type { DecideRequest } from "../service/decide-request";
import { DECIDE_REQUEST_SCHEMA } from "./api-schemas";
import { principalOf } from "./authenticate";
import { HttpError } from "./http-error";
import { createBodyValidator } from "./request-validator";

/** The final handler of the decide route (authentication and body parsing run before it). */
export function decideHandler(decide: DecideUseCase): RequestHandler {
  const validate = createBodyValidator<DecideRequest>(DECIDE_REQUEST_SCHEMA);
  return async (req: Request, res: Response): Promise<void> => {
    if (req.body === undefined) throw new HttpError("COUNTERSIGN_INVALID_REQUEST", "invalid request: the body is empty", { field: "", problems: [{ field: "", message: "is required" }] });
    const request = validate(req.body);
    const decision = await decide(request, principalOf(res));
    res.set("Cache-Control", "no-store").json(decision);
  };
}
