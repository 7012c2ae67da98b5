/**
 * `GET /v1/approvals?status=pending`: the reviewer inbox — the pending, unexpired requests the calling
 * reviewer may decide now (an eligible role, not a requester, no verdict yet, allowed by the reviewer
 * policy), oldest first, masked as reviewers see them. Other statuses are not listed (400).
 */

import type { Request, RequestHandler, Response } from "express";
import { renderApprovalView } from "../approvals/approval-view";
import { availableApi, type ApprovalApi } from "./approval-api";
import { principalOf } from "./authenticate";
import { enumParam, integerParam } from "./query-params";

/** The most requests one answer lists. */
export const INBOX_LIMIT = 100;

/** The handler of `GET /v1/approvals` (behind authenticate). */
export function approvalInboxHandler(api: ApprovalApi | undefined): RequestHandler {
  return async (req: Request, res: Response): Promise<void> => {
    const { approvals } = availableApi(api);
    enumParam(req, "status", ["pending"]);
    const limit = integerParam(req, "limit", 1, INBOX_LIMIT) ?? INBOX_LIMIT;
    const pending = await approvals.listPendingForReviewer({ reviewer: principalOf(res), limit });
    res.set("Cache-Control", "no-store").json({ approvals: pending.map((approval) => renderApprovalView({ approval, viewer: "reviewer" })) });
  };
}
