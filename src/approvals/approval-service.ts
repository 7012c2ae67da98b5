/**
 * The approval use cases: create a request from a `require_approval` decision, record verdicts, cancel,
 * read (with the grant for the creating caller), list a reviewer's inbox, long-poll for changes, expire.
 *
 * Routes and the Teams bot call these directly; they know nothing of HTTP. Every refusal is an
 * `ApprovalError` from the catalogue. Rules are the pure functions of `reviewer-eligibility.ts` and
 * `approval-state-machine.ts`; every state change is one compare-and-swap in the store, retried on a version
 * conflict, and its events are emitted by the instance whose step made the change.
 */

import { createHash } from "node:crypto";
import type { ApprovalRequirements, ApprovalScope, PolicyRef, Risk } from "../engine/decision-contract";
import { validateScope } from "../engine/decision-validator";
import { describeScope, scopeWithin } from "./approval-scope";
import { actionDigest } from "./action-digest";
import type { ApprovalChangeFeed } from "./approval-change-feed";
import { ApprovalError, type ApprovalErrorCode } from "./approval-errors";
import type { ApprovalEvent, ApprovalEventListener } from "./approval-events";
import {
  isFinal,
  type ApprovalRequest,
  type ApprovalRequestCore,
  type IssuedGrant,
  type Participant,
  type RequestedAction,
  type Verdict,
  type VerdictChannel,
  type VerdictShown,
  MAX_SHOWN_VIEW_CHARS,
  type VerdictValue,
} from "./approval-request";
import { assertUsableRequirements, evaluateQuorum } from "./approval-state-machine";
import type { ApprovalStore, Expired, InboxPosition, TransitionResult } from "./approval-store";
import { millis, randomApprovalIds, type IdSource } from "./id-source";
import { eligibleRoles, reviewerStanding, sameIdentity, verdictEligibility, type ReviewerPolicy } from "./reviewer-eligibility";
import { nextEventLoopTurn, turnDue } from "../service/event-loop-turn";

/** Signs a grant for an approved request (implemented by `src/grants/grant-service.ts`). */
export interface GrantIssuer {
  issue(approval: ApprovalRequest, nowMs: number): Promise<IssuedGrant>;
}

/** Decides whether a callback URL may be stored (implemented by `src/callbacks/callback-url-policy.ts`). */
export interface CallbackUrlCheck {
  /** Resolves when allowed; throws COUNTERSIGN_CALLBACK_NOT_ALLOWED otherwise. */
  check(url: string): Promise<void>;
}

/** Limits of the use cases; all optional. */
export interface ApprovalLimits {
  /** Longest verdict comment, in characters (code points). Default 2000. */
  readonly commentMaxChars?: number;
  /** Longest idempotency key. Default 256. */
  readonly idempotencyKeyMaxChars?: number;
  /** Longest long-poll wait. Default 60 000 ms. */
  readonly maxWaitMs?: number;
  /** Compare-and-swap attempts for one verdict before COUNTERSIGN_APPROVAL_CONFLICT. Default 200. */
  readonly verdictAttempts?: number;
  /** Requests expired per store call by `expireDue`. Default 100. */
  readonly expireBatch?: number;
}

/** What the service is built from. */
export interface ApprovalServiceDeps {
  readonly store: ApprovalStore;
  /** Nanosecond clock (`src/policy/clock.ts`). */
  readonly clock: { nowNs(): bigint };
  readonly ids?: IdSource;
  readonly events?: ApprovalEventListener;
  /** Needed by `waitForChange`; without it waits return after the timeout only. */
  readonly changes?: ApprovalChangeFeed;
  /** Without it, approved requests carry no grant. */
  readonly grants?: GrantIssuer;
  /** Without it, any callback_url is refused. */
  readonly callbackUrls?: CallbackUrlCheck;
  /** Optional extra restriction on reviewers (the `countersign/reviewer` entrypoint). */
  readonly reviewerPolicy?: ReviewerPolicy;
  /**
   * The configured identities a request's ids resolve to: the requesters are stored as the identities they
   * name (`User:Alice` as `user:alice`), so the rule against self-approval compares people, not spellings.
   */
  readonly identities?: { resolve(id: string): { readonly id: string } | undefined };
  readonly limits?: ApprovalLimits;
}

/** The decide request an approval holds, as the workflow needs it (the service's DecideRequest, narrowed). */
export interface HeldRequest {
  readonly actor: { readonly id: string; readonly on_behalf_of?: string; readonly [field: string]: unknown };
  readonly action: { readonly name: string; readonly [field: string]: unknown };
  readonly resource: { readonly [field: string]: unknown };
  readonly context?: { readonly [field: string]: unknown };
}

/** Input of `createFromDecision`. */
export interface CreateApprovalInput {
  /** The authenticated caller principal (its `owner`, if any, can never review). */
  readonly caller: Participant;
  readonly request: HeldRequest;
  readonly decisionId: string;
  readonly policy: PolicyRef | null;
  /** The policy's reasons (shown to reviewers). */
  readonly reasons?: readonly string[];
  /** The policy's `approval` object. */
  readonly requirements: ApprovalRequirements;
  readonly mask?: readonly string[];
  /** The policy's one-line summary and risk rating (decision fields `summary`, `risk`), for reviewers. */
  readonly summary?: string;
  readonly risk?: Risk;
  readonly idempotencyKey?: string;
  readonly callbackUrl?: string;
  /** Open the post-hoc review of a break-glass use (see `ApprovalRequestCore.breakGlass`) instead of a request for approval. */
  readonly breakGlass?: { readonly justification: string };
  /**
   * Called once the request is stored (or the caller's existing one found), before anyone is told of it
   * (the `approval.created` event, Teams cards, the decide answer): the decide use case records its decision
   * in the audit trail here, so the trail has the decision before the request's own events. When it
   * rejects, a request this call created is withdrawn (removed before anyone heard of it) and the rejection
   * is passed on.
   */
  readonly beforeAnnounce?: (approval: ApprovalRequest, created: boolean) => Promise<void>;
}

/** Input of `castVerdict`; `verdict` and `comment` are validated here, so raw request values may be passed. */
export interface CastVerdictInput {
  readonly approvalId: string;
  readonly reviewer: Participant;
  readonly verdict: unknown;
  readonly comment?: unknown;
  readonly channel: VerdictChannel;
  /**
   * What an approval covers: `"once"` (the default), `{count}`, `{window_seconds}` or both, within the
   * policy's `approval.max_scope` (COUNTERSIGN_SCOPE_TOO_WIDE otherwise). Approvals only.
   */
  readonly scope?: unknown;
  /**
   * What the reviewer was shown, for verdicts from a chat message (the channel renders and hashes the message;
   * the core records it on the verdict and in the trail as given).
   */
  readonly shown?: VerdictShown;
}

/** A request as one viewer may see it. */
export interface ApprovalAccess {
  /** The request, never carrying the grant (see `grant`). */
  readonly approval: ApprovalRequest;
  /** Why the viewer may see it. */
  readonly viewer: "requester" | "reviewer";
  /** The grant, for the creating caller of an approved request only. */
  readonly grant?: IssuedGrant;
}

/** The approval use cases. */
export class ApprovalService {
  private readonly ids: IdSource;
  private readonly commentMaxChars: number;
  private readonly idempotencyKeyMaxChars: number;
  private readonly maxWaitMs: number;
  private readonly verdictAttempts: number;
  private readonly expireBatch: number;

  constructor(private readonly deps: ApprovalServiceDeps) {
    this.ids = deps.ids ?? randomApprovalIds;
    const limits = deps.limits ?? {};
    this.commentMaxChars = limits.commentMaxChars ?? 2000;
    this.idempotencyKeyMaxChars = limits.idempotencyKeyMaxChars ?? 256;
    this.maxWaitMs = limits.maxWaitMs ?? 60_000;
    this.verdictAttempts = limits.verdictAttempts ?? 200;
    this.expireBatch = limits.expireBatch ?? 100;
  }

  /**
   * Stores a pending request for a `require_approval` decision, or returns the caller's existing one for
   * the same idempotency key or the same pending action (`created: false`).
   */
  async createFromDecision(input: CreateApprovalInput): Promise<{ approval: ApprovalRequest; created: boolean }> {
    const request = validRequest(input.request);
    assertUsableRequirements(input.requirements);
    const requirements = input.breakGlass === undefined ? input.requirements : breakGlassReviewRequirements(input.requirements);
    if (input.requirements.reason_required && input.breakGlass === undefined) {
      const reason = request.context.reason;
      if (typeof reason !== "string" || reason.trim() === "") {
        throw new ApprovalError("COUNTERSIGN_REASON_REQUIRED", "this action requires a reason: set context.reason", {
          field: "context.reason",
        });
      }
    }
    if (input.idempotencyKey !== undefined) {
      if (
        typeof input.idempotencyKey !== "string" ||
        input.idempotencyKey === "" ||
        input.idempotencyKey.length > this.idempotencyKeyMaxChars
      ) {
        throw new ApprovalError(
          "COUNTERSIGN_INVALID_APPROVAL_REQUEST",
          `idempotency_key must be 1 to ${this.idempotencyKeyMaxChars} characters`,
          {
            field: "idempotency_key",
          },
        );
      }
    }
    if (input.callbackUrl !== undefined) {
      if (!this.deps.callbackUrls)
        throw new ApprovalError("COUNTERSIGN_CALLBACK_NOT_ALLOWED", "callbacks are not configured on this service");
      await this.deps.callbackUrls.check(input.callbackUrl);
    }
    const now = this.now();
    const digest = actionDigest(request);
    const core: ApprovalRequestCore = {
      id: this.ids.newId(),
      request,
      requirements,
      requesters: {
        callerId: input.caller.id,
        ...(input.caller.owner !== undefined ? { callerOwner: this.resolved(input.caller.owner) } : {}),
        actorId: this.resolved(request.actor.id),
        ...(request.actor.on_behalf_of !== undefined ? { onBehalfOf: this.resolved(request.actor.on_behalf_of) } : {}),
      },
      decisionId: input.decisionId,
      policy: input.policy,
      reasons: [...(input.reasons ?? [])],
      actionDigest: digest,
      createdAt: now,
      expiresAt: now + Math.round(requirements.ttl_seconds * 1000),
      ...(input.callbackUrl !== undefined ? { callbackUrl: input.callbackUrl } : {}),
      ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
      mask: [...(input.mask ?? [])],
      ...(input.summary === undefined ? {} : { summary: input.summary }),
      ...(input.risk === undefined ? {} : { risk: input.risk }),
      ...(input.breakGlass === undefined ? {} : { breakGlass: { justification: input.breakGlass.justification } }),
    };
    const result = await this.deps.store.create(core, now);
    if (!result.created && result.approval.actionDigest !== digest) {
      throw new ApprovalError("COUNTERSIGN_IDEMPOTENCY_KEY_REUSED", undefined, { approval_id: result.approval.id });
    }
    if (input.beforeAnnounce !== undefined) {
      try {
        await input.beforeAnnounce(withoutGrant(result.approval), result.created);
      } catch (err) {
        if (result.created) await this.deps.store.withdraw(result.approval.id).catch(() => false);
        throw err;
      }
    }
    if (result.created) {
      // The creating decision is recorded (or nobody records decisions here): the request may be seen and
      // decided from now on. If this fails the request stays hidden, and the recovery pass settles it.
      await this.deps.store.markRecorded(result.approval.id);
      await this.emit({ type: "approval.created", at: now, approval: result.approval, ...journaled(result.journal) });
    }
    return { approval: withoutGrant(result.approval), created: result.created };
  }

  /**
   * Records an approve or deny from `reviewer`, moving the request to approved or denied when the verdicts
   * add up. Refusals (self-approval, ineligible role, already voted, already decided, expired, the reviewer
   * policy) change nothing and are reported as `approval.verdict_refused` events.
   */
  async castVerdict(input: CastVerdictInput): Promise<ApprovalRequest> {
    const verdictValue = validVerdict(input.verdict);
    const comment = this.validComment(input.comment);
    if (input.channel !== "api" && input.channel !== "teams" && input.channel !== "slack" && input.channel !== "console") {
      throw new ApprovalError("COUNTERSIGN_INVALID_APPROVAL_REQUEST", 'channel must be "api", "teams", "slack" or "console"');
    }
    const shown = validShown(input.shown);
    const scope = validScopeInput(input.scope, verdictValue);
    let policyChecked = false;
    for (let attempt = 0; attempt < this.verdictAttempts; attempt++) {
      const now = this.now();
      const current = await this.deps.store.get(input.approvalId);
      if (!current) throw new ApprovalError("COUNTERSIGN_APPROVAL_NOT_FOUND");
      if (scope !== undefined && !scopeWithin(scope, current.requirements.max_scope, current.requirements.grant_ttl_seconds)) {
        throw new ApprovalError(
          "COUNTERSIGN_SCOPE_TOO_WIDE",
          `a scope of ${describeScope(scope)} is wider than this request allows (${describeScope(current.requirements.max_scope)})`,
          { field: "scope" },
        );
      }
      const eligibility = verdictEligibility(current, input.reviewer, now);
      if (!eligibility.eligible) {
        if (eligibility.code === "COUNTERSIGN_EXPIRED") await this.expireIfDue(current.id, now);
        return this.refuse(input, verdictValue, eligibility.code, eligibility.reason, current);
      }
      if (current.requirements.comment_required === true && (comment === undefined || comment.trim() === "")) {
        return this.refuse(
          input,
          verdictValue,
          "COUNTERSIGN_COMMENT_REQUIRED",
          "this request needs a comment with every verdict (approval.comment_required)",
          current,
        );
      }
      if (!policyChecked && this.deps.reviewerPolicy) {
        const ruling = await this.deps.reviewerPolicy.check(withoutGrant(current), input.reviewer);
        if (!ruling.allowed) {
          return this.refuse(
            input,
            verdictValue,
            "COUNTERSIGN_REVIEWER_POLICY_REFUSED",
            ruling.reason ?? "the reviewer policy does not allow this reviewer",
            current,
          );
        }
        policyChecked = true;
      }
      const verdict: Verdict = {
        reviewerId: input.reviewer.id,
        verdict: verdictValue,
        ...(comment !== undefined ? { comment } : {}),
        channel: input.channel,
        roles: eligibility.roles,
        at: now,
        ...(scope === undefined || (scope.count === undefined && scope.window_seconds === undefined) ? {} : { scope }),
        ...(shown === undefined ? {} : { shown }),
      };
      const next = evaluateQuorum(current.requirements, [...current.verdicts, verdict]).outcome;
      const result: TransitionResult = await this.deps.store.applyVerdict(current.id, current.version, verdict, next, now);
      switch (result.kind) {
        case "conflict":
          continue;
        case "applied": {
          const [verdictEntry, finalEntry] = result.journal;
          await this.emit({
            type: "approval.verdict",
            at: now,
            approval: withoutGrant(result.approval),
            verdict,
            ...journaled(verdictEntry),
          });
          if (isFinal(result.approval.status)) {
            await this.emit({
              type: "approval.finalized",
              at: now,
              status: result.approval.status,
              cause: "verdict",
              approval: withoutGrant(result.approval),
              ...journaled(finalEntry),
            });
            if (result.approval.status === "approved") await this.ensureGrant(result.approval);
          }
          return withoutGrant(result.approval);
        }
        case "expired_now":
          await this.emitExpired(result, now);
          return this.refuse(input, verdictValue, "COUNTERSIGN_EXPIRED", "the request has expired", result.approval);
        case "already_voted":
        case "already_decided": {
          const again = verdictEligibility(result.approval, input.reviewer, now);
          const code: ApprovalErrorCode = again.eligible
            ? result.kind === "already_voted"
              ? "COUNTERSIGN_ALREADY_VOTED"
              : "COUNTERSIGN_ALREADY_DECIDED"
            : again.code;
          const reason = again.eligible ? `the request is already ${result.approval.status}` : again.reason;
          return this.refuse(input, verdictValue, code, reason, result.approval);
        }
        case "not_found":
          throw new ApprovalError("COUNTERSIGN_APPROVAL_NOT_FOUND");
      }
    }
    throw new ApprovalError("COUNTERSIGN_APPROVAL_CONFLICT");
  }

  /** Cancels a pending request; only its creating caller may. */
  async cancel(input: { approvalId: string; caller: Participant; reason?: string }): Promise<ApprovalRequest> {
    const current = await this.deps.store.get(input.approvalId);
    const viewer = current ? await this.viewerKind(current, input.caller) : undefined;
    if (!viewer) throw new ApprovalError("COUNTERSIGN_APPROVAL_NOT_FOUND");
    if (viewer !== "requester")
      throw new ApprovalError("COUNTERSIGN_NOT_REQUESTER", "only the caller that created the request may cancel it");
    if (input.reason !== undefined && (typeof input.reason !== "string" || [...input.reason].length > this.commentMaxChars)) {
      throw new ApprovalError("COUNTERSIGN_COMMENT_TOO_LONG", `reason must be a string of at most ${this.commentMaxChars} characters`);
    }
    const now = this.now();
    const result = await this.deps.store.cancel(
      input.approvalId,
      { by: input.caller.id, ...(input.reason ? { reason: input.reason } : {}) },
      now,
    );
    switch (result.kind) {
      case "applied":
        await this.emit({
          type: "approval.finalized",
          at: now,
          status: "cancelled",
          cause: "cancel",
          approval: withoutGrant(result.approval),
          ...journaled(result.journal),
        });
        return withoutGrant(result.approval);
      case "expired_now":
        await this.emitExpired(result, now);
        throw new ApprovalError("COUNTERSIGN_EXPIRED");
      case "already_decided":
        throw new ApprovalError("COUNTERSIGN_ALREADY_DECIDED", `the request is already ${result.approval.status}`);
      default:
        throw new ApprovalError("COUNTERSIGN_APPROVAL_NOT_FOUND");
    }
  }

  /**
   * Reads a request: the creating caller sees it with its grant once approved; reviewers who may review it
   * see it without; anyone else is told it does not exist. A pending request past its expiry is expired first.
   */
  async get(input: { approvalId: string; viewer: Participant }): Promise<ApprovalAccess> {
    let approval = await this.deps.store.get(input.approvalId);
    if (!approval) throw new ApprovalError("COUNTERSIGN_APPROVAL_NOT_FOUND");
    const viewer = await this.viewerKind(approval, input.viewer);
    if (!viewer) throw new ApprovalError("COUNTERSIGN_APPROVAL_NOT_FOUND");
    const now = this.now();
    if (approval.status === "pending" && now >= approval.expiresAt)
      approval = (await this.expireIfDue(approval.id, now)) ?? (await this.deps.store.get(approval.id)) ?? approval;
    if (viewer === "requester" && approval.status === "approved") {
      const grant = await this.ensureGrant(approval);
      return { approval: withoutGrant(approval), viewer, ...(grant ? { grant } : {}) };
    }
    return { approval: withoutGrant(approval), viewer };
  }

  /**
   * The request without any visibility check, for trusted in-process consumers (the Teams notifier, the
   * audit trail); never expose it through HTTP. Null when unknown. The grant is never included.
   */
  async read(approvalId: string): Promise<ApprovalRequest | null> {
    const approval = await this.deps.store.get(approvalId);
    return approval ? withoutGrant(approval) : null;
  }

  /**
   * One page of the requests `reviewer` may decide now (eligible, not a requester, no verdict yet, pending
   * and unexpired, allowed by the reviewer policy), oldest first; `cursor` (from the previous page's
   * `nextCursor`) continues where that page ended. The cost follows the page, not the backlog.
   */
  async inbox(input: {
    reviewer: Participant;
    limit?: number;
    cursor?: string;
  }): Promise<{ approvals: ApprovalRequest[]; nextCursor: string | null }> {
    const limit = Math.max(1, Math.min(input.limit ?? 100, 1000));
    const now = this.now();
    const out: ApprovalRequest[] = [];
    let position = input.cursor === undefined ? null : decodeListCursor(input.cursor);
    while (out.length < limit) {
      const page = await this.deps.store.inboxPage(input.reviewer.id, input.reviewer.roles, position, limit - out.length);
      for (const [n, approval] of page.approvals.entries()) {
        // The eligibility and reviewer-policy checks of a page are long work: decisions waiting meanwhile get turns.
        if (turnDue(n)) await nextEventLoopTurn();
        position = { score: approval.createdAt, id: approval.id };
        if (!verdictEligibility(approval, input.reviewer, now).eligible) continue;
        if (this.deps.reviewerPolicy && !(await this.deps.reviewerPolicy.check(withoutGrant(approval), input.reviewer)).allowed) continue;
        out.push(withoutGrant(approval));
      }
      if (page.next === null) return { approvals: out, nextCursor: null };
      position = page.next;
    }
    return { approvals: out, nextCursor: position === null ? null : encodeListCursor(position) };
  }

  /**
   * One page of the requests `requester` asked for (as caller, the caller's owner, the actor, or the person
   * the actor acts for), whatever their status, newest first; `cursor` (from the previous page's
   * `nextCursor`) continues where that page ended. The creating caller's own view: grants are left out.
   */
  async requestedBy(input: {
    requester: string;
    limit?: number;
    cursor?: string;
  }): Promise<{ approvals: ApprovalRequest[]; nextCursor: string | null }> {
    const limit = Math.max(1, Math.min(input.limit ?? 100, 1000));
    const after = input.cursor === undefined ? null : decodeListCursor(input.cursor);
    const page = await this.deps.store.requestedBy({ requester: input.requester, after, limit, nowMs: this.now() });
    return { approvals: page.approvals.map(withoutGrant), nextCursor: page.next === null ? null : encodeListCursor(page.next) };
  }

  /**
   * Long-poll: returns as soon as the request's version is above `sinceVersion` (default: the version it
   * has when the call starts) or it is final, else after `timeoutMs` (capped at the configured maximum) with
   * `changed: false`. Works across instances through the change feed; it subscribes before re-reading, so a
   * change between the first read and the subscription is not missed.
   */
  async waitForChange(input: {
    approvalId: string;
    viewer: Participant;
    timeoutMs: number;
    sinceVersion?: number;
    /** Ends the wait early (client gone, service shutting down): the answer is then the current state. */
    signal?: AbortSignal;
  }): Promise<ApprovalAccess & { changed: boolean }> {
    const first = await this.get(input);
    const since = input.sinceVersion ?? first.approval.version;
    const settled = (a: ApprovalAccess): boolean => a.approval.version > since || isFinal(a.approval.status);
    if (settled(first) || input.timeoutMs <= 0 || !this.deps.changes || input.signal?.aborted) {
      return { ...first, changed: first.approval.version > since };
    }

    let wake: () => void = () => undefined;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    let stop: () => Promise<void>;
    try {
      stop = await this.deps.changes.listen(input.approvalId, () => wake());
    } catch (err) {
      throw new ApprovalError("COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE", `cannot wait for changes: ${(err as Error).message}`);
    }
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => wake();
    input.signal?.addEventListener("abort", onAbort, { once: true });
    if (input.signal?.aborted) wake();
    try {
      const again = await this.get(input);
      if (settled(again)) return { ...again, changed: again.approval.version > since };
      // Wake at the expiry time too: the re-read then expires the request if no sweeper has yet.
      const untilExpiry = Math.max(0, again.approval.expiresAt - this.now()) + 5;
      const waitMs = Math.min(input.timeoutMs, this.maxWaitMs, untilExpiry);
      await Promise.race([woken, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      const last = await this.get(input);
      return { ...last, changed: last.approval.version > since };
    } finally {
      clearTimeout(timer);
      input.signal?.removeEventListener("abort", onAbort);
      await stop();
    }
  }

  /** Expires every due request; each is expired (and announced) by exactly one instance. */
  async expireDue(): Promise<ApprovalRequest[]> {
    const expired: ApprovalRequest[] = [];
    for (;;) {
      const now = this.now();
      const batch = await this.deps.store.expireDue(now, this.expireBatch);
      for (const one of batch) await this.emitExpired(one, now);
      expired.push(...batch.map((one) => one.approval));
      if (batch.length < this.expireBatch) return expired.map(withoutGrant);
    }
  }

  /**
   * Sends the reminders and escalations that are due (the policy's `remind_after_seconds` and `escalate`);
   * each is sent by exactly one instance, which announces it (`approval.reminded`, `approval.escalated`).
   */
  async remindAndEscalate(): Promise<{ reminded: number; escalated: number }> {
    let reminded = 0;
    let escalated = 0;
    for (;;) {
      const now = this.now();
      const fired = await this.deps.store.timersDue(now, this.expireBatch);
      for (const t of fired) {
        const approval = withoutGrant(t.approval);
        if (t.kind === "remind") {
          reminded++;
          await this.emit({ type: "approval.reminded", at: now, approval, reminder: t.number });
        } else {
          escalated++;
          await this.emit({ type: "approval.escalated", at: now, approval, level: t.number });
        }
      }
      if (fired.length < this.expireBatch) return { reminded, escalated };
    }
  }

  private async expireIfDue(id: string, now: number): Promise<ApprovalRequest | null> {
    const expired = await this.deps.store.expireIfDue(id, now);
    if (expired) await this.emitExpired(expired, now);
    return expired?.approval ?? null;
  }

  /** The grant of an approved request, issuing and attaching it once if it has none yet. */
  private async ensureGrant(approval: ApprovalRequest): Promise<IssuedGrant | undefined> {
    if (approval.grant) return approval.grant;
    if (!this.deps.grants || approval.breakGlass !== undefined) return undefined; // a review acknowledges; it permits nothing
    const now = this.now();
    const issued = await this.deps.grants.issue(withoutGrant(approval), now);
    const attached = await this.deps.store.attachGrant(approval.id, issued);
    if (!attached) return undefined;
    if (attached.attached) {
      await this.emit({
        type: "grant.issued",
        at: now,
        approvalId: approval.id,
        jti: issued.jti,
        actorId: approval.requesters.actorId,
        approvers: evaluateQuorum(approval.requirements, approval.verdicts).approvers,
        expiresAt: issued.expiresAt,
        actionDigest: approval.actionDigest,
        ...(issued.maxUses === undefined ? {} : { maxUses: issued.maxUses }),
        ...journaled(attached.journal),
      });
    }
    return attached.grant;
  }

  private async viewerKind(approval: ApprovalRequest, viewer: Participant): Promise<"requester" | "reviewer" | undefined> {
    if (sameIdentity(viewer.id, approval.requesters.callerId)) return "requester";
    if (!reviewerStanding(approval, viewer).eligible) return undefined;
    if (this.deps.reviewerPolicy && !(await this.deps.reviewerPolicy.check(withoutGrant(approval), viewer)).allowed) return undefined;
    return "reviewer";
  }

  private async refuse(
    input: CastVerdictInput,
    verdict: VerdictValue,
    code: ApprovalErrorCode,
    reason: string,
    approval: ApprovalRequest,
  ): Promise<never> {
    await this.emit({
      type: "approval.verdict_refused",
      at: this.now(),
      approvalId: approval.id,
      reviewerId: input.reviewer.id,
      channel: input.channel,
      verdict,
      code,
      reason,
      approval: withoutGrant(approval),
    });
    throw new ApprovalError(code, reason);
  }

  private async emitExpired(expired: Expired, now: number): Promise<void> {
    await this.emit({
      type: "approval.finalized",
      at: now,
      status: "expired",
      cause: "expiry",
      approval: withoutGrant(expired.approval),
      ...journaled(expired.journal),
    });
  }

  private async emit(event: ApprovalEvent): Promise<void> {
    await this.deps.events?.onApprovalEvent(event);
  }

  private validComment(comment: unknown): string | undefined {
    if (comment === undefined || comment === null || comment === "") return undefined;
    if (typeof comment !== "string")
      throw new ApprovalError("COUNTERSIGN_INVALID_APPROVAL_REQUEST", "comment must be a string", { field: "comment" });
    const length = [...comment].length;
    if (length > this.commentMaxChars) {
      throw new ApprovalError("COUNTERSIGN_COMMENT_TOO_LONG", `comment is ${length} characters; the limit is ${this.commentMaxChars}`, {
        field: "comment",
        limit: this.commentMaxChars,
      });
    }
    return comment;
  }

  /** The configured identity an id in a request names, or the id as written when it names none. */
  private resolved(id: string): string {
    return this.deps.identities?.resolve(id)?.id ?? id;
  }

  private now(): number {
    return millis(this.deps.clock);
  }
}

/** How long a break-glass review waits to be acknowledged, at least: a week. */
export const BREAK_GLASS_REVIEW_MIN_TTL_SECONDS = 7 * 24 * 3600;

/**
 * The post-hoc review of a break-glass use: one acknowledgement from anyone who could have approved the action
 * (reminders and escalation as the policy says), kept at least a week; no scope, no further break-glass.
 */
function breakGlassReviewRequirements(r: ApprovalRequirements): ApprovalRequirements {
  const { max_scope: _scope, break_glass_allowed: _bg, reviewers, quorum: _q, ...rest } = r;
  return {
    ...rest,
    quorum: 1,
    reviewers: { roles: eligibleRoles(reviewers) },
    ttl_seconds: Math.max(r.ttl_seconds, BREAK_GLASS_REVIEW_MIN_TTL_SECONDS),
    reason_required: false,
  };
}

/** An opaque cursor for a position in the inbox or a requester's history. */
function encodeListCursor(p: InboxPosition): string {
  return Buffer.from(JSON.stringify([p.score, p.id]), "utf8").toString("base64url");
}

/** The position of a list cursor; COUNTERSIGN_INVALID_APPROVAL_REQUEST for anything it did not hand out. */
function decodeListCursor(cursor: string): InboxPosition {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(value) && value.length === 2 && Number.isFinite(value[0]) && typeof value[1] === "string") {
      return { score: value[0] as number, id: value[1] as string };
    }
  } catch {
    // reported below
  }
  throw new ApprovalError("COUNTERSIGN_INVALID_APPROVAL_REQUEST", "cursor is not one this list handed out", { field: "cursor" });
}

/** The `journal` member of an event, when journal entries stand for it. */
function journaled(entries: string | readonly string[] | undefined): { journal?: readonly string[] } {
  if (entries === undefined) return {};
  const list = typeof entries === "string" ? [entries] : entries;
  return list.length === 0 ? {} : { journal: list };
}

/** The request without its grant, for anyone but the creating caller. */
function withoutGrant(approval: ApprovalRequest): ApprovalRequest {
  if (!approval.grant) return approval;
  const { grant: _grant, ...rest } = approval;
  return rest;
}

/** The scope a verdict asks for, checked for shape (not yet against the policy); undefined when none. */
function validScopeInput(value: unknown, verdict: VerdictValue): ApprovalScope | undefined {
  if (value === undefined || value === null) return undefined;
  if (verdict !== "approve")
    throw new ApprovalError("COUNTERSIGN_INVALID_APPROVAL_REQUEST", "scope is given with an approval only", { field: "scope" });
  const checked = validateScope(value, "scope");
  if (!checked.ok) throw new ApprovalError("COUNTERSIGN_INVALID_APPROVAL_REQUEST", checked.problem, { field: "scope" });
  return checked.scope;
}

function validVerdict(value: unknown): VerdictValue {
  if (value === "approve" || value === "deny") return value;
  throw new ApprovalError("COUNTERSIGN_INVALID_VERDICT", undefined, { field: "verdict" });
}

function validRequest(input: HeldRequest): RequestedAction {
  const bad = (field: string, what: string): never => {
    throw new ApprovalError("COUNTERSIGN_INVALID_APPROVAL_REQUEST", `${field} ${what}`, { field });
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(input)) return bad("request", "must be an object");
  if (!isObject(input.actor)) bad("actor", "must be an object");
  if (typeof input.actor.id !== "string" || input.actor.id.trim() === "") bad("actor.id", "must be a non-empty string");
  if (input.actor.on_behalf_of !== undefined && typeof input.actor.on_behalf_of !== "string") bad("actor.on_behalf_of", "must be a string");
  if (!isObject(input.action)) bad("action", "must be an object");
  if (typeof input.action.name !== "string" || input.action.name === "") bad("action.name", "must be a non-empty string");
  if (!isObject(input.resource)) bad("resource", "must be an object");
  if (input.context !== undefined && !isObject(input.context)) bad("context", "must be an object");
  return {
    actor: input.actor as RequestedAction["actor"],
    action: input.action,
    resource: input.resource,
    context: input.context ?? {},
  };
}

/** Most masked pointers a `shown` record may list. */
const MAX_SHOWN_HIDDEN = 1000;

/**
 * A `shown` record as given by a channel: a non-negative integer version, a SHA-256 hex digest, and
 * optionally the JSON pointers the view hid (at most MAX_SHOWN_HIDDEN, each "" or starting with "/").
 */
function validShown(shown: VerdictShown | undefined): VerdictShown | undefined {
  if (shown === undefined) return undefined;
  if (
    !Number.isSafeInteger(shown.version) ||
    shown.version < 0 ||
    typeof shown.digest !== "string" ||
    !/^[0-9a-f]{64}$/.test(shown.digest)
  ) {
    throw new ApprovalError("COUNTERSIGN_INVALID_APPROVAL_REQUEST", "shown must be {version, digest} with a SHA-256 hex digest");
  }
  const hidden = shown.hidden;
  if (
    hidden !== undefined &&
    (!Array.isArray(hidden) ||
      hidden.length > MAX_SHOWN_HIDDEN ||
      !hidden.every((p) => typeof p === "string" && (p === "" || p.startsWith("/")) && p.length <= 1000))
  ) {
    throw new ApprovalError(
      "COUNTERSIGN_INVALID_APPROVAL_REQUEST",
      `shown.hidden must be a list of at most ${MAX_SHOWN_HIDDEN} JSON pointers`,
    );
  }
  const view = shown.view;
  if (view !== undefined) {
    if (typeof view !== "string" || view.length > MAX_SHOWN_VIEW_CHARS) {
      throw new ApprovalError(
        "COUNTERSIGN_INVALID_APPROVAL_REQUEST",
        `shown.view must be the view's canonical JSON text, at most ${MAX_SHOWN_VIEW_CHARS} characters`,
      );
    }
    if (createHash("sha256").update(view, "utf8").digest("hex") !== shown.digest) {
      throw new ApprovalError("COUNTERSIGN_INVALID_APPROVAL_REQUEST", "shown.view does not hash to shown.digest");
    }
  }
  return {
    version: shown.version,
    digest: shown.digest,
    ...(hidden === undefined ? {} : { hidden: [...hidden] }),
    ...(view === undefined ? {} : { view }),
  };
}
