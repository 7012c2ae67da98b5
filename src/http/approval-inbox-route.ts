/**
 * `GET /v1/approvals?status=pending[&limit=N][&cursor=C]`: the reviewer inbox — the pending, unexpired
 * requests the calling reviewer may decide now (an eligible role, not a requester, no verdict yet, allowed by
 * the reviewer policy), oldest first, masked as reviewers see them, a page at a time: `next_cursor` continues
 * (null at the end). Other statuses are not listed (400).
 */

import type { Request, RequestHandler, Response } from "express";
import { renderApprovalView } from "../approvals/approval-view";
import { mapWithTurns } from "../service/event-loop-turn";
import { availableApi, type ApprovalApi } from "./approval-api";
import { principalOf } from "./authenticate";
import { enumParam, integerParam, stringParam } from "./query-params";

/** The most requests one answer lists. */
export const INBOX_LIMIT = 100;

/** The handler of `GET /v1/approvals` (behind authenticate). */
export function approvalInboxHandler(api: ApprovalApi | undefined): RequestHandler {
  return async (req: Request, res: Response): Promise<void> => {
    const { approvals } = availableApi(api);
    enumParam(req, "status", ["pending"]);
    const limit = integerParam(req, "limit", 1, INBOX_LIMIT) ?? INBOX_LIMIT;
    const cursor = stringParam(req, "cursor", 512);
    const page = await approvals.inbox({ reviewer: principalOf(res), limit, ...(cursor === undefined ? {} : { cursor }) });
    // Rendered a few at a time, with turns of the event loop between: decisions arriving meanwhile are not held up by a page.
    const views = await mapWithTurns(page.approvals, (approval) => renderApprovalView({ approval, viewer: "reviewer" }));
    res.set("Cache-Control", "no-store").json({ approvals: views, next_cursor: page.nextCursor });
  };
}
