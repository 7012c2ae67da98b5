/**
 * The Slack approval message: one pure function of an approval request's state, rendered as Block Kit, used
 * when the message is posted and every time it is updated (`chat.update`), so every viewer sees the same truth.
 * It shows what the Teams card shows, in the same order and with the same masking rules.
 *
 * Everything taken from the request is read from its masked copy, and every displayed string goes through
 * one function that removes masked values (masked-values.ts), so a secret cannot reach Slack through a field,
 * a policy reason or a comment; ids and button values are never rewritten. Untrusted text goes into `plain_text` objects (no links, no mentions, no formatting); only the
 * fixed labels are `mrkdwn`.
 */

import { createHash } from "node:crypto";
import { describeScope } from "../approvals/approval-scope";
import { canonicalJson } from "../json/canonical-json";
import { describeRequirements } from "../teams/approval-card";
import { escapeInvisible, oneLine as foldWhitespace, truncate, utcTimestamp, valueText } from "../teams/card-text";
import { maskedValues, scrubText } from "../observability/masked-values";
import type { ApprovalCardState, CardRequest, CardVerdict, Masker } from "../teams/ports";
import { APPROVE_ACTION_ID, buttonValue, DENY_ACTION_ID } from "./slack-actions";

/** A Block Kit block as JSON. */
export type Block = Record<string, unknown>;

/** What `chat.postMessage` and `chat.update` send: the notification text and the blocks. */
export interface SlackMessage {
  /** The fallback and notification text (mrkdwn-escaped). */
  readonly text: string;
  readonly blocks: readonly Block[];
}

/** How many action parameters and context fields a message lists before summarising the rest. */
export const MAX_LISTED_FIELDS = 20;

/** How many policy reasons a message lists. */
export const MAX_LISTED_REASONS = 10;

/** Longest single value shown (Slack allows 2000 characters in a field). */
export const MAX_VALUE_LENGTH = 300;

/** Slack's limit on the text of a section and on a header. */
const SECTION_TEXT_MAX = 3000;
const HEADER_TEXT_MAX = 150;

/** Slack's limit on the fields of one section (label and value pairs: five per section). */
const FIELDS_PER_SECTION = 10;

/** Renders the message for `state`; the same state always gives the same message. */
export function renderApprovalMessage(state: ApprovalCardState, masker: Masker): SlackMessage {
  const masked = masker.mask<CardRequest>(state.request, state.mask);
  const secrets = maskedValues(state.request, masked);
  // Free text from outside the request (policy reasons, comments) may echo a masked value.
  // Masked values out (before and after whitespace is folded); only displayed text, never ids or button values.
  const text = (value: string, max: number = MAX_VALUE_LENGTH): string =>
    oneLine(scrubText(foldWhitespace(scrubText(value, secrets)), secrets), max);
  const pending = state.status === "pending";
  const action = text(masked.action.name, 120);

  const blocks: Block[] =
    state.breakGlass === undefined
      ? [header(`Approval required: ${action}`)]
      : [
          header(`🚨 Break-glass: ${action} ran without approval`),
          plainSection(`Justification: ${text(state.breakGlass.justification, 500)}`),
          context("Approve acknowledges it; Deny flags it as unjustified."),
        ];
  blocks.push(mrkdwnSection(statusLine(state)));
  blocks.push(...fieldSections(requestFacts(state, masked, text)));

  const reasons = state.policyReasons.slice(0, MAX_LISTED_REASONS);
  if (reasons.length > 0) {
    blocks.push(mrkdwnSection("*Why the policy asks*"), plainSection(reasons.map((r) => `• ${text(r)}`).join("\n")));
  }

  const params = fieldFacts(masked.action.params, text);
  if (params.length > 0) blocks.push(mrkdwnSection("*Parameters*"), ...fieldSections(params));

  const { reason: _reason, ticket: _ticket, ...otherContext } = masked.context;
  const contextFacts = fieldFacts(otherContext, text);
  if (contextFacts.length > 0) blocks.push(mrkdwnSection("*Other context*"), ...fieldSections(contextFacts));

  blocks.push(mrkdwnSection(`*Verdicts (${approvalCount(state.verdicts)} of ${state.requirements.quorum} approvals)*`));
  blocks.push(
    state.verdicts.length === 0 ? context("None yet.") : plainSection(state.verdicts.map((v) => verdictLine(v, text)).join("\n")),
  );

  if (!pending) {
    blocks.push(
      { type: "divider" },
      mrkdwnSection("*Outcome*"),
      plainSection(outcomeLine(state, text)),
      context("No further verdicts are accepted."),
    );
  }

  if (pending) {
    const maxScope = state.requirements.maxScope;
    if (maxScope !== undefined && (maxScope.count !== undefined || maxScope.window_seconds !== undefined)) {
      blocks.push(context(`Approvers may grant up to ${describeScope(maxScope)} of this exact call.`));
    }
    const value = buttonValue(state.id, state.version);
    blocks.push({
      type: "actions",
      block_id: "verdict",
      elements: [
        { type: "button", action_id: APPROVE_ACTION_ID, text: plain("Approve"), style: "primary", value },
        { type: "button", action_id: DENY_ACTION_ID, text: plain("Deny"), style: "danger", value },
      ],
    });
  }

  const summary = `Countersign: ${pending ? "approval required" : state.status} for ${action}`;
  return { text: mrkdwnEscape(summary), blocks };
}

/** A message as a verdict records it: the exact text hashed (kept in the trail) and its SHA-256. */
export interface ShownMessage {
  /** The canonical JSON (RFC 8785) of `{text, blocks}`. */
  readonly view: string;
  /** SHA-256 (hex) of `view`. */
  readonly digest: string;
}

/** A rendered message as a verdict records it: the canonical JSON of `{text, blocks}` and that text's SHA-256. */
export function shownMessage(message: SlackMessage): ShownMessage {
  const view = canonicalJson({ text: message.text, blocks: message.blocks });
  return { view, digest: createHash("sha256").update(view, "utf8").digest("hex") };
}

/** SHA-256 (hex) of a rendered message: the canonical JSON of `{text, blocks}`; what a verdict records as shown. */
export function messageDigest(message: SlackMessage): string {
  return shownMessage(message).digest;
}

/** `&`, `<` and `>` escaped, as Slack asks for text it parses (no links, mentions or channel pings). */
export function mrkdwnEscape(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function statusLine(state: ApprovalCardState): string {
  const count = approvalCount(state.verdicts);
  switch (state.status) {
    case "pending":
      return `⏳ *Pending*: ${count} of ${state.requirements.quorum} approvals`;
    case "approved":
      return "✅ *Approved*";
    case "denied":
      return "⛔ *Denied*";
    case "expired":
      return "⌛ *Expired* without a decision (treated as denied)";
    case "cancelled":
      return "🚫 *Cancelled*";
  }
}

type Fact = readonly [title: string, value: string];

function requestFacts(state: ApprovalCardState, masked: CardRequest, text: (v: string, max?: number) => string): Fact[] {
  const facts: Fact[] = [];
  const add = (title: string, value: unknown): void => {
    if (value === undefined || value === null || value === "") return;
    facts.push([title, text(valueText(value))]);
  };
  const actor = masked.actor;
  add("Actor", actor.type === undefined ? actor.id : `${valueText(actor.id)} (${valueText(actor.type)})`);
  add("On behalf of", actor.on_behalf_of);
  add("Action", masked.action.name);
  const resource = masked.resource;
  add(
    "Resource",
    [resource.type, resource.id]
      .filter((v) => v !== undefined && v !== "")
      .map(valueText)
      .join(" "),
  );
  add("Environment", resource.environment);
  add("Reason", masked.context.reason);
  add("Ticket", masked.context.ticket);
  add("Requested", utcTimestamp(state.requestedAt));
  add("Expires", utcTimestamp(state.expiresAt));
  add("Requires", describeRequirements(state.requirements));
  add("Request id", state.id);
  return facts;
}

function fieldFacts(value: unknown, text: (v: string, max?: number) => string): Fact[] {
  if (typeof value !== "object" || value === null) {
    return value === undefined ? [] : [["Value", text(valueText(value))]];
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const facts: Fact[] = entries.slice(0, MAX_LISTED_FIELDS).map(([key, item]) => [text(key, 60), text(valueText(item))]);
  if (entries.length > MAX_LISTED_FIELDS) facts.push(["…", `${entries.length - MAX_LISTED_FIELDS} more not shown`]);
  return facts;
}

/** Label and value side by side: the label a fixed mrkdwn title, the value plain text. */
function fieldSections(facts: readonly Fact[]): Block[] {
  const fields = facts.flatMap(([title, value]) => [
    { type: "mrkdwn", text: `*${mrkdwnEscape(title.replace(/[*_~`]/g, ""))}*` },
    plain(value === "" ? " " : value),
  ]);
  const sections: Block[] = [];
  for (let i = 0; i < fields.length; i += FIELDS_PER_SECTION)
    sections.push({ type: "section", fields: fields.slice(i, i + FIELDS_PER_SECTION) });
  return sections;
}

function verdictLine(verdict: CardVerdict, text: (v: string, max?: number) => string): string {
  const who = text(verdict.reviewerName ?? verdict.reviewerId, 80);
  const what = verdict.verdict === "approve" ? "✅ approved" : "⛔ denied";
  const comment = verdict.comment === undefined || verdict.comment.trim() === "" ? "" : `: “${text(verdict.comment)}”`;
  return `${who} ${what} at ${utcTimestamp(verdict.at)}${comment}`;
}

function outcomeLine(state: ApprovalCardState, text: (v: string, max?: number) => string): string {
  const outcome = state.outcome;
  const by = outcome && outcome.decidedBy.length > 0 ? outcome.decidedBy.map((id) => text(id, 80)).join(", ") : "";
  const at = outcome ? ` at ${utcTimestamp(outcome.decidedAt)}` : "";
  switch (state.status) {
    case "approved":
      return `Approved${by ? ` by ${by}` : ""}${at}. The requester may now proceed, once.`;
    case "denied":
      return `Denied${by ? ` by ${by}` : ""}${at}.`;
    case "expired":
      return `Expired${at} before enough reviewers approved.`;
    case "cancelled":
      return `Cancelled${by ? ` by ${by}` : ""}${at}${outcome?.reason ? `: ${text(outcome.reason)}` : "."}`;
    default:
      return "";
  }
}

function approvalCount(verdicts: readonly CardVerdict[]): number {
  return verdicts.filter((v) => v.verdict === "approve").length;
}

/** One line, bounded, invisible and bidi characters escaped: untrusted values never span lines, run past a field or read backwards. */
function oneLine(value: string, max: number): string {
  return truncate(escapeInvisible(foldWhitespace(value)), max);
}

function plain(text: string): Record<string, unknown> {
  return { type: "plain_text", text, emoji: false };
}

function header(text: string): Block {
  return { type: "header", text: { type: "plain_text", text: truncate(text, HEADER_TEXT_MAX), emoji: true } };
}

function plainSection(text: string): Block {
  return { type: "section", text: plain(truncate(text, SECTION_TEXT_MAX)) };
}

function mrkdwnSection(text: string): Block {
  return { type: "section", text: { type: "mrkdwn", text } };
}

function context(text: string): Block {
  return { type: "context", elements: [{ type: "mrkdwn", text: mrkdwnEscape(text) }] };
}
