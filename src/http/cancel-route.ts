/**
 * `POST /v1/approvals/{id}/cancel`: the creating caller withdraws a pending request (body optional:
 * `{reason?}`). Anyone else who may see the request is refused (403 COUNTERSIGN_NOT_REQUESTER); a request
 * no longer pending answers 409 (410 once expired). The answer is the cancelled request.
 */

import type { Request, RequestHandler, Response } from "express";
import { renderApprovalView } from "../approvals/approval-view";
import { availableApi, type ApprovalApi } from "./approval-api";
import { approvalIdParam } from "./approval-path";
import { CANCEL_REQUEST_SCHEMA } from "./approval-schemas";
import { principalOf } from "./authenticate";
import { createBodyValidator } from "./request-validator";

/** The final handler of the cancel route (authentication and body parsing run before it). */
export function cancelHandler(api: ApprovalApi | undefined): RequestHandler {
  const validate = createBodyValidator<{ reason?: string }>(CANCEL_REQUEST_SCHEMA);
  return async (req: Request, res: Response): Promise<void> => {
    const { approvals } = availableApi(api);
    const approvalId = approvalIdParam(req);
    const body = req.body === undefined ? {} : validate(req.body);
    const approval = await approvals.cancel({
      approvalId,
      caller: principalOf(res),
      ...(body.reason === undefined ? {} : { reason: body.reason }),
    });
    res.set("Cache-Control", "no-store").json(renderApprovalView({ approval, viewer: "requester" }));
  };
}
