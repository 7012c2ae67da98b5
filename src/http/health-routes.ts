/**
 * `GET /healthz` (the process is alive) and `GET /readyz` (every dependency can serve; 503 with the
 * failing checks otherwise).
 */

import type { Request, RequestHandler, Response } from "express";
import type { Readiness } from "../observability/readiness";
import { HttpError } from "./http-error";

/** Liveness: answers as long as the event loop runs. */
export const healthz: RequestHandler = (_req: Request, res: Response) => {
  res.set("Cache-Control", "no-store").json({ status: "ok" });
};

/** Readiness over the given check runner. */
export function readyz(check: () => Promise<Readiness>): RequestHandler {
  return async (_req: Request, res: Response): Promise<void> => {
    const r = await check();
    if (!r.ready) {
      const failing = Object.entries(r.checks)
        .filter(([, c]) => !c.ok)
        .map(([name, c]) => `${name}: ${c.detail}`);
      throw new HttpError("COUNTERSIGN_NOT_READY", `not ready: ${failing.join("; ")}`, { checks: r.checks });
    }
    res.set("Cache-Control", "no-store").json({ status: "ready", checks: r.checks });
  };
}
