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
import type { ApprovalRequest, Principal } from "../approvals/approval-request";
import { evaluateQuorum } from "../approvals/approval-state-machine";
import { eligibleRoles, verdictEligibility } from "../approvals/reviewer-eligibility";
import { canonicalJson } from "../json/canonical-json";
import { maskJson } from "../observability/masking";

/** One verdict as the page shows it. */
export interface VerdictLine {
  readonly reviewer: string;
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
  readonly risk?: string;
  readonly actor: { readonly id: string; readonly type?: string; readonly onBehalfOf?: string };
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
  readonly cancellation?: { readonly by: string; readonly reason?: string };
  readonly breakGlass?: { readonly justification: string };
  readonly decisionId: string;
  readonly policy: ApprovalRequest["policy"];
  readonly viewer: ViewerModel;
}

/** The model of `approval` as `viewer` sees it at `nowMs`. */
export function requestPageModel(approval: ApprovalRequest, viewer: Principal, relation: ViewerModel["relation"], nowMs: number): RequestPageModel {
  const masked = maskJson(approval.request, approval.mask);
  const request = masked.value;
  const progress = evaluateQuorum(approval.requirements, approval.verdicts);
  const eligibility = relation === "requester" ? null : verdictEligibility(approval, viewer, nowMs);
  const iso = (ms: number): string => new Date(ms).toISOString();
  const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "[MASKED]" ? v : undefined);
  const resource = request.resource as Record<string, unknown>;
  const actor = request.actor as Record<string, unknown>;
  const extra = policyExtras(approval);
  const actorText = text(actor["on_behalf_of"]) === undefined ? (text(actor["id"]) ?? "someone") : `${text(actor["on_behalf_of"])}'s ${text(actor["type"]) ?? "agent"} ${text(actor["id"]) ?? ""}`.trim();
  const target = [text(resource["id"]) ?? text(resource["type"]), text(resource["environment"]) === undefined ? undefined : `(${text(resource["environment"])})`].filter((s) => s !== undefined).join(" ");
  const r = approval.requirements;
  return {
    id: approval.id,
    version: approval.version,
    status: approval.status,
    headline: extra.summary ?? `${actorText} wants to ${text(request.action.name) ?? "act"}${target === "" ? "" : ` on ${target}`}`,
    ...extra,
    actor: {
      id: text(actor["id"]) ?? "[MASKED]",
      ...(text(actor["type"]) === undefined ? {} : { type: text(actor["type"]) as string }),
      ...(actor["on_behalf_of"] === undefined ? {} : { onBehalfOf: text(actor["on_behalf_of"]) ?? "[MASKED]" }),
    },
    action: text(request.action.name) ?? "[MASKED]",
    resource: {
      ...(text(resource["type"]) === undefined ? {} : { type: text(resource["type"]) as string }),
      ...(text(resource["id"]) === undefined ? {} : { id: text(resource["id"]) as string }),
      ...(text(resource["environment"]) === undefined ? {} : { environment: text(resource["environment"]) as string }),
    },
    reasons: [...(approval.reasons ?? [])],
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
      verdict: v.verdict,
      roles: v.roles,
      ...(v.comment === undefined ? {} : { comment: v.comment }),
      channel: v.channel,
      at: iso(v.at),
    })),
    createdAt: iso(approval.createdAt),
    updatedAt: iso(approval.updatedAt),
    expiresAt: iso(approval.expiresAt),
    ...(approval.decidedAt === undefined ? {} : { decidedAt: iso(approval.decidedAt) }),
    ...(approval.cancellation === undefined ? {} : { cancellation: approval.cancellation }),
    ...(approval.breakGlass === undefined ? {} : { breakGlass: approval.breakGlass }),
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

/**
 * The policy's optional `summary` and `risk` for reviewers, when the stored request carries them (on the
 * request or its requirements; strings only, at most 500 characters shown).
 */
function policyExtras(approval: ApprovalRequest): { summary?: string; risk?: string } {
  const pick = (name: string): string | undefined => {
    for (const holder of [approval as unknown as Record<string, unknown>, approval.requirements as unknown as Record<string, unknown>]) {
      const v = holder[name];
      if (typeof v === "string" && v.trim() !== "") return v.trim().slice(0, 500);
    }
    return undefined;
  };
  const summary = pick("summary");
  const risk = pick("risk");
  return { ...(summary === undefined ? {} : { summary }), ...(risk === undefined ? {} : { risk }) };
}
