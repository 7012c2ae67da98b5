/**
 * The API shape of an approval request (`GET /v1/approvals/{id}`, the reviewer inbox, verdict answers), as
 * a pure function of the stored request and who is looking.
 *
 * Reviewers see the policy's `mask` fields masked; the creating caller sees its own request whole, and,
 * once approved, the grant token.
 */

import type { ApprovalAccess } from "./approval-service";
import type { ApprovalRequest, ApprovalStatus, VerdictChannel, VerdictValue } from "./approval-request";
import { evaluateQuorum } from "./approval-state-machine";
import { maskDocument } from "../json/document-masking";
import type { Risk } from "../engine/decision-contract";
import { maskedValues, scrubLeaves, textScrubber } from "../observability/masked-values";

/** One verdict as the API shows it. */
export interface VerdictView {
  readonly reviewer_id: string;
  readonly verdict: VerdictValue;
  readonly comment?: string;
  readonly channel: VerdictChannel;
  readonly at: string;
  /** What the reviewer was shown (chat message or console page): the request version, the view's SHA-256, the masked pointers it hid. */
  readonly shown?: { readonly version: number; readonly digest: string; readonly hidden?: readonly string[] };
}

/** An approval request as the API shows it. */
export interface ApprovalView {
  readonly id: string;
  readonly status: ApprovalStatus;
  readonly version: number;
  readonly created_at: string;
  readonly updated_at: string;
  readonly expires_at: string;
  readonly decided_at?: string;
  /** What the policy requires (its `approval` object). */
  readonly required: ApprovalRequest["requirements"];
  /** How far the verdicts have come. */
  readonly progress: {
    readonly approvals: number;
    readonly quorum: number;
    readonly groups: readonly { readonly roles: readonly string[]; readonly quorum: number; readonly count: number }[];
  };
  readonly verdicts: readonly VerdictView[];
  readonly request: ApprovalRequest["request"];
  readonly decision_id: string;
  readonly policy: ApprovalRequest["policy"];
  /** The policy's reasons for requiring approval. */
  readonly reasons: readonly string[];
  /** The policy's one-line summary for reviewers (masked values hidden, except for the requester). */
  readonly summary?: string;
  /** The policy's risk rating. */
  readonly risk?: Risk;
  readonly action_digest: string;
  readonly cancellation?: { readonly by: string; readonly reason?: string };
  /** Present on the post-hoc review of a break-glass use: approve acknowledges it, deny flags it. */
  readonly break_glass?: { readonly justification: string };
  /** Reminders sent so far. */
  readonly reminders?: number;
  /** The escalation rung reached and the roles it made eligible. */
  readonly escalation?: { readonly level: number; readonly roles: readonly string[] };
  /** The grant token: creating caller, approved request only. */
  readonly grant?: string;
  readonly grant_expires_at?: string;
}

/**
 * Renders a request for a viewer; `grant` is shown only when the access carries one (the creating caller).
 * Reviewers see the request masked, and the masked values scrubbed (by the Teams card's own `scrubText`:
 * values only, exactly) from every other text that could repeat them: the request's unmasked values, the
 * policy's summary and reasons, verdict comments, the cancelling reason and a break-glass justification.
 */
export function renderApprovalView(access: Pick<ApprovalAccess, "approval" | "viewer" | "grant">): ApprovalView {
  const a = access.approval;
  const progress = evaluateQuorum(a.requirements, a.verdicts);
  const iso = (ms: number): string => new Date(ms).toISOString();
  const whole = access.viewer === "requester";
  const masked = whole ? a.request : maskDocument(a.request, a.mask);
  const secrets = whole ? [] : maskedValues(a.request, masked);
  const scrub = textScrubber(secrets);
  const request = scrubLeaves(masked, scrub) as ApprovalRequest["request"];
  return {
    id: a.id,
    status: a.status,
    version: a.version,
    created_at: iso(a.createdAt),
    updated_at: iso(a.updatedAt),
    expires_at: iso(a.expiresAt),
    ...(a.decidedAt !== undefined ? { decided_at: iso(a.decidedAt) } : {}),
    required: a.requirements,
    progress: {
      approvals: progress.approvers.length,
      quorum: progress.quorum,
      groups: progress.groups.map((g) => ({ roles: g.roles, quorum: g.quorum, count: g.count })),
    },
    verdicts: a.verdicts.map((v) => ({
      reviewer_id: v.reviewerId,
      verdict: v.verdict,
      ...(v.comment !== undefined ? { comment: scrub(v.comment) } : {}),
      channel: v.channel,
      at: iso(v.at),
      // The view itself stays in the record and the trail (`countersign audit view`); the API names it by digest.
      ...(v.shown !== undefined
        ? {
            shown: {
              version: v.shown.version,
              digest: v.shown.digest,
              ...(v.shown.hidden === undefined ? {} : { hidden: v.shown.hidden }),
            },
          }
        : {}),
    })),
    request,
    decision_id: a.decisionId,
    policy: a.policy,
    reasons: (a.reasons ?? []).map(scrub),
    ...(a.summary === undefined ? {} : { summary: scrub(a.summary) }),
    ...(a.risk === undefined ? {} : { risk: a.risk }),
    action_digest: a.actionDigest,
    ...(a.cancellation
      ? {
          cancellation: { by: a.cancellation.by, ...(a.cancellation.reason === undefined ? {} : { reason: scrub(a.cancellation.reason) }) },
        }
      : {}),
    ...(a.breakGlass !== undefined ? { break_glass: { justification: scrub(a.breakGlass.justification) } } : {}),
    ...(a.reminders !== undefined ? { reminders: a.reminders } : {}),
    ...(a.escalation !== undefined ? { escalation: a.escalation } : {}),
    ...(access.viewer === "requester" && access.grant ? { grant: access.grant.token, grant_expires_at: iso(access.grant.expiresAt) } : {}),
  };
}
