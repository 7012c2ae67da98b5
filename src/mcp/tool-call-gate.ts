/**
 * The gate one `tools/call` passes: every call is a Countersign decision before anything reaches the
 * upstream.
 * - `allow`: forwarded; the upstream's result is returned unchanged.
 * - `deny`: a tool result with `isError: true` and the policy's reasons; nothing is forwarded.
 * - `require_approval`: the call is held. The gate long-polls the approval request (the service answers on
 *   the next change, on any instance), reporting MCP progress before each poll so clients that honour
 *   progress keep waiting; on `approved` it presents the grant with the very same request to `/v1/decide`,
 *   so the service redeems it once, for exactly these arguments, and only an `allow` from that forwards the
 *   call: exactly the approved arguments, once. Denied, expired or cancelled requests, and grants the
 *   service refuses, end as error results saying so. A client that cancels the call (the signal) withdraws
 *   the pending request; a connection or gateway that goes away leaves it pending, so the same call retried
 *   (the same caller, the same action) is answered with the same request, and, once approved, with the same
 *   request as long as its grant is unused and unexpired (an approval given while no gateway was waiting is
 *   picked up by the retried call). Identical calls held at the same time share that one request; the
 *   approval runs one of them, and the others end with an error result saying an identical call used it.
 * - Countersign unreachable, or answering an error: an error result; nothing is forwarded (fail closed).
 */

import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { CLIENT_ERROR_CODES, CountersignError } from "../client/client-error";
import type { DecideRequest, Decision } from "../client/client-types";
import type { DecisionClient } from "./decision-client";

/** Where a decided call goes. */
export type ForwardCall = (args: Record<string, unknown>, signal: AbortSignal | undefined) => Promise<CallToolResult>;

/** What the gate needs for one call. */
export interface ToolCallGateInput {
  readonly countersign: DecisionClient;
  readonly request: DecideRequest;
  readonly forward: ForwardCall;
  readonly signal?: AbortSignal;
  /**
   * Whether an abort of `signal` is the client's cancellation (withdraw the pending request) rather than the
   * gateway or its connection going away (keep it: a retried call picks it up). Default: always withdraw.
   */
  readonly clientCancelled?: () => boolean;
  /** Told while the call is held (progress notifications). */
  readonly onHeld?: (message: string, elapsedMs: number) => Promise<void>;
}

/** The service's code for a grant already spent. */
const GRANT_REPLAYED = "COUNTERSIGN_GRANT_REPLAYED";

/** The `_meta` key under which refusals carry the decision's ids. */
export const DECISION_META_KEY = "countersign/decision";

/** Decides, holds if need be, and forwards only what was allowed. */
export async function gateToolCall(input: ToolCallGateInput): Promise<CallToolResult> {
  const { countersign, request } = input;
  const params = (request.action.params ?? {}) as Record<string, unknown>;
  let decision: Decision;
  try {
    // Not aborted midway: the service may already have opened an approval request for this call, and only the
    // answer names it, so a cancellation is acted on once the answer is in (below).
    decision = await countersign.decide(request);
  } catch (err) {
    return failure(err, `Countersign could not decide ${request.action.name}`);
  }
  if (input.signal?.aborted) return cancelledBeforeHold(input, decision);
  if (decision.outcome === "allow") return input.forward(params, input.signal);
  if (decision.outcome === "deny" || decision.approval === undefined) {
    return refusal(`Countersign denied ${request.action.name}: ${reasonsOf(decision)}`, decision);
  }

  const approvalId = decision.approval.id;
  let view;
  try {
    view = await countersign.waitForApproval(approvalId, {
      ...(input.signal === undefined ? {} : { signal: input.signal }),
      onWait: async (last, waitedMs) => {
        const progress = last === undefined ? "" : ` (${last.verdicts.filter((v) => v.verdict === "approve").length} approval(s) so far)`;
        await input.onHeld?.(`waiting for approval ${approvalId}: ${reasonsOf(decision)}${progress}`, waitedMs);
      },
    });
  } catch (err) {
    if (err instanceof CountersignError && err.code === CLIENT_ERROR_CODES.aborted) return withdrawn(input, decision, approvalId);
    return failure(err, `waiting for approval ${approvalId} failed`, approvalId);
  }
  if (view.status !== "approved" || view.grant === undefined) {
    const deny = view.verdicts.find((v) => v.verdict === "deny");
    const by = deny === undefined ? "" : ` by ${deny.reviewer_id}${deny.comment === undefined ? "" : `: ${deny.comment}`}`;
    return refusal(
      `approval request ${approvalId} for ${request.action.name} was ${view.status}${by}; the call was not forwarded`,
      decision,
      approvalId,
    );
  }

  let redeemed: Decision;
  try {
    redeemed = await countersign.decide({ ...request, grant: view.grant });
  } catch (err) {
    return failure(err, `the grant of approval ${approvalId} could not be redeemed`, approvalId);
  }
  if (redeemed.outcome === "deny" && redeemed.code === GRANT_REPLAYED) {
    // Identical calls held together share one request (the service answers the same action with it), and
    // one approval runs one call: another of them spent the grant and ran.
    return refusal(
      `approval ${approvalId} for ${request.action.name} was used by an identical call, which ran; this call was not forwarded (call again to ask for a new approval)`,
      redeemed,
      approvalId,
    );
  }
  if (redeemed.outcome !== "allow") {
    return refusal(
      `approval ${approvalId} was granted, but Countersign refused the grant: ${reasonsOf(redeemed)}${redeemed.code === undefined ? "" : ` (${redeemed.code})`}`,
      redeemed,
      approvalId,
    );
  }
  // The grant is spent: forward exactly the arguments the reviewer approved (the digest guarantees they are
  // the ones of this call), once.
  return input.forward((view.request.action.params ?? {}) as Record<string, unknown>, input.signal);
}

function reasonsOf(decision: Decision): string {
  return decision.reasons.length > 0 ? decision.reasons.join("; ") : decision.outcome;
}

function refusal(text: string, decision: Decision, approvalId?: string): CallToolResult {
  return {
    content: [{ type: "text", text }],
    isError: true,
    _meta: {
      [DECISION_META_KEY]: {
        outcome: decision.outcome,
        decision_id: decision.decision_id,
        reasons: decision.reasons,
        ...(decision.code === undefined ? {} : { code: decision.code }),
        ...(approvalId === undefined ? {} : { approval_id: approvalId }),
      },
    },
  };
}

function failure(err: unknown, what: string, approvalId?: string): CallToolResult {
  const code = err instanceof CountersignError ? err.code : "COUNTERSIGN_GATEWAY_INTERNAL";
  const message = err instanceof Error ? err.message : String(err);
  return {
    content: [{ type: "text", text: `${what} (${code}): ${message}; the call was not forwarded` }],
    isError: true,
    _meta: { [DECISION_META_KEY]: { outcome: "deny", code, ...(approvalId === undefined ? {} : { approval_id: approvalId }) } },
  };
}

/** The client cancelled while the decision was being made: nothing is forwarded, and a request it opened is withdrawn. */
async function cancelledBeforeHold(input: ToolCallGateInput, decision: Decision): Promise<CallToolResult> {
  const approvalId = decision.outcome === "require_approval" ? decision.approval?.id : undefined;
  if (approvalId === undefined) return refusal(`the call was cancelled; ${input.request.action.name} was not forwarded`, decision);
  return withdrawn(input, decision, approvalId);
}

/**
 * A held call the client gave up on: its request is withdrawn when the client cancelled, and kept pending
 * for a retried call when the connection merely closed.
 */
async function withdrawn(input: ToolCallGateInput, decision: Decision, approvalId: string): Promise<CallToolResult> {
  if (input.clientCancelled?.() === false)
    return refusal(`the connection closed; approval request ${approvalId} stays pending for a retried call`, decision, approvalId);
  await input.countersign.cancel(approvalId, "the MCP client cancelled the tool call").catch(() => undefined);
  return refusal(`the call was cancelled; approval request ${approvalId} was withdrawn`, decision, approvalId);
}
