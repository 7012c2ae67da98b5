/**
 * The request page model: everything the console's request page shows about one request to one person, as
 * plain data, and its digest. The page (`request-page.ts`) is a pure function of this model, so the SHA-256
 * of the model's canonical JSON (RFC 8785) stands for exactly what the reviewer saw; a console verdict
 * records it, with the masked pointers the page hid, as `shown` in the audit trail.
 *
 * Time-relative text (the "expires in 12 min" countdown, local times) is drawn by the browser from the
 * absolute times in the model, so the model, and its digest, do not change while the page is open.
 */

import { createHash } from "node:crypto";
import type { ApprovalRequest, Participant } from "../approvals/approval-request";
import { evaluateQuorum } from "../approvals/approval-state-machine";
import { eligibleRoles, verdictEligibility } from "../approvals/reviewer-eligibility";
import { canonicalJson } from "../json/canonical-json";
import type { Risk } from "../engine/decision-contract";
import { maskedValues, scrubLeaves, textScrubber } from "../observability/masked-values";
import { MASK_MARKER, maskJson } from "../json/document-masking";

/** One verdict as the page shows it. */
export interface VerdictLine {
  readonly reviewer: string;
  /** The reviewer's display name (`identities[].display_name`), their id when none is configured. */
  readonly reviewerName: string;
  readonly verdict: "approve" | "deny";
  readonly roles: readonly string[];
  readonly comment?: string;
  readonly channel: string;
  readonly at: string;
}

/** What the signed-in person may do on the page. */
export interface ViewerModel {
  readonly id: string;
  /** `requester` when they asked for it (caller, owner, actor or the person the actor acts for). */
  readonly relation: "reviewer" | "requester";
  /** True when they may approve or deny now (the workflow's own rules; the verdict is checked again when cast). */
  readonly canDecide: boolean;
  /** Why not, when they may not (the workflow's code and reason). */
  readonly cannotDecide?: { readonly code: string; readonly reason: string };
}

/** The request page model. */
export interface RequestPageModel {
  readonly id: string;
  readonly version: number;
  readonly status: ApprovalRequest["status"];
  /** One line saying what is asked: the policy's `summary`, else built from the actor, action and resource. */
  readonly headline: string;
  /** The policy's summary and risk, when its decision gave them. */
  readonly summary?: string;
  readonly risk?: Risk;
  /** The actor and the person it acts for; `…Name` is the configured display name, or the id. */
  readonly actor: {
    readonly id: string;
    readonly name: string;
    readonly type?: string;
    readonly onBehalfOf?: string;
    readonly onBehalfOfName?: string;
  };
  readonly action: string;
  readonly resource: { readonly type?: string; readonly id?: string; readonly environment?: string };
  readonly reasons: readonly string[];
  /** The whole request as reviewers see it: masked values replaced by `[MASKED]`. */
  readonly request: unknown;
  /** RFC 6901 pointers of the values the page hides. */
  readonly hidden: readonly string[];
  readonly requirements: {
    readonly quorum: number;
    readonly roles: readonly string[];
    readonly groups: readonly { readonly roles: readonly string[]; readonly quorum: number; readonly count: number }[];
    readonly commentRequired: boolean;
    readonly escalatedRoles: readonly string[];
    readonly maxScope?: { readonly count?: number; readonly window_seconds?: number };
  };
  readonly progress: { readonly approvals: number; readonly quorum: number };
  /** Who is still needed ("1 more from security"), while pending. */
  readonly stillNeeded: readonly string[];
  readonly verdicts: readonly VerdictLine[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly expiresAt: string;
  readonly decidedAt?: string;
  readonly cancellation?: { readonly by: string; readonly byName: string; readonly reason?: string };
  readonly breakGlass?: { readonly justification: string };
  readonly decisionId: string;
  readonly policy: ApprovalRequest["policy"];
  readonly viewer: ViewerModel;
}

/** How configured people are shown: their display name, when they have one. */
export type PeopleLookup = (id: string) => { readonly displayName?: string } | undefined;

/**
 * The model of `approval` as `viewer` sees it at `nowMs`. Every viewer sees the request masked, and every other
 * text that comes from the request or from people (the policy's summary and reasons, comments, the cancelling
 * reason, a break-glass justification, the request's other values) has the masked values scrubbed out by the
 * same function the Teams card uses (values only, exactly: keys and ids are not rewritten).
 */
export function requestPageModel(
  approval: ApprovalRequest,
  viewer: Participant,
  relation: ViewerModel["relation"],
  nowMs: number,
  people?: PeopleLookup,
): RequestPageModel {
  const masked = maskJson(approval.request, approval.mask);
  const secrets = maskedValues(approval.request, masked.value);
  const scrub = textScrubber(secrets);
  const request = scrubLeaves(masked.value, scrub) as typeof masked.value;
  const progress = evaluateQuorum(approval.requirements, approval.verdicts);
  const eligibility = relation === "requester" ? null : verdictEligibility(approval, viewer, nowMs);
  const iso = (ms: number): string => new Date(ms).toISOString();
  const text = (v: unknown): string | undefined => (typeof v === "string" && v !== MASK_MARKER ? v : undefined);
  const nameOf = (id: string): string => (id === MASK_MARKER ? id : (people?.(id)?.displayName ?? id));
  const resource = request.resource as Record<string, unknown>;
  const actor = request.actor as Record<string, unknown>;
  const summary = approval.summary === undefined || approval.summary.trim() === "" ? undefined : scrub(approval.summary.trim());
  const actorId = text(actor["id"]);
  const onBehalfOf = text(actor["on_behalf_of"]);
  const actorText =
    onBehalfOf === undefined
      ? actorId === undefined
        ? "someone"
        : nameOf(actorId)
      : `${nameOf(onBehalfOf)}'s ${text(actor["type"]) ?? "agent"} ${actorId ?? ""}`.trim();
  const target = [
    text(resource["id"]) ?? text(resource["type"]),
    text(resource["environment"]) === undefined ? undefined : `(${text(resource["environment"])})`,
  ]
    .filter((s) => s !== undefined)
    .join(" ");
  const r = approval.requirements;
  return {
    id: approval.id,
    version: approval.version,
    status: approval.status,
    headline: summary ?? `${actorText} wants to ${text(request.action.name) ?? "act"}${target === "" ? "" : ` on ${target}`}`,
    ...(summary === undefined ? {} : { summary }),
    ...(approval.risk === undefined ? {} : { risk: approval.risk }),
    actor: {
      id: actorId ?? MASK_MARKER,
      name: nameOf(actorId ?? MASK_MARKER),
      ...(text(actor["type"]) === undefined ? {} : { type: text(actor["type"]) as string }),
      ...(actor["on_behalf_of"] === undefined
        ? {}
        : { onBehalfOf: onBehalfOf ?? MASK_MARKER, onBehalfOfName: nameOf(onBehalfOf ?? MASK_MARKER) }),
    },
    action: text(request.action.name) ?? "[MASKED]",
    resource: {
      ...(text(resource["type"]) === undefined ? {} : { type: text(resource["type"]) as string }),
      ...(text(resource["id"]) === undefined ? {} : { id: text(resource["id"]) as string }),
      ...(text(resource["environment"]) === undefined ? {} : { environment: text(resource["environment"]) as string }),
    },
    reasons: (approval.reasons ?? []).map(scrub),
    request,
    hidden: [...masked.masked],
    requirements: {
      quorum: progress.quorum,
      roles: eligibleRoles(r.reviewers),
      groups: progress.groups.map((g) => ({ roles: g.roles, quorum: g.quorum, count: g.count })),
      commentRequired: r.comment_required === true,
      escalatedRoles: approval.escalation?.roles ?? [],
      ...(r.max_scope === undefined ? {} : { maxScope: r.max_scope }),
    },
    progress: { approvals: progress.approvers.length, quorum: progress.quorum },
    stillNeeded: approval.status === "pending" ? stillNeeded(approval, progress) : [],
    verdicts: approval.verdicts.map((v) => ({
      reviewer: v.reviewerId,
      reviewerName: nameOf(v.reviewerId),
      verdict: v.verdict,
      roles: v.roles,
      ...(v.comment === undefined ? {} : { comment: scrub(v.comment) }),
      channel: v.channel,
      at: iso(v.at),
    })),
    createdAt: iso(approval.createdAt),
    updatedAt: iso(approval.updatedAt),
    expiresAt: iso(approval.expiresAt),
    ...(approval.decidedAt === undefined ? {} : { decidedAt: iso(approval.decidedAt) }),
    ...(approval.cancellation === undefined
      ? {}
      : {
          cancellation: {
            by: approval.cancellation.by,
            byName: nameOf(approval.cancellation.by),
            ...(approval.cancellation.reason === undefined ? {} : { reason: scrub(approval.cancellation.reason) }),
          },
        }),
    ...(approval.breakGlass === undefined ? {} : { breakGlass: { justification: scrub(approval.breakGlass.justification) } }),
    decisionId: approval.decisionId,
    policy: approval.policy,
    viewer: {
      id: viewer.id,
      relation,
      canDecide: eligibility?.eligible === true,
      ...(eligibility === null
        ? { cannotDecide: { code: "COUNTERSIGN_SELF_APPROVAL", reason: "you asked for this request; someone else reviews it" } }
        : eligibility.eligible
          ? {}
          : { cannotDecide: { code: eligibility.code, reason: eligibility.reason } }),
    },
  };
}

/** SHA-256 (hex) of the model's canonical JSON: what a console verdict records as shown. */
export function pageModelDigest(model: RequestPageModel): string {
  return pageModelView(model).digest;
}

/** The model as a verdict keeps it: its canonical JSON text (the view the trail keeps) and that text's SHA-256. */
export function pageModelView(model: RequestPageModel): { readonly view: string; readonly digest: string } {
  const view = canonicalJson(model);
  return { view, digest: createHash("sha256").update(view, "utf8").digest("hex") };
}

/** "1 more approval from security", per unmet group, or overall. */
function stillNeeded(approval: ApprovalRequest, progress: ReturnType<typeof evaluateQuorum>): string[] {
  const out: string[] = [];
  for (const g of progress.groups) {
    if (!g.met) out.push(`${g.quorum - g.count} more from ${g.roles.join(" or ")}`);
  }
  const groupMissing = progress.groups.reduce((sum, g) => sum + Math.max(0, g.quorum - g.count), 0);
  const overall = progress.quorum - progress.approvers.length;
  if (overall > groupMissing) {
    const roles = [...new Set([...eligibleRoles(approval.requirements.reviewers), ...(approval.escalation?.roles ?? [])])];
    out.push(`${overall - groupMissing} more ${progress.groups.length === 0 ? "" : "(any group) "}from ${roles.join(" or ")}`);
  }
  return out;
}
