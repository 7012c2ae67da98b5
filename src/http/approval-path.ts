/**
 * The `{id}` path parameter of the approval routes: anything that cannot be an approval id is answered as
 * an unknown one (404 COUNTERSIGN_APPROVAL_NOT_FOUND) without reaching the store.
 */

import type { Request } from "express";
import { ApprovalError } from "../approvals/approval-errors";

const APPROVAL_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** The approval id named by the request path. */
export function approvalIdParam(req: Request): string {
  const id = (req.params as Record<string, string | undefined>)["id"];
  if (id === undefined || !APPROVAL_ID.test(id)) throw new ApprovalError("COUNTERSIGN_APPROVAL_NOT_FOUND");
  return id;
}
