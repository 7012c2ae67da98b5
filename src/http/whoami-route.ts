/**
 * `GET /v1/whoami`: the authenticated caller's identity (`id`, `kind`, `roles`, `owner`), never its
 * credentials. A gateway that accepts a caller's API key or JWT (the MCP gateway's `--listen`) asks it here
 * which identity the credential names, so Countersign stays the only place that verifies credentials.
 */

import type { Request, RequestHandler, Response } from "express";
import { principalOf } from "./authenticate";

/** The final handler of the whoami route (behind authenticate). */
export function whoamiHandler(): RequestHandler {
  return (_req: Request, res: Response): void => {
    const p = principalOf(res);
    res
      .set("Cache-Control", "no-store")
      .json({ id: p.id, kind: p.kind, roles: p.roles, ...(p.owner === undefined ? {} : { owner: p.owner }) });
  };
}
