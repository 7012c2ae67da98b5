/**
 * `GET /v1/approvals/{id}`: the request as the caller sees it — the creating caller whole, with the grant
 * once approved; an eligible reviewer with the policy's `mask` fields masked; anyone else 404. With
 * `?wait=<seconds>` it long-polls: it answers as soon as the request changes (on any instance: the change
 * feed is Redis pub/sub) or is final, else after the wait (capped to `approvals.max_wait_seconds`) with the
 * current state. `?since_version=<n>` answers at once if the request is already past version n.
 */

import type { Request, RequestHandler, Response } from "express";
import { renderApprovalView } from "../approvals/approval-view";
import { availableApi, type ApprovalApi } from "./approval-api";
import { approvalIdParam } from "./approval-path";
import { principalOf } from "./authenticate";
import { integerParam, numberParam } from "./query-params";

/** The longest `?wait=` accepted at all; anything above the configured maximum is capped to it. */
const WAIT_PARAMETER_LIMIT = 86_400;

/** The handler of `GET /v1/approvals/{id}` (behind authenticate). */
export function approvalReadHandler(api: ApprovalApi | undefined): RequestHandler {
  return async (req: Request, res: Response): Promise<void> => {
    const { approvals, maxWaitSeconds, shutdown } = availableApi(api);
    const approvalId = approvalIdParam(req);
    const viewer = principalOf(res);
    const waitSeconds = Math.min(numberParam(req, "wait", WAIT_PARAMETER_LIMIT) ?? 0, maxWaitSeconds);
    const sinceVersion = integerParam(req, "since_version", 0, Number.MAX_SAFE_INTEGER);
    if (waitSeconds === 0 && sinceVersion === undefined) {
      const access = await approvals.get({ approvalId, viewer });
      res.set("Cache-Control", "no-store").json(renderApprovalView(access));
      return;
    }
    // The wait ends early when the client goes away or the service shuts down.
    const gone = new AbortController();
    res.once("close", () => gone.abort());
    const access = await approvals.waitForChange({
      approvalId,
      viewer,
      timeoutMs: Math.round(waitSeconds * 1000),
      ...(sinceVersion === undefined ? {} : { sinceVersion }),
      signal: AbortSignal.any([gone.signal, shutdown]),
    });
    if (res.destroyed) return;
    res.set("Cache-Control", "no-store").json(renderApprovalView(access));
  };
}
