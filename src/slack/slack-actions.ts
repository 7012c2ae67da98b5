/**
 * The action ids, callback id and block ids of the approval message and the verdict modal, shared by the
 * renderers that put them there and the handlers that answer them, so the two can never drift apart; and
 * the small JSON a button and a modal carry.
 */

/** The Approve button. */
export const APPROVE_ACTION_ID = "countersign.approve";

/** The Deny button. */
export const DENY_ACTION_ID = "countersign.deny";

/** The verdict modal (`view_submission`). */
export const VERDICT_CALLBACK_ID = "countersign.verdict";

/** The modal's comment input: block id and action id. */
export const COMMENT_BLOCK_ID = "comment";
export const COMMENT_ACTION_ID = "comment_input";

/** The modal's scope picker (approvals when the policy allows more than once). */
export const SCOPE_BLOCK_ID = "scope";
export const SCOPE_ACTION_ID = "scope_select";

/** Longest comment the modal accepts (the approval core may set a lower limit and refuse). */
export const COMMENT_MAX_LENGTH = 1000;

/** A button's value: the approval and the version of the request the message showed. */
export interface ButtonValue {
  readonly id: string;
  readonly v: number;
}

/** The modal's private metadata: what was clicked, where, and what the message showed. */
export interface ModalMetadata {
  readonly id: string;
  readonly verdict: "approve" | "deny";
  /** The request version the clicked message showed. */
  readonly v: number;
  /** The Slack channel and message the click came from (for ephemeral answers). */
  readonly channel: string;
  readonly ts?: string;
}

/** Longest approval id accepted from a button or a modal. */
const MAX_ID_LENGTH = 200;

/** The button value as JSON. */
export function buttonValue(id: string, version: number): string {
  return JSON.stringify({ id, v: version } satisfies ButtonValue);
}

/** A button's value parsed, or null when it is not one of ours. */
export function parseButtonValue(value: unknown): ButtonValue | null {
  const parsed = parseJson(value);
  if (parsed === null || !validId(parsed["id"]) || !validVersion(parsed["v"])) return null;
  return { id: parsed["id"] as string, v: parsed["v"] as number };
}

/** The modal's metadata parsed, or null when it is not one of ours. */
export function parseModalMetadata(value: unknown): ModalMetadata | null {
  const parsed = parseJson(value);
  if (parsed === null || !validId(parsed["id"]) || !validVersion(parsed["v"])) return null;
  const verdict = parsed["verdict"];
  const channel = parsed["channel"];
  const ts = parsed["ts"];
  if ((verdict !== "approve" && verdict !== "deny") || typeof channel !== "string" || (ts !== undefined && typeof ts !== "string"))
    return null;
  return { id: parsed["id"] as string, verdict, v: parsed["v"] as number, channel, ...(ts === undefined ? {} : { ts }) };
}

function parseJson(value: unknown): Record<string, unknown> | null {
  if (typeof value !== "string" || value.length > 2000) return null;
  try {
    const parsed = JSON.parse(value) as unknown;
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function validId(id: unknown): boolean {
  return typeof id === "string" && id.length > 0 && id.length <= MAX_ID_LENGTH;
}

function validVersion(v: unknown): boolean {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}
