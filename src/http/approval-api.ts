/**
 * What the approval routes share: the use cases they call, the limits they apply, and the answer they give
 * when the service runs without an approval store (no Redis configured): 503
 * COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE, never a 404 that would hide the route.
 */

import { ApprovalError } from "../approvals/approval-errors";
import type { ApprovalService } from "../approvals/approval-service";
import type { GrantService } from "../grants/grant-service";

/** The approval workflow as the routes use it. */
export interface ApprovalApi {
  readonly approvals: Pick<ApprovalService, "get" | "waitForChange" | "castVerdict" | "cancel" | "inbox">;
  readonly grants: Pick<GrantService, "redeem" | "jwks">;
  /** Longest `?wait=` long-poll, in seconds; longer asks are capped to it. */
  readonly maxWaitSeconds: number;
  /** Aborted when the service shuts down, so long-polls answer at once with the current state. */
  readonly shutdown: AbortSignal;
}

/** The API, or the 503 a service without an approval store answers. */
export function availableApi(api: ApprovalApi | undefined): ApprovalApi {
  if (api === undefined) {
    throw new ApprovalError(
      "COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE",
      "the approval workflow is not available: this service has no Redis configured",
    );
  }
  return api;
}
