/**
 * `POST /v1/grants/redeem`: an executor that is about to run an approved action spends its grant. The body
 * is `{grant, actor, action, resource}`; the grant must verify against our key, be unexpired and unspent,
 * and have been issued for exactly this actor, action and resource. Refusals keep the workflow's codes:
 * 401 COUNTERSIGN_GRANT_INVALID, 410 COUNTERSIGN_GRANT_EXPIRED, 403 COUNTERSIGN_GRANT_MISMATCH (the grant
 * stays usable), 409 COUNTERSIGN_GRANT_REPLAYED, 503 COUNTERSIGN_GRANT_UNAVAILABLE.
 */

import type { Request, RequestHandler, Response } from "express";
import { availableApi, type ApprovalApi } from "./approval-api";
import { GRANT_REDEEM_REQUEST_SCHEMA } from "./approval-schemas";
import { principalOf } from "./authenticate";
import { requiredBody } from "./required-body";
import { createBodyValidator } from "./request-validator";

interface RedeemBody {
  readonly grant: string;
  readonly actor: unknown;
  readonly action: unknown;
  readonly resource: unknown;
}

/** The final handler of the redeem route (authentication and body parsing run before it). */
export function grantRedeemHandler(api: ApprovalApi | undefined): RequestHandler {
  const validate = createBodyValidator<RedeemBody>(GRANT_REDEEM_REQUEST_SCHEMA);
  return async (req: Request, res: Response): Promise<void> => {
    const { grants } = availableApi(api);
    const body = validate(requiredBody(req));
    const spent = await grants.redeem(
      body.grant,
      { actor: body.actor, action: body.action, resource: body.resource },
      { caller: principalOf(res).id, via: "redeem" },
    );
    res.set("Cache-Control", "no-store").json({
      redeemed: true,
      approval_id: spent.approvalId,
      jti: spent.jti,
      actor_id: spent.actorId,
      approvers: spent.approvers,
      expires_at: new Date(spent.expiresAt).toISOString(),
      ...(spent.maxUses === 1 ? {} : { use: spent.use, uses_left: spent.maxUses === null ? null : spent.maxUses - spent.use }),
    });
  };
}
