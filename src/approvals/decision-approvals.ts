/**
 * The approval workflow as the decide use case needs it (`ApprovalGate`, owned by `src/service/`): opening
 * a pending request through `ApprovalService.createFromDecision` and redeeming grants through the grant
 * service, with the workflow's refusals sorted into "deny, fail closed" (returned as values) and "the
 * request is at fault" (thrown, answered 4xx by the route).
 */

import type {
  ApprovalGate,
  ApprovalOpening,
  ApprovalOpenResult,
  GrantPresenter,
  GrantRedeemResult,
  OpenedApproval,
} from "../service/approval-gate";
import type { DigestedAction } from "./action-digest";
import { isApprovalError, type ApprovalErrorCode } from "./approval-errors";
import type { ApprovalService } from "./approval-service";

/** Redeems grants (implemented by `src/grants/grant-service.ts`). */
export interface GrantRedeemer {
  redeem(
    token: string,
    presented: DigestedAction,
    by?: { readonly caller: string; readonly via: "decide" | "redeem"; readonly decisionId?: string },
  ): Promise<{ approvalId: string; jti: string; approvers: readonly string[]; use: number; maxUses: number | null }>;
}

/** Refusals of `createFromDecision` that end in a deny rather than a 4xx: the store, or the policy, cannot serve. */
const DENY_ON_OPEN: readonly ApprovalErrorCode[] = ["COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE", "COUNTERSIGN_APPROVAL_REQUIREMENTS_INVALID"];

/** `ApprovalGate` over the approval and grant services. */
export class DecisionApprovals implements ApprovalGate {
  constructor(
    private readonly approvals: Pick<ApprovalService, "createFromDecision">,
    private readonly grants: GrantRedeemer,
    /** Told about every fail-closed refusal (the composition root logs it at error level). */
    private readonly onRefusal: (code: string, err: unknown) => void = () => undefined,
  ) {}

  async open(opening: ApprovalOpening): Promise<ApprovalOpenResult> {
    const { request } = opening;
    try {
      const { approval, created } = await this.approvals.createFromDecision({
        caller: opening.caller,
        request: {
          actor: request.actor,
          action: request.action,
          resource: request.resource,
          ...(request.context === undefined ? {} : { context: request.context }),
        },
        decisionId: opening.decisionId,
        policy: opening.policy,
        reasons: opening.reasons,
        requirements: opening.requirements,
        mask: opening.mask,
        ...(opening.summary === undefined ? {} : { summary: opening.summary }),
        ...(opening.risk === undefined ? {} : { risk: opening.risk }),
        ...(opening.breakGlass === undefined ? {} : { breakGlass: opening.breakGlass }),
        ...(request.idempotency_key === undefined ? {} : { idempotencyKey: request.idempotency_key }),
        ...(request.callback_url === undefined ? {} : { callbackUrl: request.callback_url }),
        ...(opening.beforeAnnounce === undefined
          ? {}
          : { beforeAnnounce: (stored, isNew) => opening.beforeAnnounce!(openedApproval(stored, isNew)) }),
      });
      return { ok: true, approval: openedApproval(approval, created) };
    } catch (err) {
      if (isApprovalError(err, ...DENY_ON_OPEN)) {
        this.onRefusal(err.code, err);
        const reason = err.code === "COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE" ? "approval store unavailable" : err.message;
        return { ok: false, code: err.code, reason };
      }
      throw err;
    }
  }

  async redeem(grant: string, action: DigestedAction, by: GrantPresenter): Promise<GrantRedeemResult> {
    try {
      const spent = await this.grants.redeem(
        grant,
        { actor: action.actor, action: action.action, resource: action.resource },
        { caller: by.caller, via: "decide", decisionId: by.decisionId },
      );
      return {
        ok: true,
        grant: { approvalId: spent.approvalId, jti: spent.jti, approvers: spent.approvers, use: spent.use, maxUses: spent.maxUses },
      };
    } catch (err) {
      if (isApprovalError(err)) {
        if (err.code === "COUNTERSIGN_GRANT_UNAVAILABLE") this.onRefusal(err.code, err);
        return { ok: false, code: err.code, reason: err.message };
      }
      // Anything unexpected while redeeming still ends in a deny.
      this.onRefusal("COUNTERSIGN_GRANT_UNAVAILABLE", err);
      return { ok: false, code: "COUNTERSIGN_GRANT_UNAVAILABLE", reason: "the grant could not be redeemed" };
    }
  }
}

function openedApproval(approval: { id: string; status: string; createdAt: number; expiresAt: number }, created: boolean): OpenedApproval {
  return { id: approval.id, status: approval.status, created, createdAt: approval.createdAt, expiresAt: approval.expiresAt };
}
