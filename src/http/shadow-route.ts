/**
 * `GET /v1/shadow`: shadow mode's summary for auditor identities (as `GET /v1/audit`: anyone else
 * authenticated gets 403 COUNTERSIGN_FORBIDDEN). With `bundles.shadow` configured the answer is the
 * runner's summary (agreements, disagreements by `live→candidate` with example decision ids, dropped and
 * skipped decisions, the queue); without it, `{"enabled": false}`.
 */

import type { Request, RequestHandler, Response } from "express";
import { principalOf } from "./authenticate";
import { HttpError } from "./http-error";

/** What the route reads (the shadow runner implements it). */
export interface ShadowSummarySource {
  summary(): object;
}

/** The final handler of the shadow route (authentication runs before it). */
export function shadowSummaryHandler(shadow: ShadowSummarySource | undefined): RequestHandler {
  return (_req: Request, res: Response): void => {
    if (!principalOf(res).auditor) throw new HttpError("COUNTERSIGN_FORBIDDEN", "reading the shadow summary needs an auditor identity");
    res.set("Cache-Control", "no-store").json(shadow === undefined ? { enabled: false } : shadow.summary());
  };
}
