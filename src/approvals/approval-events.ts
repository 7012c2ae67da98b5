/**
 * What the approval workflow tells the rest of the service (audit trail, Teams cards, metrics): one event
 * per state change, emitted by the instance whose atomic Redis step made the change, after it committed.
 *
 * Exactly once per change across instances follows from that: only one instance's compare-and-swap wins.
 * Listeners run in order and are awaited; a listener that throws is reported to `onListenerError` and does
 * not undo the change (it has already happened) nor stop the other listeners.
 */

import type { ApprovalErrorCode } from "./approval-errors";
import type { ApprovalRequest, FinalStatus, Verdict, VerdictChannel } from "./approval-request";

/**
 * The journal entries (`approval-journal.ts`) that stand for an event until the audit trail records it:
 * the audit listener deletes them once it has. Absent on events no journal entry stands for.
 */
export interface Journaled {
  readonly journal?: readonly string[];
  /** True when the recovery pass re-delivers the event after a crash, not the change as it happened. */
  readonly recovered?: boolean;
}

/** A new pending request was stored. */
export interface ApprovalCreatedEvent extends Journaled {
  readonly type: "approval.created";
  readonly at: number;
  readonly approval: ApprovalRequest;
}

/**
 * A request was withdrawn by the recovery pass: its creating decision was never recorded (the service
 * stopped between storing the request and recording the decision), so it was never announced either.
 */
export interface ApprovalWithdrawnEvent {
  readonly type: "approval.withdrawn";
  readonly at: number;
  readonly approval: ApprovalRequest;
  readonly reason: string;
}

/** A verdict was recorded (the request may have reached a final state with it; see approval.finalized). */
export interface VerdictRecordedEvent extends Journaled {
  readonly type: "approval.verdict";
  readonly at: number;
  readonly approval: ApprovalRequest;
  readonly verdict: Verdict;
}

/** A verdict attempt was refused; nothing changed. */
export interface VerdictRefusedEvent {
  readonly type: "approval.verdict_refused";
  readonly at: number;
  readonly approvalId: string;
  readonly reviewerId: string;
  readonly channel: VerdictChannel;
  readonly verdict: string;
  readonly code: ApprovalErrorCode;
  readonly reason: string;
  /** The request as it stood, when it exists. */
  readonly approval?: ApprovalRequest;
}

/** The request reached a final state. */
export interface ApprovalFinalizedEvent extends Journaled {
  readonly type: "approval.finalized";
  readonly at: number;
  readonly status: FinalStatus;
  /** What caused it. */
  readonly cause: "verdict" | "cancel" | "expiry";
  readonly approval: ApprovalRequest;
}

/** The reviewers who had not voted were reminded (sent once across instances, by the sweeper). */
export interface ApprovalRemindedEvent {
  readonly type: "approval.reminded";
  readonly at: number;
  readonly approval: ApprovalRequest;
  /** 1 for the first reminder. */
  readonly reminder: number;
}

/** The request climbed a rung of its escalation ladder (once across instances, by the sweeper). */
export interface ApprovalEscalatedEvent {
  readonly type: "approval.escalated";
  readonly at: number;
  readonly approval: ApprovalRequest;
  /** The rung reached, from 1. */
  readonly level: number;
}

/** A grant was issued for an approved request. */
export interface GrantIssuedEvent extends Journaled {
  readonly type: "grant.issued";
  readonly at: number;
  readonly approvalId: string;
  readonly jti: string;
  readonly actorId: string;
  readonly approvers: readonly string[];
  readonly expiresAt: number;
  /** The digest of the `{actor, action, resource}` the grant is bound to. */
  readonly actionDigest: string;
  /** A scoped grant's uses (null: any number until it expires); absent: single use. */
  readonly maxUses?: number | null;
}

/** Who presented a grant, when the redeemer was told. */
export interface GrantPresentation {
  /** The authenticated caller principal that presented it. */
  readonly caller?: string;
  /** `decide` (a `/v1/decide` with `grant`) or `redeem` (`POST /v1/grants/redeem`). */
  readonly via?: "decide" | "redeem";
  /** The decision that presented it (via decide). */
  readonly decisionId?: string;
}

/** A grant was redeemed (its single use is spent). */
export interface GrantRedeemedEvent extends GrantPresentation, Journaled {
  readonly type: "grant.redeemed";
  readonly at: number;
  readonly approvalId: string;
  readonly jti: string;
  readonly actorId: string;
  /** For a scoped grant: which use this was (from 1), and its uses (null: any number). */
  readonly use?: number;
  readonly maxUses?: number | null;
}

/** A grant redemption was refused. */
export interface GrantRefusedEvent extends GrantPresentation {
  readonly type: "grant.redemption_refused";
  readonly at: number;
  readonly code: ApprovalErrorCode;
  readonly reason: string;
  /** Known only when the token's signature verified. */
  readonly approvalId?: string;
  readonly jti?: string;
}

/** A final-state callback was delivered (2xx) or given up on. */
export interface CallbackOutcomeEvent {
  readonly type: "callback.delivered" | "callback.failed";
  readonly at: number;
  readonly approvalId: string;
  readonly attempts: number;
  /** The last HTTP status or transport error, for failures. */
  readonly detail?: string;
}

/** Every event the workflow emits. */
export type ApprovalEvent =
  | ApprovalCreatedEvent
  | ApprovalWithdrawnEvent
  | VerdictRecordedEvent
  | VerdictRefusedEvent
  | ApprovalFinalizedEvent
  | ApprovalRemindedEvent
  | ApprovalEscalatedEvent
  | GrantIssuedEvent
  | GrantRedeemedEvent
  | GrantRefusedEvent
  | CallbackOutcomeEvent;

/** Receives workflow events (the audit trail, the Teams notifier). */
export interface ApprovalEventListener {
  onApprovalEvent(event: ApprovalEvent): void | Promise<void>;
}

/** Delivers events to listeners in order, isolating their failures. */
export class ApprovalEventBus implements ApprovalEventListener {
  private readonly listeners: ApprovalEventListener[];

  constructor(
    listeners: readonly ApprovalEventListener[] = [],
    private readonly onListenerError: (err: unknown, event: ApprovalEvent) => void = () => undefined,
  ) {
    this.listeners = [...listeners];
  }

  /** Adds a listener (wiring time only). */
  add(listener: ApprovalEventListener): void {
    this.listeners.push(listener);
  }

  async onApprovalEvent(event: ApprovalEvent): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener.onApprovalEvent(event);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }
}
