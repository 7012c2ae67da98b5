/**
 * The approval card: one pure function of an approval request's state (and the minute it is rendered in),
 * used when the card is posted, when it is updated in place, when it answers a reviewer's click and when
 * Teams asks for a refresh, so every viewer sees the same truth.
 *
 * Built for a tired reviewer on a phone: the first screen holds one summary line, the risk and environment,
 * who is still needed, the reason, the expiry as local time with a countdown, the comment box and Approve /
 * Deny; everything else (the policy's reasons, every parameter and context value, nested values flattened to
 * one readable line each, the verdict history, the full ids) sits behind "Details" (`Action.ShowCard`), with a
 * link to the request in the web console when one is configured. Once decided, the headline is the outcome.
 *
 * Everything taken from the request is read from its masked copy, and every displayed string that comes from
 * the request or from outside (policy text, comments, names) goes through one function that removes masked
 * values (see masked-values.ts) and makes the text inert (see card-text.ts). Card structure (verbs, data keys,
 * input ids) is never rewritten. Universal Actions (`Action.Execute`, `refresh`) need schema 1.5 in Teams.
 */

import { createHash } from "node:crypto";
import { describeScope } from "../approvals/approval-scope";
import { canonicalJson } from "../json/canonical-json";
import {
  APPROVAL_ID_FIELD,
  APPROVE_VERB,
  COMMENT_INPUT_ID,
  COMMENT_MAX_LENGTH,
  DENY_VERB,
  REFRESH_VERB,
  RENDERED_AT_FIELD,
  SCOPE_INPUT_ID,
  VERSION_FIELD,
} from "./card-verbs";
import { cardText, localTime, MAX_VALUE_LENGTH, oneLine, utcTimestamp, valueText } from "./card-text";
import { maskedValues, scrubText } from "../observability/masked-values";
import { humanDuration } from "./workflow-messages";
import type { ApprovalCardState, CardPerson, CardRequest, CardRequirements, CardVerdict, Masker } from "./ports";

/** An Adaptive Card as JSON. */
export type AdaptiveCard = { readonly type: "AdaptiveCard"; readonly version: string; readonly [field: string]: unknown };

/** The Adaptive Card schema version the card declares (Universal Actions need 1.5 in Teams). */
export const CARD_SCHEMA_VERSION = "1.5";

/** How many policy reasons a card lists. */
export const MAX_LISTED_REASONS = 10;

/** How many values (parameters and context, nested ones flattened) the details list at most. */
export const MAX_DETAIL_VALUES = 150;

/**
 * Characters of card JSON the listed values may take: Teams refuses cards above about 28 KB, so values past
 * this budget are counted, not listed, and the reviewer is pointed to the console.
 */
export const DETAIL_BUDGET_CHARS = 16_000;

/**
 * Longest reason and verdict comment on the first screen (characters); the details show them at full length.
 * Measured in Chromium with Microsoft's renderer at 450 px: with a 200-character summary, a 300-character
 * reason and comment, a scope picker and a required comment, the buttons ended at 679 px (past a phone's
 * first screen); with these caps, within 640 px.
 */
export const FIRST_SCREEN_REASON_LENGTH = 140;
export const FIRST_SCREEN_COMMENT_LENGTH = 100;

/** Deepest nesting flattened into paths; deeper parts are shown as compact JSON. */
const MAX_FLATTEN_DEPTH = 6;

/** Risk levels a policy may attach to its decision, in rising order. */
export const RISK_LEVELS = ["low", "medium", "high", "critical"] as const;

/** Rendering choices that are not part of the approval's state. */
export interface ApprovalCardOptions {
  /** Hides the policy's `mask` fields (the shared masking helper in production). */
  readonly masker: Masker;
  /**
   * Teams user ids (`29:…`) whose clients refresh the card automatically. Absent: Teams refreshes it for
   * every viewer of chats and channels with up to 60 members, and offers "Refresh card" in larger ones.
   */
  readonly refreshUserIds?: readonly string[];
  /**
   * Epoch milliseconds the card is rendered at; the countdown ("expires in 12 min") is counted from it,
   * floored to the minute, and the minute is carried in the actions' data so a click can name the exact
   * card it was given on. Absent: no countdown.
   */
  readonly now?: number;
  /** The web console's base URL (`https://countersign.example.com`); absent: no console link. */
  readonly consoleBaseUrl?: string;
  /** Display names and roles of configured identities, by id. */
  readonly people?: (id: string) => CardPerson | undefined;
}

type CardElement = Record<string, unknown>;

/** Turns a displayed string into safe, masked card text. */
type Shown = (value: unknown, max?: number) => string;

/** The minute a card rendered at `now` is stamped with (what `RENDERED_AT_FIELD` carries). */
export function renderMinute(now: number): number {
  return Math.floor(now / 60_000) * 60_000;
}

/** Renders the card for `state`; the same state and options always give the same card. */
export function renderApprovalCard(state: ApprovalCardState, options: ApprovalCardOptions): AdaptiveCard {
  const masked = options.masker.mask<CardRequest>(state.request, state.mask);
  const secrets = maskedValues(state.request, masked);
  // The single entry for displayed data: masked values out (before and after whitespace is folded), then inert.
  const shown: Shown = (value, max = MAX_VALUE_LENGTH) => cardText(scrubText(oneLine(scrubText(valueText(value), secrets)), secrets), max);
  const person = (id: unknown, roles?: readonly string[]): string => personName(id, roles, options, shown, state.verdicts);
  const pending = state.status === "pending";
  const minute = options.now === undefined ? undefined : renderMinute(options.now);

  const body: CardElement[] = [];
  const summary = summaryLine(state, masked, shown, person);
  if (state.breakGlass !== undefined) {
    body.push(
      textBlock(`🚨 Break-glass: ${shown(masked.action.name, 80)} ran without approval`, {
        weight: "Bolder",
        color: "Attention",
        spacing: "None",
      }),
    );
  }
  if (pending) {
    body.push(textBlock(summary, { size: "Medium", weight: "Bolder" }));
  } else {
    body.push(outcomeHeadline(state, shown, person), textBlock(summary, { spacing: "Small" }));
  }
  const badges = badgeLine(state, masked, shown);
  if (badges !== null) body.push(badges);
  if (state.breakGlass !== undefined)
    body.push(
      fact("Justification", shown(state.breakGlass.justification, 500)),
      note("Approve acknowledges it; Deny flags it as unjustified."),
    );

  if (pending) body.push(textBlock(progressLine(state), { color: "Accent", weight: "Bolder", spacing: "Small" }));
  const reason = masked.context.reason;
  if (reason !== undefined && reason !== "") body.push(fact("Reason", shown(reason, FIRST_SCREEN_REASON_LENGTH)));
  const ticket = masked.context.ticket;
  if (ticket !== undefined && ticket !== "") body.push(fact("Ticket", shown(ticket, 80)));
  if (pending) body.push(fact("Expires", expiryText(state.expiresAt, minute)));
  for (const verdict of state.verdicts) body.push(verdictLine(verdict, shown, person, FIRST_SCREEN_COMMENT_LENGTH));

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
    const required = state.requirements.commentRequired === true;
    body.push({
      type: "Input.Text",
      id: COMMENT_INPUT_ID,
      label: required ? "Comment (required)" : "Comment",
      placeholder: "Why you approve or deny",
      isMultiline: false,
      maxLength: COMMENT_MAX_LENGTH,
      ...(required ? { isRequired: true, errorMessage: "This request needs a comment with every verdict." } : {}),
    });
  } else {
    body.push(note("No further verdicts are accepted."));
  }

  const consoleUrl = consoleLink(options.consoleBaseUrl, state.id);
  body.push({
    type: "ActionSet",
    spacing: "Small",
    actions: [
      { type: "Action.ShowCard", title: "Details", card: detailsCard(state, masked, shown, person, consoleUrl) },
      ...(consoleUrl === undefined ? [] : [{ type: "Action.OpenUrl", title: "Open in console", url: consoleUrl }]),
    ],
  });

  const data: Record<string, unknown> = {
    [APPROVAL_ID_FIELD]: state.id,
    [VERSION_FIELD]: state.version,
    ...(minute === undefined ? {} : { [RENDERED_AT_FIELD]: minute }),
  };
  const card: Record<string, unknown> = {
    type: "AdaptiveCard",
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    version: CARD_SCHEMA_VERSION,
    msteams: { width: "Full" },
    fallbackText: `Countersign: ${pending ? "approval required" : state.status}: ${summary}`,
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
      action: { type: "Action.Execute", title: "Refresh", verb: REFRESH_VERB, data: { [APPROVAL_ID_FIELD]: state.id } },
      ...(options.refreshUserIds === undefined ? {} : { userIds: [...options.refreshUserIds] }),
    };
  }
  return card as AdaptiveCard;
}

/** SHA-256 (hex) of a card: the canonical JSON (RFC 8785) of exactly what was sent; what a verdict records as shown. */
export function cardDigest(card: AdaptiveCard): string {
  return sentCard(card).digest;
}

/** A card as a verdict records it: its canonical JSON text (the view kept in the trail) and that text's SHA-256. */
export function sentCard(card: AdaptiveCard): { readonly view: string; readonly digest: string } {
  const view = canonicalJson(card);
  return { view, digest: createHash("sha256").update(view, "utf8").digest("hex") };
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

/** "1 security, 1 dba" or "1 more (security)": who must still approve. */
export function waitingForText(state: ApprovalCardState): string {
  const waiting = state.waitingFor ?? [];
  if (waiting.length > 0) return waiting.map((w) => `${w.count} ${w.roles.join(" or ")}`).join(", ");
  const remaining = Math.max(0, state.requirements.quorum - approvalCount(state.verdicts));
  const roles = state.requirements.roles ?? [];
  return roles.length > 0 ? `${remaining} ${roles.join(" or ")}` : `${remaining} more`;
}

/** The policy's own summary, or "Jane Doe's agent wants to db.export prod-crm/customers". */
function summaryLine(state: ApprovalCardState, masked: CardRequest, shown: Shown, person: (id: unknown) => string): string {
  if (state.summary !== undefined && state.summary.trim() !== "") return shown(state.summary, 200);
  const actor = masked.actor;
  const who =
    actor.on_behalf_of !== undefined && actor.on_behalf_of !== ""
      ? `${person(actor.on_behalf_of)}'s ${actor.type === "service" ? "service" : "agent"}`
      : person(actor.id);
  const resource = masked.resource.id ?? masked.resource.type;
  const target = resource === undefined || resource === "" ? "" : ` ${shown(resource, 80)}`;
  return `${who} wants to ${shown(masked.action.name, 80)}${target}`;
}

/** "🔴 High risk · production": the policy's risk and the resource's environment, when given. */
function badgeLine(state: ApprovalCardState, masked: CardRequest, shown: Shown): CardElement | null {
  const parts: string[] = [];
  const risk = state.risk;
  if (risk !== undefined) parts.push(`${RISK_MARK[risk]} ${risk.charAt(0).toUpperCase()}${risk.slice(1)} risk`);
  const environment = masked.resource.environment;
  if (environment !== undefined && environment !== "") parts.push(`Environment: ${shown(environment, 60)}`);
  if (parts.length === 0) return null;
  const loud = risk === "high" || risk === "critical";
  return textBlock(parts.join(" · "), { weight: "Bolder", spacing: "Small", ...(loud ? { color: "Attention" } : {}) });
}

const RISK_MARK: Record<(typeof RISK_LEVELS)[number], string> = { low: "🟢", medium: "🟡", high: "🟠", critical: "🔴" };

/** "⏳ Pending: 1 of 2 approvals · waiting for: 1 security". */
function progressLine(state: ApprovalCardState): string {
  return `⏳ Pending: ${approvalCount(state.verdicts)} of ${state.requirements.quorum} approvals · waiting for: ${waitingForText(state)}`;
}

/** The outcome as the headline of a decided card: "⛔ Denied by Marco Rossi (security)". */
function outcomeHeadline(state: ApprovalCardState, shown: Shown, person: (id: unknown, roles?: readonly string[]) => string): CardElement {
  const outcome = state.outcome;
  const roleOf = (id: string): readonly string[] | undefined => state.verdicts.find((v) => v.reviewerId === id)?.roles;
  const by = outcome && outcome.decidedBy.length > 0 ? outcome.decidedBy.map((id) => person(id, roleOf(id))).join(", ") : "";
  const at = outcome ? ` · ${localTime(outcome.decidedAt)}` : "";
  let line: string;
  let style: string;
  switch (state.status) {
    case "approved":
      line = `✅ Approved${by ? ` by ${by}` : ""}`;
      style = "good";
      break;
    case "denied":
      line = `⛔ Denied${by ? ` by ${by}` : ""}`;
      style = "attention";
      break;
    case "expired":
      line = "⌛ Expired without a decision (treated as denied)";
      style = "attention";
      break;
    case "cancelled":
      line = `🚫 Cancelled${by ? ` by ${by}` : ""}${outcome?.reason ? `: ${shown(outcome.reason)}` : ""}`;
      style = "default";
      break;
    default:
      line = "";
      style = "default";
  }
  return {
    type: "Container",
    style,
    bleed: true,
    items: [textBlock(line, { size: "Medium", weight: "Bolder" }), textBlock(`Decided${at}`, { spacing: "None", size: "Small" })],
  };
}

/** Local date and time for every viewer (`{{DATE()}}`/`{{TIME()}}`), and "in 12 min" counted from the render minute. */
function expiryText(expiresAt: number, minute: number | undefined): string {
  const when = localTime(expiresAt);
  if (minute === undefined) return when;
  const left = expiresAt - minute;
  return left > 0 ? `in ${humanDuration(left)} (${when})` : `${when} (past)`;
}

function verdictLine(
  verdict: CardVerdict,
  shown: Shown,
  person: (id: unknown, roles?: readonly string[]) => string,
  maxComment?: number,
): CardElement {
  const who = person(verdict.reviewerId, verdict.roles);
  const what = verdict.verdict === "approve" ? "✅ approved" : "⛔ denied";
  const comment = verdict.comment === undefined || verdict.comment.trim() === "" ? "" : `: “${shown(verdict.comment, maxComment)}”`;
  return textBlock(`${what} by ${who} · ${localTime(verdict.at)}${comment}`, { spacing: "Small" });
}

/** Everything else, behind "Details". */
function detailsCard(
  state: ApprovalCardState,
  masked: CardRequest,
  shown: Shown,
  person: (id: unknown) => string,
  consoleUrl: string | undefined,
): CardElement {
  const items: CardElement[] = [];
  const reasons = state.policyReasons.slice(0, MAX_LISTED_REASONS);
  if (reasons.length > 0) {
    items.push(heading("Why the policy asks"));
    for (const reason of reasons) items.push(textBlock(`• ${shown(reason)}`, { spacing: "None" }));
  }

  items.push(heading("Request"));
  const actor = masked.actor;
  items.push(fact("Actor", withId(person(actor.id), shown(actor.id, 120), actor.type === undefined ? undefined : shown(actor.type, 40))));
  if (actor.on_behalf_of !== undefined && actor.on_behalf_of !== "") {
    items.push(fact("On behalf of", withId(person(actor.on_behalf_of), shown(actor.on_behalf_of, 120), undefined)));
  }
  const reason = masked.context.reason;
  if (reason !== undefined && reason !== "" && Array.from(oneLine(valueText(reason))).length > FIRST_SCREEN_REASON_LENGTH)
    items.push(fact("Reason", shown(reason)));
  items.push(fact("Action", shown(masked.action.name, 120)));
  const resource = masked.resource;
  const resourceText = [resource.type, resource.id]
    .filter((v) => v !== undefined && v !== "")
    .map((v) => shown(v, 150))
    .join(" ");
  if (resourceText !== "") items.push(fact("Resource", resourceText));
  if (resource.environment !== undefined && resource.environment !== "") items.push(fact("Environment", shown(resource.environment, 80)));
  items.push(fact("Requested", `${localTime(state.requestedAt)} · ${utcTimestamp(state.requestedAt)}`));
  items.push(fact("Expires", `${localTime(state.expiresAt)} · ${utcTimestamp(state.expiresAt)}`));
  items.push(fact("Requires", describeRequirements(state.requirements)));
  items.push(fact("Request id", shown(state.id, 200)));

  const budget = { chars: DETAIL_BUDGET_CHARS, values: MAX_DETAIL_VALUES, left: 0, cut: 0 };
  const params = masked.action.params;
  if (params !== undefined) {
    items.push(heading("Parameters"));
    items.push(...valueLines(params, shown, budget));
  }
  const { reason: _reason, ticket: _ticket, ...otherContext } = masked.context;
  if (Object.keys(otherContext).length > 0) {
    items.push(heading("Other context"));
    items.push(...valueLines(otherContext, shown, budget));
  }
  if (budget.left > 0 || budget.cut > 0) {
    const parts = [
      ...(budget.left > 0 ? [`${budget.left} more value${budget.left === 1 ? " is" : "s are"} not on this card`] : []),
      ...(budget.cut > 0 ? [`${budget.cut} value${budget.cut === 1 ? " is" : "s are"} cut at ${MAX_VALUE_LENGTH} characters`] : []),
    ];
    const where =
      consoleUrl === undefined
        ? `read the whole request with GET /v1/approvals/${shown(state.id, 200)}`
        : "open the request in the console to see everything";
    items.push(textBlock(`⚠️ ${parts.join("; ")}: ${where} before you decide.`, { weight: "Bolder", spacing: "Medium" }));
  }

  items.push(heading(`Verdicts (${approvalCount(state.verdicts)} of ${state.requirements.quorum} approvals)`));
  if (state.verdicts.length === 0) items.push(note("None yet."));
  for (const verdict of state.verdicts) items.push(verdictLine(verdict, shown, person));
  if (state.status === "approved") items.push(note("The requester may now proceed, once (or within the scope granted)."));
  if (state.status === "expired" && state.outcome !== undefined)
    items.push(note(`Expired at ${utcTimestamp(state.outcome.decidedAt)} before enough reviewers approved.`));

  return {
    type: "AdaptiveCard",
    version: CARD_SCHEMA_VERSION,
    body: items,
    ...(consoleUrl === undefined ? {} : { actions: [{ type: "Action.OpenUrl", title: "Open in console", url: consoleUrl }] }),
  };
}

/**
 * One line per value: nested objects and arrays flattened into paths (`filter.country`, `items[0].sku`),
 * short lists of plain values on one line, every value wrapped and cut at MAX_VALUE_LENGTH.
 */
function valueLines(value: unknown, shown: Shown, budget: { chars: number; values: number; left: number; cut: number }): CardElement[] {
  const lines: CardElement[] = [];
  const emit = (path: string, leaf: unknown): void => {
    if (budget.values <= 0 || budget.chars <= 0) {
      budget.left += 1;
      return;
    }
    const raw = valueText(leaf);
    if (Array.from(oneLine(raw)).length > MAX_VALUE_LENGTH) budget.cut += 1;
    const element = fact(path === "" ? "Value" : shown(path, 120), shown(raw));
    budget.values -= 1;
    budget.chars -= JSON.stringify(element).length;
    lines.push(element);
  };
  const walk = (node: unknown, path: string, depth: number): void => {
    if (Array.isArray(node)) {
      if (node.length === 0) return emit(path, "[]");
      if (node.every((item) => item === null || typeof item !== "object") && node.length <= 20)
        return emit(path, node.map((item) => valueText(item)).join(", "));
      if (depth >= MAX_FLATTEN_DEPTH) return emit(path, node);
      node.forEach((item, i) => walk(item, `${path}[${i}]`, depth + 1));
      return;
    }
    if (typeof node === "object" && node !== null) {
      const entries = Object.entries(node as Record<string, unknown>);
      if (entries.length === 0) return emit(path, "{}");
      if (depth >= MAX_FLATTEN_DEPTH) return emit(path, node);
      for (const [key, item] of entries) walk(item, path === "" ? pathKey(key, true) : `${path}${pathKey(key, false)}`, depth + 1);
      return;
    }
    emit(path, node === null ? "null" : node);
  };
  walk(value, "", 0);
  return lines;
}

/** A key as a path step: `.name`, or `["odd key"]` when it is not a plain name. */
function pathKey(key: string, first: boolean): string {
  if (/^[\p{L}\p{N}_-]+$/u.test(key)) return first ? key : `.${key}`;
  return `[${JSON.stringify(key)}]`;
}

/** "Jane Doe (dba)" for a configured person, the id otherwise; roles are the ones that counted, when known. */
function personName(
  id: unknown,
  roles: readonly string[] | undefined,
  options: ApprovalCardOptions,
  shown: Shown,
  verdicts: readonly CardVerdict[],
): string {
  const found = typeof id === "string" ? options.people?.(id) : undefined;
  const named = found?.displayName ?? verdicts.find((v) => v.reviewerId === id && v.reviewerName !== undefined)?.reviewerName;
  const name = shown(named ?? id, 80);
  const shownRoles = roles ?? [];
  return shownRoles.length > 0 ? `${name} (${shownRoles.map((r) => shown(r, 40)).join(", ")})` : name;
}

function consoleLink(base: string | undefined, id: string): string | undefined {
  if (base === undefined || base === "") return undefined;
  return `${base.replace(/\/+$/, "")}/console/requests/${encodeURIComponent(id)}`;
}

function approvalCount(verdicts: readonly CardVerdict[]): number {
  return verdicts.filter((v) => v.verdict === "approve").length;
}

/** "Jane Doe (user:jane.doe, human)", "agent:x (ai_agent)", "user:bob": the id only where a name stands first. */
function withId(name: string, id: string, type: string | undefined): string {
  const inParens = [...(name === id ? [] : [id]), ...(type === undefined ? [] : [type])];
  return inParens.length === 0 ? name : `${name} (${inParens.join(", ")})`;
}

/** "Label: value" on one wrapping line (labels are fixed text or already made safe). */
function fact(label: string, value: string): CardElement {
  return textBlock(`${label}: ${value}`, { spacing: "Small" });
}

function note(text: string): CardElement {
  return textBlock(text, { spacing: "Small", isSubtle: true, size: "Small" });
}

function heading(title: string): CardElement {
  return textBlock(title, { weight: "Bolder", spacing: "Medium" });
}

function textBlock(text: string, extra: Record<string, unknown> = {}): CardElement {
  return { type: "TextBlock", text, wrap: true, ...extra };
}
