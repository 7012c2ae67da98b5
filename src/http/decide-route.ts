/**
 * `POST /v1/decide` (and its alias `POST /decide`): validate the body, call the decide use case with the
 * authenticated caller, answer the decision. A request that needs approval but is itself at fault (no
 * `context.reason` where the policy requires one, a `callback_url` off the allow-list, an
 * `idempotency_key` reused for another action) is answered with the workflow's 4xx by the error handler.
 *
 * The everyday request reaches `decideBody` through the fast lane (`decide-lane.ts`) without Express; any
 * other through the Express handler below. Both answer with the same two functions.
 */

import type { ServerResponse } from "node:http";
import type { Request, RequestHandler, Response } from "express";
import type { Principal } from "../identity/principal";
import type { DecideUseCase } from "../service/decide";
import type { DecideRequest } from "../service/decide-request";
import type { Decision } from "../service/decision-response";
import type { RequesterProblem } from "../service/requester-identities";
import { DECIDE_REQUEST_SCHEMA } from "./api-schemas";
import { HttpError } from "./http-error";
import { principalOf } from "./authenticate";
import { requiredBody } from "./required-body";
import { createBodyValidator } from "./request-validator";
import { sendJson } from "./send-json";

/** Validates a parsed body (400 COUNTERSIGN_INVALID_REQUEST naming the field) and decides it for the caller. */
export type DecideBody = (body: unknown, caller: Principal) => Promise<Decision>;

/** Checks a schema-valid request's identities (`src/service/requester-identities.ts`). */
export type RequesterCheck = (request: DecideRequest) => RequesterProblem | null;

/** The route's work between a parsed body and a decision. */
export function decideBody(decide: DecideUseCase, requesters?: RequesterCheck): DecideBody {
  const validate = createBodyValidator<DecideRequest>(DECIDE_REQUEST_SCHEMA);
  // async: a validation failure is a rejection like every other, never a synchronous throw.
  return async (body, caller) => {
    const request = validate(body);
    const problem = requesters?.(request) ?? null;
    if (problem !== null) {
      throw new HttpError(problem.code, problem.message, {
        field: problem.field,
        problems: [{ field: problem.field, message: problem.message }],
      });
    }
    return decide(request, caller);
  };
}

/** Answers a decision: 200, never cached. */
export function sendDecision(res: ServerResponse, decision: Decision): void {
  sendJson(res, 200, decision, { "Cache-Control": "no-store" });
}

/** The final handler of the decide route (authentication and body parsing run before it). */
export function decideHandler(answer: DecideBody): RequestHandler {
  return async (req: Request, res: Response): Promise<void> => {
    sendDecision(res, await answer(requiredBody(req), principalOf(res)));
  };
}
