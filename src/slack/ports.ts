/**
 * What the Slack app needs from the rest of Countersign and from Slack, declared here because the app is the
 * consumer: the approval use cases, the reviewer identities, and the four Slack Web API methods it calls.
 *
 * The composition root adapts the approval core and the identity directory to these; the Web API is Bolt's
 * `WebClient`. The card state, masking and logging types are the Teams bot's, so both channels show the same.
 */

import type { ApprovalCardState, CardVerdictValue, VerdictResult } from "../teams/ports";

/** A reviewer identity as the approval core knows it. */
export interface SlackReviewer {
  /** The Countersign identity id (`user:alice`). */
  readonly id: string;
  readonly roles: readonly string[];
}

/** Maps a Slack user onto a configured reviewer identity. */
export interface SlackReviewerDirectory {
  /** The person configured with this Slack user id in this workspace (`identities[].slack`), or null. */
  bySlackUser(userId: string, teamId: string): SlackReviewer | null;
}

/** What a reviewer submitted. */
export interface SlackVerdictCommand {
  readonly approvalId: string;
  readonly reviewer: SlackReviewer;
  readonly verdict: CardVerdictValue;
  readonly comment?: string;
  /** "once" or `{count?, window_seconds?}`; the core checks it against the policy. */
  readonly scope?: unknown;
  /** What the reviewer was shown: the request version, the rendered message's digest, and the message itself. */
  readonly shown?: SlackShown;
}

/** What a reviewer was shown: recorded on the verdict and in the audit trail. */
export interface SlackShown {
  /** The approval version the clicked message displayed. */
  readonly version: number;
  /** SHA-256 (hex) of the canonical JSON of the message's `{text, blocks}` as sent to Slack. */
  readonly digest: string;
  /** The message itself: the canonical JSON text whose SHA-256 is `digest` (kept in the trail); absent when not kept. */
  readonly view?: string;
}

/** The approval use cases the app calls; verdicts from Slack follow the same rules as verdicts from the API. */
export interface SlackApprovalPort {
  /** The request's current state, or null when there is no such request. */
  get(approvalId: string): Promise<ApprovalCardState | null>;
  /**
   * Whether `reviewer` may give a verdict now (the core's rules, without recording anything): null when they
   * may, else the refusal. Used to decide whether to open the verdict modal at all.
   */
  precheck(approvalId: string, reviewer: SlackReviewer): Promise<{ readonly code: string; readonly message: string } | null>;
  /** Records a verdict through the approval core, channel `slack` (same rules and audit as the API). */
  castVerdict(command: SlackVerdictCommand): Promise<VerdictResult>;
}

/** A Slack Web API answer: `ok` and the method's own fields. */
export interface SlackApiResult {
  readonly ok?: boolean;
  readonly error?: string;
  readonly [field: string]: unknown;
}

/** The Slack Web API methods the app calls (Bolt's `WebClient` fits). */
export interface SlackApi {
  readonly chat: {
    postMessage(args: Record<string, unknown>): Promise<SlackApiResult>;
    update(args: Record<string, unknown>): Promise<SlackApiResult>;
    postEphemeral(args: Record<string, unknown>): Promise<SlackApiResult>;
  };
  readonly views: {
    open(args: Record<string, unknown>): Promise<SlackApiResult>;
  };
}

/** The current time, injected so tests control it. */
export interface SlackClock {
  /** Epoch milliseconds. */
  now(): number;
}

/** The system clock. */
export const systemSlackClock: SlackClock = { now: () => Date.now() };
