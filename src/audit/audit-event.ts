/**
 * What the audit trail records: one discriminated union (on `type`) of everything that happens at the gate,
 * and a constructor per event type that the decide use case, the approval workflow, the grant redeemer and
 * the bundle loader call.
 *
 * Field names follow OPA's decision log where the two overlap (`decision_id`, `path`, `bundles`
 * `{name: {revision}}`, `input`, `result`, `timestamp` in RFC 3339 with nanoseconds, `labels`, `masked`,
 * `metrics`), so tooling that reads OPA decision logs reads decision entries too. Everything else is
 * snake_case in the same spirit. Identities are the configured principal ids (`svc:ci`, `user:alice`).
 *
 * A constructor returns a draft: the event without its timestamp and labels (the trail stamps those from its
 * injected clock and configuration) and the JSON pointers into the event that must be masked. The trail
 * masks, stamps, chains and stores it.
 */

import type { JsonValue } from "../bundle/bundle";
import { isDeepStrictEqual } from "node:util";
import { pointerCovers } from "../json/json-pointer";
import { DECISION_ENTRYPOINT } from "../bundle/bundle-build";
import { DECISION_ENTRY_VERSION, derivedResult } from "./decision-entry";

/** Every event type, in a stable order. */
export const AUDIT_EVENT_TYPES = [
  "decision",
  "approval.created",
  "approval.verdict",
  "approval.verdict_refused",
  "approval.final",
  "approval.withdrawn",
  "approval.reminded",
  "approval.escalated",
  "grant.issued",
  "grant.redeemed",
  "grant.refused",
  "bundle.activated",
  "bundle.refused",
  "shadow.disagreement",
] as const;

/** One of AUDIT_EVENT_TYPES. */
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** Which revision of each bundle answered, as OPA's decision log spells it. */
export type BundleRevisions = Readonly<Record<string, { readonly revision: string }>>;

/** A failure with a stable code, as other catalogues report it. */
export interface AuditReason {
  readonly code: string;
  readonly message: string;
}

/** Fields of every stored event. */
interface AuditEventCommon {
  /** When the trail recorded the event (injected clock), RFC 3339 UTC with nine fraction digits. */
  readonly timestamp: string;
  /** Which service instance recorded it (OPA's `labels`, e.g. `{id, version}`); present when configured. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Pointers into this event of the values replaced by `{"$masked": …}` (OPA's `masked`); absent when none. */
  readonly masked?: readonly string[];
  /**
   * True when the recovery pass recorded the event after a crash (its change committed, the service stopped
   * before recording it); the timestamp is then when it was recovered, not when the change was made.
   */
  readonly recovered?: boolean;
}

/** Who asked for what, on the events about one request (for filtering; the decision's `input` has the rest). */
interface RequestSubject {
  /** `actor.id` of the request. */
  readonly actor?: string;
  /** `actor.on_behalf_of`: the human an agent or service acts for. */
  readonly on_behalf_of?: string;
  /** `action.name` of the request. */
  readonly action?: string;
}

/**
 * Every answer of `POST /v1/decide`, as stored: version 2 (`v: 2`), each fact once (`decision-entry.ts`
 * says what is left out and how `decisionView` derives it; version 1 entries, without `v`, stored the
 * derived members too and read as they are).
 */
export interface DecisionAuditEvent extends AuditEventCommon {
  readonly type: "decision";
  /** The entry shape: 2. Absent on version 1 entries. */
  readonly v?: 2;
  readonly decision_id: string;
  /** The policy entrypoint that decided; stored only when it is not `countersign/decision`. */
  readonly path?: string;
  /** `{}` when no bundle was loaded (the answer is then a fail-closed deny). */
  readonly bundles: BundleRevisions;
  /** The authenticated caller principal; stored only when `input.caller.id` does not say it (masked, absent). */
  readonly caller?: string;
  readonly outcome: "allow" | "deny" | "require_approval";
  readonly reasons: readonly string[];
  /** The policy input (the request plus the caller and time), masked. */
  readonly input: JsonValue;
  /**
   * The members of the decision value as answered that the view does not derive (`approval`, `grant`,
   * `break_glass`, `code`, a non-empty `mask`); absent when there are none (a plain allow or deny).
   */
  readonly result?: JsonValue;
  /**
   * The pending request a require_approval created, the approval a redeemed grant came from, or a break-glass
   * review. Kept at the top although the answer names it too: it is the member that joins a decision to its
   * approval and grant events, in every event type, for the query and for collectors.
   */
  readonly approval_id?: string;
  /** Present on an allow by break-glass: the caller's justification (the post-hoc review is `approval_id`). */
  readonly break_glass?: { readonly justification: string };
  /** Set when the answer is a fail-closed deny rather than the policy's own. */
  readonly failure?: AuditReason;
  /** OPA-style timers, in nanoseconds. */
  readonly metrics?: { readonly timer_eval_ns: number };
}

/** Reviewer requirements as recorded. */
export interface AuditReviewerRequirement {
  readonly roles?: readonly string[];
  readonly groups?: readonly { readonly roles: readonly string[]; readonly quorum: number }[];
}

/** A pending approval request was created. */
export interface ApprovalCreatedAuditEvent extends AuditEventCommon, RequestSubject {
  readonly type: "approval.created";
  readonly approval_id: string;
  readonly decision_id: string;
  readonly caller: string;
  /** SHA-256 of the canonical `{actor, action, resource}` the grant will be bound to. */
  readonly action_digest: string;
  readonly quorum: number;
  readonly reviewers: AuditReviewerRequirement;
  readonly expires_at: string;
  readonly bundles?: BundleRevisions;
}

/** Where a verdict came from. */
export type VerdictChannel = "api" | "teams" | "slack" | "console";

/** A counted verdict. */
export interface ApprovalVerdictAuditEvent extends AuditEventCommon, RequestSubject {
  readonly type: "approval.verdict";
  readonly approval_id: string;
  readonly reviewer: string;
  readonly channel: VerdictChannel;
  readonly verdict: "approve" | "deny";
  readonly comment?: string;
  /**
   * What the reviewer was shown: the request version their message or console page showed, the SHA-256 of the
   * rendered message (or the console's page model), and the masked pointers that view hid (console verdicts).
   * `view`, when the channel kept it (Teams, console), is the view itself: the exact canonical JSON text whose
   * SHA-256 is `digest`, already masked; `countersign audit view` prints it back and checks it.
   */
  readonly shown?: { readonly version: number; readonly digest: string; readonly hidden?: readonly string[]; readonly view?: string };
}

/** A verdict attempt that was refused (self-approval, ineligible role, double vote, not pending, …). */
export interface ApprovalVerdictRefusedAuditEvent extends AuditEventCommon, RequestSubject {
  readonly type: "approval.verdict_refused";
  readonly approval_id: string;
  readonly reviewer: string;
  readonly channel: VerdictChannel;
  readonly verdict?: "approve" | "deny";
  /** The refusal's stable code and text, as the reviewer was told. */
  readonly reason: AuditReason;
}

/** The final state of an approval request. */
export interface ApprovalFinalAuditEvent extends AuditEventCommon, RequestSubject {
  readonly type: "approval.final";
  readonly approval_id: string;
  readonly outcome: "approved" | "denied" | "expired" | "cancelled";
  /** Distinct reviewers whose approvals counted. */
  readonly approvers: readonly string[];
  /** Reviewers who denied. */
  readonly deniers?: readonly string[];
  /** Who caused the final state when it was not a verdict (the cancelling caller). */
  readonly by?: string;
}

/** A request withdrawn by the recovery pass: its creating decision was never recorded, nobody was told of it. */
export interface ApprovalWithdrawnAuditEvent extends AuditEventCommon, RequestSubject {
  readonly type: "approval.withdrawn";
  readonly approval_id: string;
  /** The decision that created it (and that the trail does not hold). */
  readonly decision_id: string;
  readonly caller: string;
  readonly reason: string;
}

/** The reviewers who had not voted were reminded of a pending request. */
export interface ApprovalRemindedAuditEvent extends AuditEventCommon, RequestSubject {
  readonly type: "approval.reminded";
  readonly approval_id: string;
  /** 1 for the first reminder. */
  readonly reminder: number;
}

/** A pending request climbed its escalation ladder: more roles may review it, and/or another channel was told. */
export interface ApprovalEscalatedAuditEvent extends AuditEventCommon, RequestSubject {
  readonly type: "approval.escalated";
  readonly approval_id: string;
  /** The rung reached, from 1. */
  readonly level: number;
  /** The roles this rung made eligible. */
  readonly roles?: readonly string[];
  readonly channel?: string;
}

/** A grant was issued for an approved request. */
export interface GrantIssuedAuditEvent extends AuditEventCommon, RequestSubject {
  readonly type: "grant.issued";
  readonly grant_id: string;
  readonly approval_id: string;
  readonly action_digest: string;
  readonly approvers: readonly string[];
  readonly expires_at: string;
  /** A scoped grant's uses (null: any number until it expires); absent: single use. */
  readonly uses?: number | null;
}

/** A grant was redeemed (its single use, or one use of a scoped grant). */
export interface GrantRedeemedAuditEvent extends AuditEventCommon, RequestSubject {
  readonly type: "grant.redeemed";
  readonly grant_id: string;
  readonly approval_id: string;
  /** The principal that presented it. */
  readonly caller: string;
  /** `decide` (a `/v1/decide` with `grant`) or `redeem` (`POST /v1/grants/redeem`). */
  readonly via: "decide" | "redeem";
  readonly decision_id?: string;
  /** For a scoped grant: which use this was (from 1), and its uses (null: any number). */
  readonly use?: number;
  readonly uses?: number | null;
}

/** Why a grant redemption was refused. */
export type GrantRefusal = "replay" | "mismatch" | "expired" | "invalid";

/** A grant redemption was refused. */
export interface GrantRefusedAuditEvent extends AuditEventCommon, RequestSubject {
  readonly type: "grant.refused";
  readonly reason: GrantRefusal;
  readonly message: string;
  readonly caller: string;
  readonly via: "decide" | "redeem";
  /** Known when the token verified far enough to read them. */
  readonly grant_id?: string;
  readonly approval_id?: string;
  readonly decision_id?: string;
}

/** A bundle revision started serving. */
export interface BundleActivatedAuditEvent extends AuditEventCommon {
  readonly type: "bundle.activated";
  readonly bundle: string;
  readonly revision: string;
  readonly previous_revision?: string;
  /** Every bundle serving after the change. */
  readonly bundles: BundleRevisions;
}

/** A bundle was refused (corrupt, incompatible); the last good one keeps serving. */
export interface BundleRefusedAuditEvent extends AuditEventCommon {
  readonly type: "bundle.refused";
  readonly bundle: string;
  readonly revision?: string;
  readonly reason: AuditReason;
  /** The revision still serving, if any. */
  readonly serving_revision?: string;
}

/** One policy's answer in a shadow comparison. */
export interface ShadowAnswer {
  /** `{name: {revision}}` of the bundle that answered; `{}` when none was loaded. */
  readonly bundles: BundleRevisions;
  readonly outcome: "allow" | "deny" | "require_approval";
  readonly reasons: readonly string[];
  /** Set when the answer is a fail-closed deny rather than the policy's own. */
  readonly failure?: AuditReason;
}

/**
 * Shadow mode: the candidate bundle (`bundles.shadow`) answered a decision differently from the live one.
 * The answer given was the live one; the decision's own entry (`decision_id`) holds the input.
 */
export interface ShadowDisagreementAuditEvent extends AuditEventCommon {
  readonly type: "shadow.disagreement";
  readonly decision_id: string;
  /** `live→candidate`, e.g. `allow→require_approval`. */
  readonly transition: string;
  readonly live: ShadowAnswer;
  readonly candidate: ShadowAnswer;
}

/** Any stored event. */
export type AuditEvent =
  | DecisionAuditEvent
  | ApprovalCreatedAuditEvent
  | ApprovalVerdictAuditEvent
  | ApprovalVerdictRefusedAuditEvent
  | ApprovalFinalAuditEvent
  | ApprovalWithdrawnAuditEvent
  | ApprovalRemindedAuditEvent
  | ApprovalEscalatedAuditEvent
  | GrantIssuedAuditEvent
  | GrantRedeemedAuditEvent
  | GrantRefusedAuditEvent
  | BundleActivatedAuditEvent
  | BundleRefusedAuditEvent
  | ShadowDisagreementAuditEvent;

/** An event as its producer builds it: without the fields the trail stamps. */
export type AuditEventBody<E extends AuditEvent = AuditEvent> = E extends AuditEvent ? Omit<E, "timestamp" | "labels" | "masked"> : never;

/** What producers hand to the trail: the event body and the pointers (into the body) to mask. */
export interface AuditDraft<E extends AuditEvent = AuditEvent> {
  readonly body: AuditEventBody<E>;
  /** JSON pointers into `body` whose values are replaced by masking markers before anything is stored. */
  readonly mask: readonly string[];
}

/** What the decide use case knows about one answer. */
export interface DecisionEventInput {
  readonly decisionId: string;
  /** The authenticated caller principal's id. */
  readonly caller: string;
  /** The policy input (the validated request plus caller and time); must be JSON data. */
  readonly input: object;
  readonly outcome: DecisionAuditEvent["outcome"];
  readonly reasons: readonly string[];
  /** The decision value as answered; defaults to `{outcome, reasons}`. Must be JSON data. */
  readonly result?: object;
  /** The bundle that answered; null when none was loaded. */
  readonly policy: { readonly bundle: string; readonly revision: string } | null;
  /** The policy's `mask` pointers into the request (they resolve the same way in the input). */
  readonly mask?: readonly string[];
  readonly approvalId?: string;
  readonly failure?: AuditReason;
  readonly evalNs?: number;
  /** Present when the answer is an allow by break-glass: the caller's justification. */
  readonly breakGlass?: { readonly justification: string };
  /** The entrypoint; default `countersign/decision`. */
  readonly path?: string;
}

/**
 * Pointers masked in every decision's input whatever the policy says: a grant token presented with the
 * request is a bearer credential (the grant id and approval id are recorded by the grant events).
 */
export const ALWAYS_MASKED_INPUT_POINTERS: readonly string[] = ["/grant"];

/**
 * A `decision` event in the version 2 shape: the members `decisionView` derives are left out, and kept only
 * where the derivation would not give them back (the caller when the policy masks `input.caller.id`, answer
 * members that differ from the entry's own).
 */
export function decisionEvent(d: DecisionEventInput): AuditDraft<DecisionAuditEvent> {
  const requestMask = [...(d.mask ?? []), ...ALWAYS_MASKED_INPUT_POINTERS];
  const input = d.input as { [key: string]: unknown };
  const inputCaller = record(input["caller"])["id"];
  const callerDerivable = inputCaller === d.caller && !requestMask.some((p) => pointerCovers(p, "/caller/id"));
  const bundles: BundleRevisions = d.policy === null ? {} : { [d.policy.bundle]: { revision: d.policy.revision } };
  const given = (d.result ?? {}) as { [key: string]: unknown };
  const derived = derivedResult({ decision_id: d.decisionId, outcome: d.outcome, reasons: d.reasons, bundles });
  const result: { [key: string]: unknown } = {};
  for (const key of Object.keys(given)) {
    const value = given[key];
    if (value !== undefined && !sameJson(value, derived[key])) result[key] = value;
  }
  const body = compact({
    type: "decision" as const,
    v: DECISION_ENTRY_VERSION,
    decision_id: d.decisionId,
    path: d.path === undefined || d.path === DECISION_ENTRYPOINT ? undefined : d.path,
    bundles,
    caller: callerDerivable ? undefined : d.caller,
    outcome: d.outcome,
    reasons: [...d.reasons],
    input: d.input as JsonValue,
    result: Object.keys(result).length === 0 ? undefined : (result as JsonValue),
    approval_id: d.approvalId,
    break_glass: d.breakGlass === undefined ? undefined : { justification: d.breakGlass.justification },
    failure: d.failure,
    metrics: d.evalNs === undefined ? undefined : { timer_eval_ns: d.evalNs },
  }) as AuditEventBody<DecisionAuditEvent>;
  return { body, mask: requestMask.map((p) => "/input" + p) };
}

/** Who asked for what, as the approval workflow knows it from the stored request. */
export interface SubjectInput {
  readonly actor?: string;
  readonly onBehalfOf?: string;
  readonly action?: string;
}

/** An `approval.created` event. */
export function approvalCreatedEvent(
  d: SubjectInput & {
    readonly approvalId: string;
    readonly decisionId: string;
    readonly caller: string;
    readonly actionDigest: string;
    readonly quorum: number;
    readonly reviewers: AuditReviewerRequirement;
    readonly expiresAt: string;
    readonly policy?: { readonly bundle: string; readonly revision: string };
  },
): AuditDraft<ApprovalCreatedAuditEvent> {
  return draft<ApprovalCreatedAuditEvent>({
    type: "approval.created",
    approval_id: d.approvalId,
    decision_id: d.decisionId,
    caller: d.caller,
    ...subject(d),
    action_digest: d.actionDigest,
    quorum: d.quorum,
    reviewers: d.reviewers,
    expires_at: d.expiresAt,
    bundles: d.policy === undefined ? undefined : { [d.policy.bundle]: { revision: d.policy.revision } },
  });
}

/** An `approval.verdict` event (a verdict that counted). */
export function approvalVerdictEvent(
  d: SubjectInput & {
    readonly approvalId: string;
    readonly reviewer: string;
    readonly channel: VerdictChannel;
    readonly verdict: "approve" | "deny";
    readonly comment?: string;
    readonly shown?: { readonly version: number; readonly digest: string; readonly hidden?: readonly string[]; readonly view?: string };
  },
): AuditDraft<ApprovalVerdictAuditEvent> {
  return draft<ApprovalVerdictAuditEvent>({
    type: "approval.verdict",
    approval_id: d.approvalId,
    reviewer: d.reviewer,
    channel: d.channel,
    verdict: d.verdict,
    comment: d.comment,
    shown:
      d.shown === undefined
        ? undefined
        : {
            version: d.shown.version,
            digest: d.shown.digest,
            ...(d.shown.hidden === undefined ? {} : { hidden: [...d.shown.hidden] }),
            ...(d.shown.view === undefined ? {} : { view: d.shown.view }),
          },
    ...subject(d),
  });
}

/** An `approval.verdict_refused` event. */
export function approvalVerdictRefusedEvent(
  d: SubjectInput & {
    readonly approvalId: string;
    readonly reviewer: string;
    readonly channel: VerdictChannel;
    readonly verdict?: "approve" | "deny";
    readonly reason: AuditReason;
  },
): AuditDraft<ApprovalVerdictRefusedAuditEvent> {
  return draft<ApprovalVerdictRefusedAuditEvent>({
    type: "approval.verdict_refused",
    approval_id: d.approvalId,
    reviewer: d.reviewer,
    channel: d.channel,
    verdict: d.verdict,
    reason: { code: d.reason.code, message: d.reason.message },
    ...subject(d),
  });
}

/** An `approval.final` event. */
export function approvalFinalEvent(
  d: SubjectInput & {
    readonly approvalId: string;
    readonly outcome: ApprovalFinalAuditEvent["outcome"];
    readonly approvers: readonly string[];
    readonly deniers?: readonly string[];
    readonly by?: string;
  },
): AuditDraft<ApprovalFinalAuditEvent> {
  return draft<ApprovalFinalAuditEvent>({
    type: "approval.final",
    approval_id: d.approvalId,
    outcome: d.outcome,
    approvers: [...d.approvers],
    deniers: d.deniers === undefined ? undefined : [...d.deniers],
    by: d.by,
    ...subject(d),
  });
}

/** An `approval.withdrawn` event. */
export function approvalWithdrawnEvent(
  d: SubjectInput & { readonly approvalId: string; readonly decisionId: string; readonly caller: string; readonly reason: string },
): AuditDraft<ApprovalWithdrawnAuditEvent> {
  return draft<ApprovalWithdrawnAuditEvent>({
    type: "approval.withdrawn",
    approval_id: d.approvalId,
    decision_id: d.decisionId,
    caller: d.caller,
    reason: d.reason,
    ...subject(d),
  });
}

/** An `approval.reminded` event. */
export function approvalRemindedEvent(
  d: SubjectInput & { readonly approvalId: string; readonly reminder: number },
): AuditDraft<ApprovalRemindedAuditEvent> {
  return draft<ApprovalRemindedAuditEvent>({ type: "approval.reminded", approval_id: d.approvalId, reminder: d.reminder, ...subject(d) });
}

/** An `approval.escalated` event. */
export function approvalEscalatedEvent(
  d: SubjectInput & { readonly approvalId: string; readonly level: number; readonly roles?: readonly string[]; readonly channel?: string },
): AuditDraft<ApprovalEscalatedAuditEvent> {
  return draft<ApprovalEscalatedAuditEvent>({
    type: "approval.escalated",
    approval_id: d.approvalId,
    level: d.level,
    ...(d.roles === undefined ? {} : { roles: d.roles }),
    ...(d.channel === undefined ? {} : { channel: d.channel }),
    ...subject(d),
  });
}

/** A `grant.issued` event. */
export function grantIssuedEvent(
  d: SubjectInput & {
    readonly grantId: string;
    readonly approvalId: string;
    readonly actionDigest: string;
    readonly approvers: readonly string[];
    readonly expiresAt: string;
    readonly uses?: number | null;
  },
): AuditDraft<GrantIssuedAuditEvent> {
  return draft<GrantIssuedAuditEvent>({
    type: "grant.issued",
    grant_id: d.grantId,
    approval_id: d.approvalId,
    action_digest: d.actionDigest,
    approvers: [...d.approvers],
    expires_at: d.expiresAt,
    ...(d.uses === undefined ? {} : { uses: d.uses }),
    ...subject(d),
  });
}

/** A `grant.redeemed` event. */
export function grantRedeemedEvent(
  d: SubjectInput & {
    readonly grantId: string;
    readonly approvalId: string;
    readonly caller: string;
    readonly via: "decide" | "redeem";
    readonly decisionId?: string;
    readonly use?: number;
    readonly uses?: number | null;
  },
): AuditDraft<GrantRedeemedAuditEvent> {
  return draft<GrantRedeemedAuditEvent>({
    type: "grant.redeemed",
    grant_id: d.grantId,
    approval_id: d.approvalId,
    caller: d.caller,
    via: d.via,
    decision_id: d.decisionId,
    ...(d.use === undefined ? {} : { use: d.use }),
    ...(d.uses === undefined ? {} : { uses: d.uses }),
    ...subject(d),
  });
}

/** A `grant.refused` event. */
export function grantRefusedEvent(
  d: SubjectInput & {
    readonly reason: GrantRefusal;
    readonly message: string;
    readonly caller: string;
    readonly via: "decide" | "redeem";
    readonly grantId?: string;
    readonly approvalId?: string;
    readonly decisionId?: string;
  },
): AuditDraft<GrantRefusedAuditEvent> {
  return draft<GrantRefusedAuditEvent>({
    type: "grant.refused",
    reason: d.reason,
    message: d.message,
    caller: d.caller,
    via: d.via,
    grant_id: d.grantId,
    approval_id: d.approvalId,
    decision_id: d.decisionId,
    ...subject(d),
  });
}

/** A `bundle.activated` event. */
export function bundleActivatedEvent(d: {
  readonly bundle: string;
  readonly revision: string;
  readonly previousRevision?: string;
  /** Every bundle serving after the change; defaults to just this one. */
  readonly bundles?: BundleRevisions;
}): AuditDraft<BundleActivatedAuditEvent> {
  return draft<BundleActivatedAuditEvent>({
    type: "bundle.activated",
    bundle: d.bundle,
    revision: d.revision,
    previous_revision: d.previousRevision,
    bundles: d.bundles ?? { [d.bundle]: { revision: d.revision } },
  });
}

/** A `bundle.refused` event. */
export function bundleRefusedEvent(d: {
  readonly bundle: string;
  readonly revision?: string;
  readonly reason: AuditReason;
  readonly servingRevision?: string;
}): AuditDraft<BundleRefusedAuditEvent> {
  return draft<BundleRefusedAuditEvent>({
    type: "bundle.refused",
    bundle: d.bundle,
    revision: d.revision,
    reason: { code: d.reason.code, message: d.reason.message },
    serving_revision: d.servingRevision,
  });
}

/** One side of a `shadow.disagreement` event. */
export interface ShadowAnswerInput {
  readonly policy: { readonly bundle: string; readonly revision: string } | null;
  readonly outcome: ShadowAnswer["outcome"];
  readonly reasons: readonly string[];
  readonly failure?: AuditReason;
}

/** A `shadow.disagreement` event. */
export function shadowDisagreementEvent(d: {
  readonly decisionId: string;
  readonly live: ShadowAnswerInput;
  readonly candidate: ShadowAnswerInput;
}): AuditDraft<ShadowDisagreementAuditEvent> {
  const answer = (a: ShadowAnswerInput): ShadowAnswer =>
    compact({
      bundles: a.policy === null ? {} : { [a.policy.bundle]: { revision: a.policy.revision } },
      outcome: a.outcome,
      reasons: [...a.reasons],
      failure: a.failure === undefined ? undefined : { code: a.failure.code, message: a.failure.message },
    }) as ShadowAnswer;
  return draft<ShadowDisagreementAuditEvent>({
    type: "shadow.disagreement",
    decision_id: d.decisionId,
    transition: `${d.live.outcome}→${d.candidate.outcome}`,
    live: answer(d.live),
    candidate: answer(d.candidate),
  });
}

/** A draft with nothing to mask beyond the always-masked keys. */
function draft<E extends AuditEvent>(fields: { [K in keyof AuditEventBody<E>]: AuditEventBody<E>[K] | undefined }): AuditDraft<E> {
  return { body: compact(fields) as AuditEventBody<E>, mask: [] };
}

function subject(d: SubjectInput): { actor: string | undefined; on_behalf_of: string | undefined; action: string | undefined } {
  return { actor: d.actor, on_behalf_of: d.onBehalfOf, action: d.action };
}

/** Deep equality of JSON data; the answer's members are short (ids, reasons, the policy), so the common cases go first. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) && Array.isArray(b) && a.length === 0 && b.length === 0) return true;
  return isDeepStrictEqual(a, b);
}

/** The object without its undefined members (so optional fields are absent, not `undefined`). */
function compact<T extends object>(o: T): T {
  const out: { [key: string]: unknown } = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

function record(value: unknown): { [key: string]: unknown } {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as { [key: string]: unknown }) : {};
}

/** A decision entry read back in full: every member version 1 stored, whichever version was stored. */
export interface DecisionView extends Omit<DecisionAuditEvent, "caller" | "path" | "result"> {
  readonly caller: string;
  readonly path: string;
  readonly actor?: string;
  readonly actor_type?: string;
  readonly on_behalf_of?: string;
  readonly action?: string;
  readonly resource?: { readonly type?: string; readonly id?: string; readonly environment?: string };
  /** The decision value as answered (`decision_id`, `outcome`, `reasons`, `mask`, `policy`, `approval`, …). */
  readonly result: JsonValue;
}
