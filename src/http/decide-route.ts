/**
 * `POST /v1/decide` (and its alias `POST /decide`): validate the body, call the decide use case with the
 * authenticated caller, answer the decision. A request that needs approval but is itself at fault (no
 * `context.reason` where the policy requires one, a `callback_url` off the allow-list, an
 * `idempotency_key` reused for another action) is answered with the workflow's 4xx by the error handler.
 */

import type { Request, RequestHandler, Response } from "express";
import type { DecideUseCase } from "../service/decide";
import type { DecideRequest } from "../service/decide-request";
import { DECIDE_REQUEST_SCHEMA } from "./api-schemas";
import { principalOf } from "./authenticate";
import { requiredBody } from "./required-body";
import { createBodyValidator } from "./request-validator";

/** The final handler of the decide route (authentication and body parsing run before it). */
export function decideHandler(decide: DecideUseCase): RequestHandler {
  const validate = createBodyValidator<DecideRequest>(DECIDE_REQUEST_SCHEMA);
  return async (req: Request, res: Response): Promise<void> => {
    const request = validate(requiredBody(req));
    const decision = await decide(request, principalOf(res));
    res.set("Cache-Control", "no-store").json(decision);
  };
}
