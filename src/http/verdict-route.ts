/**
 * `POST /v1/approvals/{id}/verdicts`: an authenticated reviewer approves or denies. The body is
 * `{verdict: "approve" | "deny", comment?}` (any other verdict: 400 COUNTERSIGN_INVALID_VERDICT; a body that
 * fails the schema otherwise: 400 COUNTERSIGN_INVALID_REQUEST); the workflow refuses requesters (403
 * COUNTERSIGN_SELF_APPROVAL), reviewers without an eligible role (403 COUNTERSIGN_NOT_ELIGIBLE), a second
 * verdict by the same person (409 COUNTERSIGN_ALREADY_VOTED), a request no longer pending (409/410), and a
 * comment over the limit (400 COUNTERSIGN_COMMENT_TOO_LONG); a refusal changes nothing. The answer is the
 * request as the reviewer sees it afterwards.
 */

import type { Request, RequestHandler, Response } from "express";
import { ApprovalError } from "../approvals/approval-errors";
import { renderApprovalView } from "../approvals/approval-view";
import { availableApi, type ApprovalApi } from "./approval-api";
import { approvalIdParam } from "./approval-path";
import { VERDICT_REQUEST_SCHEMA } from "./approval-schemas";
import { principalOf } from "./authenticate";
import { HttpError } from "./http-error";
import { requiredBody } from "./required-body";
import { createBodyValidator } from "./request-validator";

interface VerdictBody {
  readonly verdict: "approve" | "deny";
  readonly comment?: string;
  readonly scope?: unknown;
}

/** The body checked against the schema; a verdict other than approve/deny gets the workflow's own code. */
function verdictBody(validate: (body: unknown) => VerdictBody, body: unknown): VerdictBody {
  try {
    return validate(body);
  } catch (err) {
    if (err instanceof HttpError && (err.details as { field?: unknown } | undefined)?.field === "/verdict") {
      throw new ApprovalError("COUNTERSIGN_INVALID_VERDICT", undefined, { field: "/verdict" });
    }
    throw err;
  }
}

/** The final handler of the verdict route (authentication and body parsing run before it). */
export function verdictHandler(api: ApprovalApi | undefined): RequestHandler {
  const validate = createBodyValidator<VerdictBody>(VERDICT_REQUEST_SCHEMA);
  return async (req: Request, res: Response): Promise<void> => {
    const { approvals } = availableApi(api);
    const approvalId = approvalIdParam(req);
    const body = verdictBody(validate, requiredBody(req));
    const approval = await approvals.castVerdict({
      approvalId,
      reviewer: principalOf(res),
      verdict: body.verdict,
      ...(body.comment === undefined ? {} : { comment: body.comment }),
      ...(body.scope === undefined ? {} : { scope: body.scope }),
      channel: "api",
    });
    res.set("Cache-Control", "no-store").json(renderApprovalView({ approval, viewer: "reviewer" }));
  };
}
