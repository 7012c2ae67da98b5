/**
 * `GET /.well-known/jwks.json`: the public keys grants are signed with (Ed25519, `alg: EdDSA`), so an
 * executor can verify a grant offline before redeeming it. Public: no authentication.
 */

import type { Request, RequestHandler, Response } from "express";
import { availableApi, type ApprovalApi } from "./approval-api";

/** The JWKS handler. */
export function jwksHandler(api: ApprovalApi | undefined): RequestHandler {
  return (_req: Request, res: Response): void => {
    const { grants } = availableApi(api);
    res.set("Cache-Control", "public, max-age=300").json(grants.jwks());
  };
}
