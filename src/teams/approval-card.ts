/**
 * The approval card: one pure function of an approval request's state, used when the card is posted, when it
 * is updated in place, when it answers a reviewer's click and when Teams asks for a refresh, so every viewer
 * sees the same truth.
 *
 * Everything taken from the request is read from its masked copy, and the finished card is scrubbed of every
 * masked value as a last step, so a secret cannot reach Teams through a field, a policy reason or a comment.
 * Universal Actions (`Action.Execute`, `refresh`) need Adaptive Card schema 1.5 in Teams.
 */

import { APPROVAL_ID_FIELD, APPROVE_VERB, COMMENT_INPUT_ID, COMMENT_MAX_LENGTH, DENY_VERB, REFRESH_VERB, SCOPE_INPUT_ID } from "./card-verbs";
import { describeScope } from "../approvals/approval-scope";
import { cardText, utcTimestamp, valueText } from "./card-text";
import { maskedValues, scrubJson, scrubText } from "./masked-values";
import type { ApprovalCardState, CardRequest, CardRequirements, CardVerdict, Masker } from "./ports";

/** An Adaptive Card as JSON. */
export type AdaptiveCard = { readonly type: "AdaptiveCard"; readonly version: string; readonly [field: string]: unknown };

/** The Adaptive Card schema version the card declares (Universal Actions need 1.5 in Teams). */
export const CARD_SCHEMA_VERSION = "1.5";

/** How many action parameters and context fields a card lists before summarising the rest. */
export const MAX_LISTED_FIELDS = 20;

/** How many policy reasons a card lists. */
export const MAX_LISTED_REASONS = 10;

/** Rendering choices that are not part of the approval's state. */
export interface ApprovalCardOptions {
  /** Hides the policy's `mask` fields (the shared masking helper in production). */
  readonly masker: Masker;
  /**
   * Teams user ids (`29:…`) whose clients refresh the card automatically. Absent: Teams refreshes it for
   * every viewer of chats and channels with up to 60 members, and offers "Refresh card" in larger ones.
   */
  readonly refreshUserIds?: readonly string[];
}

type CardElement = Record<string, unknown>;

/** Renders the card for `state`; the same state always gives the same card. */
export function renderApprovalCard(state: ApprovalCardState, options: ApprovalCardOptions): AdaptiveCard {
  const masked = options.masker.mask<CardRequest>(state.request, state.mask);
  const secrets = maskedValues(state.request, masked);
  // Free text from outside the request (policy reasons, comments) may echo a masked value.
  const text = (value: string, max?: number): string => cardText(scrubText(value, secrets), max);
  const pending = state.status === "pending";

  const body: CardElement[] =
    state.breakGlass === undefined
      ? [textBlock(`Approval required: ${text(masked.action.name, 120)}`, { size: "Medium", weight: "Bolder" })]
      : [
          textBlock(`🚨 Break-glass: ${text(masked.action.name, 120)} ran without approval`, { size: "Medium", weight: "Bolder", color: "Attention" }),
          textBlock(`Justification: ${text(state.breakGlass.justification, 500)}`),
          textBlock("Approve acknowledges it; Deny flags it as unjustified.", { spacing: "None", isSubtle: true }),
        ];
  body.push(statusLine(state), { type: "FactSet", facts: requestFacts(state, masked, text) });

  const reasons = state.policyReasons.slice(0, MAX_LISTED_REASONS);
  if (reasons.length > 0) {
    body.push(heading("Why the policy asks"));
    for (const reason of reasons) body.push(textBlock(`• ${text(reason)}`, { spacing: "None" }));
  }

  const params = fieldFacts(masked.action.params, text);
  if (params.length > 0) body.push(heading("Parameters"), { type: "FactSet", facts: params });

  const { reason: _reason, ticket: _ticket, ...otherContext } = masked.context;
  const context = fieldFacts(otherContext, text);
  if (context.length > 0) body.push(heading("Other context"), { type: "FactSet", facts: context });

  body.push(heading(`Verdicts (${approvalCount(state.verdicts)} of ${state.requirements.quorum} approvals)`));
  if (state.verdicts.length === 0) body.push(textBlock("None yet.", { spacing: "None", isSubtle: true }));
  for (const verdict of state.verdicts) body.push(verdictLine(verdict, text));

  if (!pending) body.push(outcomeBlock(state, text));

  const maxScope = state.requirements.maxScope;
  if (pending && maxScope !== undefined && (maxScope.count !== undefined || maxScope.window_seconds !== undefined)) {
    body.push({
      type: "Input.ChoiceSet",
      id: SCOPE_INPUT_ID,
      label: "Approve for",
      style: "compact",
      value: "once",
      choices: [
        { title: "This call only", value: "once" },
        { title: `Up to ${describeScope(maxScope)} of this exact call`, value: JSON.stringify(maxScope) },
      ],
    });
  }
  if (pending) {
    body.push({
      type: "Input.Text",
      id: COMMENT_INPUT_ID,
      label: "Comment",
      placeholder: "Optional: why you approve or deny",
      isMultiline: true,
      maxLength: COMMENT_MAX_LENGTH,
    });
  }

  const data = { [APPROVAL_ID_FIELD]: state.id };
  const card: Record<string, unknown> = {
    type: "AdaptiveCard",
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    version: CARD_SCHEMA_VERSION,
    msteams: { width: "Full" },
    fallbackText: `Countersign: ${state.status === "pending" ? "approval required" : state.status} for ${masked.action.name}`,
    body,
    actions: pending
      ? [
          { type: "Action.Execute", title: "Approve", verb: APPROVE_VERB, data, style: "positive" },
          { type: "Action.Execute", title: "Deny", verb: DENY_VERB, data, style: "destructive" },
        ]
      : [],
  };
  if (pending) {
    card["refresh"] = {
      action: { type: "Action.Execute", title: "Refresh", verb: REFRESH_VERB, data },
      ...(options.refreshUserIds === undefined ? {} : { userIds: [...options.refreshUserIds] }),
    };
  }
  return scrubJson(card as AdaptiveCard, secrets);
}

/** How the requirements read on the card: `2 approvers with role dba or security`. */
export function describeRequirements(requirements: CardRequirements): string {
  const groups = requirements.groups ?? [];
  if (groups.length > 0) {
    const parts = groups.map((g) => `${g.quorum} with role ${g.roles.join(" or ")}`);
    return `${parts.join(", and ")} (${requirements.quorum} distinct approvers in all)`;
  }
  const roles = requirements.roles ?? [];
  const who = `${requirements.quorum} distinct approver${requirements.quorum === 1 ? "" : "s"}`;
  return roles.length > 0 ? `${who} with role ${roles.join(" or ")}` : who;
}

function statusLine(state: ApprovalCardState): CardElement {
  switch (state.status) {
    case "pending":
      return textBlock(`⏳ Pending: ${approvalCount(state.verdicts)} of ${state.requirements.quorum} approvals`, { color: "Warning", spacing: "None" });
    case "approved":
      return textBlock("✅ Approved", { color: "Good", weight: "Bolder", spacing: "None" });
    case "denied":
      return textBlock("⛔ Denied", { color: "Attention", weight: "Bolder", spacing: "None" });
    case "expired":
      return textBlock("⌛ Expired without a decision (treated as denied)", { color: "Attention", weight: "Bolder", spacing: "None" });
    case "cancelled":
      return textBlock("🚫 Cancelled", { weight: "Bolder", spacing: "None" });
  }
}

function requestFacts(state: ApprovalCardState, masked: CardRequest, text: (v: string, max?: number) => string): CardElement[] {
  const facts: CardElement[] = [];
  const add = (title: string, value: unknown): void => {
    if (value === undefined || value === null || value === "") return;
    facts.push({ title, value: text(valueText(value)) });
  };
  const actor = masked.actor;
  add("Actor", actor.type === undefined ? actor.id : `${valueText(actor.id)} (${valueText(actor.type)})`);
  add("On behalf of", actor.on_behalf_of);
  add("Action", masked.action.name);
  const resource = masked.resource;
  add("Resource", [resource.type, resource.id].filter((v) => v !== undefined && v !== "").map(valueText).join(" "));
  add("Environment", resource.environment);
  add("Reason", masked.context.reason);
  add("Ticket", masked.context.ticket);
  add("Requested", utcTimestamp(state.requestedAt));
  add("Expires", utcTimestamp(state.expiresAt));
  add("Requires", describeRequirements(state.requirements));
  add("Request id", state.id);
  return facts;
}

function fieldFacts(value: unknown, text: (v: string, max?: number) => string): CardElement[] {
  if (typeof value !== "object" || value === null) {
    return value === undefined ? [] : [{ title: "Value", value: text(valueText(value)) }];
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const facts = entries.slice(0, MAX_LISTED_FIELDS).map(([key, item]) => ({ title: text(key, 60), value: text(valueText(item)) }));
  if (entries.length > MAX_LISTED_FIELDS) facts.push({ title: "…", value: `${entries.length - MAX_LISTED_FIELDS} more not shown` });
  return facts;
}

function verdictLine(verdict: CardVerdict, text: (v: string, max?: number) => string): CardElement {
  const who = text(verdict.reviewerName ?? verdict.reviewerId, 80);
  const what = verdict.verdict === "approve" ? "✅ approved" : "⛔ denied";
  const comment = verdict.comment === undefined || verdict.comment.trim() === "" ? "" : `: “${text(verdict.comment)}”`;
  return textBlock(`**${who}** ${what} at ${utcTimestamp(verdict.at)}${comment}`, { spacing: "Small" });
}

function outcomeBlock(state: ApprovalCardState, text: (v: string, max?: number) => string): CardElement {
  const outcome = state.outcome;
  const by = outcome && outcome.decidedBy.length > 0 ? outcome.decidedBy.map((id) => text(id, 80)).join(", ") : "";
  const at = outcome ? ` at ${utcTimestamp(outcome.decidedAt)}` : "";
  let line: string;
  switch (state.status) {
    case "approved":
      line = `Approved${by ? ` by ${by}` : ""}${at}. The requester may now proceed, once.`;
      break;
    case "denied":
      line = `Denied${by ? ` by ${by}` : ""}${at}.`;
      break;
    case "expired":
      line = `Expired${at} before enough reviewers approved.`;
      break;
    case "cancelled":
      line = `Cancelled${by ? ` by ${by}` : ""}${at}${outcome?.reason ? `: ${text(outcome.reason)}` : "."}`;
      break;
    default:
      line = "";
  }
  return {
    type: "Container",
    style: state.status === "approved" ? "good" : state.status === "cancelled" ? "default" : "attention",
    spacing: "Medium",
    items: [textBlock("Outcome", { weight: "Bolder" }), textBlock(line, { spacing: "None" }), textBlock("No further verdicts are accepted.", { spacing: "None", isSubtle: true })],
  };
}

function approvalCount(verdicts: readonly CardVerdict[]): number {
  return verdicts.filter((v) => v.verdict === "approve").length;
}

function heading(title: string): CardElement {
  return textBlock(title, { weight: "Bolder", spacing: "Medium" });
}

function textBlock(text: string, extra: Record<string, unknown> = {}): CardElement {
  return { type: "TextBlock", text, wrap: true, ...extra };
}
