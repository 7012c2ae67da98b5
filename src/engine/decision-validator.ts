/**
 * Checks a policy's `countersign/decision` value against the contract in decision.ts and fills its
 * defaults, or names the first thing wrong with it.
 *
 * `summary` (one line for reviewers, at most MAX_SUMMARY_LENGTH characters) and `risk` (`low`, `medium`,
 * `high`, `critical`) are optional; null counts as absent.
 *
 * Defaults: `reasons` and `mask` default to `[]`; `approval.grant_ttl_seconds` to 300;
 * `approval.reason_required` to false; with reviewer `groups`, `approval.quorum` to the sum of the groups'
 * quorums. There is deliberately no default for `approval.ttl_seconds`: how long a request may wait for
 * reviewers is a policy decision, so a `require_approval` without it is ill-formed. Keys the contract does
 * not name are ignored, so policies may carry extra information; `approval` on an `allow` or `deny` must be
 * absent or null.
 */

import {
  MAX_SUMMARY_LENGTH,
  RISK_LEVELS,
  type ApprovalRequirements,
  type ApprovalScope,
  type EscalationStep,
  type Outcome,
  type PolicyDecision,
  type ReviewerGroup,
  type ReviewerRequirement,
  type Risk,
} from "./decision-contract";
import { isJsonPointer } from "../json/json-pointer";

/** The validated decision, or what is wrong with the value (`approval.quorum must be a positive integer`). */
export type DecisionValidation =
  { readonly ok: true; readonly decision: PolicyDecision } | { readonly ok: false; readonly problem: string };

/** Default lifetime of a grant issued on approval, in seconds. */
export const DEFAULT_GRANT_TTL_SECONDS = 300;

const NO_STRINGS: readonly string[] = Object.freeze([]);

/** Thrown inside this module only, to unwind to validateDecision with the problem found. */
class Problem {
  constructor(readonly text: string) {}
}

type Obj = Readonly<Record<string, unknown>>;

function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  const text = JSON.stringify(v);
  return text.length > 60 ? `${typeof v} ${text.slice(0, 57)}...` : `${typeof v} ${text}`;
}

function has(o: Obj, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

function positiveInteger(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) {
    throw new Problem(`${what} must be a positive integer, got ${describe(v)}`);
  }
  return v;
}

function stringList(v: unknown, what: string, opts: { nonEmpty: boolean }): readonly string[] {
  if (!Array.isArray(v)) throw new Problem(`${what} must be an array of strings, got ${describe(v)}`);
  if (opts.nonEmpty && v.length === 0) throw new Problem(`${what} must not be empty`);
  for (let i = 0; i < v.length; i++) {
    const s: unknown = v[i];
    if (typeof s !== "string") throw new Problem(`${what}[${i}] must be a string, got ${describe(s)}`);
    if (opts.nonEmpty && s === "") throw new Problem(`${what}[${i}] must not be empty`);
  }
  return v as string[];
}

function outcomeOf(v: unknown): Outcome {
  if (v === "allow" || v === "deny" || v === "require_approval") return v;
  throw new Problem(`outcome must be one of "allow", "deny", "require_approval", got ${describe(v)}`);
}

function reviewersOf(v: unknown): { reviewers: ReviewerRequirement; groupQuorum: number | null } {
  if (!isObject(v)) throw new Problem(`approval.reviewers must be an object with roles or groups, got ${describe(v)}`);
  const hasRoles = has(v, "roles");
  const hasGroups = has(v, "groups");
  if (hasRoles && hasGroups) throw new Problem("approval.reviewers must have either roles or groups, not both");
  if (hasRoles) {
    return { reviewers: { roles: stringList(v["roles"], "approval.reviewers.roles", { nonEmpty: true }) }, groupQuorum: null };
  }
  if (!hasGroups) throw new Problem("approval.reviewers must have roles or groups");
  const raw = v["groups"];
  if (!Array.isArray(raw)) throw new Problem(`approval.reviewers.groups must be an array of {roles, quorum}, got ${describe(raw)}`);
  if (raw.length === 0) throw new Problem("approval.reviewers.groups must not be empty");
  const groups: ReviewerGroup[] = [];
  let sum = 0;
  for (let i = 0; i < raw.length; i++) {
    const g: unknown = raw[i];
    const at = `approval.reviewers.groups[${i}]`;
    if (!isObject(g)) throw new Problem(`${at} must be an object with roles and quorum, got ${describe(g)}`);
    const roles = stringList(g["roles"], `${at}.roles`, { nonEmpty: true });
    const quorum = positiveInteger(g["quorum"], `${at}.quorum`);
    groups.push({ roles, quorum });
    sum += quorum;
  }
  return { reviewers: { groups }, groupQuorum: sum };
}

function approvalOf(v: unknown): ApprovalRequirements {
  if (!isObject(v)) throw new Problem(`a require_approval decision needs an approval object, got ${describe(v)}`);
  const { reviewers, groupQuorum } = reviewersOf(v["reviewers"]);
  let quorum: number;
  if (groupQuorum === null) {
    quorum = positiveInteger(v["quorum"], "approval.quorum");
  } else if (v["quorum"] === undefined) {
    quorum = groupQuorum;
  } else {
    quorum = positiveInteger(v["quorum"], "approval.quorum");
    if (quorum < groupQuorum) {
      throw new Problem(`approval.quorum (${quorum}) must be at least the sum of the groups' quorums (${groupQuorum})`);
    }
  }
  const ttl = positiveInteger(v["ttl_seconds"], "approval.ttl_seconds");
  const grantTtl =
    v["grant_ttl_seconds"] === undefined
      ? DEFAULT_GRANT_TTL_SECONDS
      : positiveInteger(v["grant_ttl_seconds"], "approval.grant_ttl_seconds");
  const channel = v["channel"];
  if (channel !== undefined && (typeof channel !== "string" || channel === "")) {
    throw new Problem(`approval.channel must be a non-empty string, got ${describe(channel)}`);
  }
  const reasonRequired = v["reason_required"];
  if (reasonRequired !== undefined && typeof reasonRequired !== "boolean") {
    throw new Problem(`approval.reason_required must be a boolean, got ${describe(reasonRequired)}`);
  }
  const commentRequired = v["comment_required"];
  if (commentRequired !== undefined && typeof commentRequired !== "boolean") {
    throw new Problem(`approval.comment_required must be a boolean, got ${describe(commentRequired)}`);
  }
  const remind =
    v["remind_after_seconds"] === undefined || v["remind_after_seconds"] === null
      ? undefined
      : positiveInteger(v["remind_after_seconds"], "approval.remind_after_seconds");
  const escalate = v["escalate"] === undefined || v["escalate"] === null ? undefined : escalationOf(v["escalate"], reviewers);
  const maxScope = v["max_scope"] === undefined || v["max_scope"] === null ? undefined : scopeOf(v["max_scope"], "approval.max_scope");
  const breakGlass = v["break_glass_allowed"];
  if (breakGlass !== undefined && typeof breakGlass !== "boolean") {
    throw new Problem(`approval.break_glass_allowed must be a boolean, got ${describe(breakGlass)}`);
  }
  return {
    quorum,
    reviewers,
    ttl_seconds: ttl,
    grant_ttl_seconds: grantTtl,
    ...(channel === undefined ? {} : { channel }),
    reason_required: reasonRequired === true,
    ...(commentRequired === true ? { comment_required: true } : {}),
    ...(remind === undefined ? {} : { remind_after_seconds: remind }),
    ...(escalate === undefined ? {} : { escalate }),
    ...(maxScope === undefined || (maxScope.count === undefined && maxScope.window_seconds === undefined) ? {} : { max_scope: maxScope }),
    ...(breakGlass === true ? { break_glass_allowed: true } : {}),
  };
}

/** `approval.escalate`: rungs with rising `after_seconds`, each adding roles (with `reviewers.roles` only) or a channel. */
function escalationOf(v: unknown, reviewers: ReviewerRequirement): readonly EscalationStep[] {
  if (!Array.isArray(v)) throw new Problem(`approval.escalate must be an array of {after_seconds, roles?, channel?}, got ${describe(v)}`);
  if (v.length > 10) throw new Problem(`approval.escalate has ${v.length} rungs; at most 10`);
  const steps: EscalationStep[] = [];
  for (let i = 0; i < v.length; i++) {
    const at = `approval.escalate[${i}]`;
    const step: unknown = v[i];
    if (!isObject(step)) throw new Problem(`${at} must be an object with after_seconds and roles or channel, got ${describe(step)}`);
    const after = positiveInteger(step["after_seconds"], `${at}.after_seconds`);
    if (steps.length > 0 && after <= steps[steps.length - 1]!.after_seconds) {
      throw new Problem(`${at}.after_seconds (${after}) must be greater than the rung before (${steps[steps.length - 1]!.after_seconds})`);
    }
    const roles = step["roles"] === undefined ? undefined : stringList(step["roles"], `${at}.roles`, { nonEmpty: true });
    if (roles !== undefined && reviewers.roles === undefined) {
      throw new Problem(`${at}.roles needs approval.reviewers.roles: reviewer groups cannot be widened (escalate to a channel instead)`);
    }
    const channel = step["channel"];
    if (channel !== undefined && (typeof channel !== "string" || channel === ""))
      throw new Problem(`${at}.channel must be a non-empty string, got ${describe(channel)}`);
    if (roles === undefined && channel === undefined) throw new Problem(`${at} must add roles or name a channel`);
    steps.push({ after_seconds: after, ...(roles === undefined ? {} : { roles }), ...(channel === undefined ? {} : { channel }) });
  }
  return steps;
}

/** A scope: `"once"`, or an object with `count` and/or `window_seconds`. */
export function scopeOf(v: unknown, what: string): ApprovalScope {
  if (v === "once") return {};
  if (!isObject(v)) throw new Problem(`${what} must be "once" or an object with count and/or window_seconds, got ${describe(v)}`);
  for (const key of Object.keys(v)) {
    if (key !== "count" && key !== "window_seconds")
      throw new Problem(`${what} has an unknown member ${JSON.stringify(key)} (count, window_seconds)`);
  }
  const count = v["count"] === undefined ? undefined : positiveInteger(v["count"], `${what}.count`);
  const window = v["window_seconds"] === undefined ? undefined : positiveInteger(v["window_seconds"], `${what}.window_seconds`);
  if (count === undefined && window === undefined) throw new Problem(`${what} must have count and/or window_seconds`);
  return { ...(count === undefined ? {} : { count }), ...(window === undefined ? {} : { window_seconds: window }) };
}

/** Validates a scope a reviewer asks for (`"once"`, `{count}`, `{window_seconds}`); the problem as text. */
export function validateScope(v: unknown, what: string): { ok: true; scope: ApprovalScope } | { ok: false; problem: string } {
  try {
    return { ok: true, scope: scopeOf(v, what) };
  } catch (err) {
    if (err instanceof Problem) return { ok: false, problem: err.text };
    throw err;
  }
}

function maskOf(v: unknown): readonly string[] {
  if (v === undefined) return NO_STRINGS;
  const list = stringList(v, "mask", { nonEmpty: false });
  for (let i = 0; i < list.length; i++) {
    if (!isJsonPointer(list[i]!)) {
      throw new Problem(`mask[${i}] must be a JSON pointer such as "/action/params/query", got ${describe(list[i])}`);
    }
  }
  return list;
}

/** `summary`: absent or null, or one line of 1 to MAX_SUMMARY_LENGTH characters for reviewers. */
function summaryOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" || v.trim() === "") throw new Problem(`summary must be a non-empty string, got ${describe(v)}`);
  if (Array.from(v).length > MAX_SUMMARY_LENGTH)
    throw new Problem(`summary must be at most ${MAX_SUMMARY_LENGTH} characters, got ${Array.from(v).length}`);
  if (/[\r\n]/.test(v)) throw new Problem("summary must be one line (no line breaks)");
  return v;
}

/** `risk`: absent or null, or one of RISK_LEVELS. */
function riskOf(v: unknown): Risk | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string" && (RISK_LEVELS as readonly string[]).includes(v)) return v as Risk;
  throw new Problem(`risk must be one of ${RISK_LEVELS.map((r) => `"${r}"`).join(", ")}, got ${describe(v)}`);
}

/** Validates a decision value; never throws. */
export function validateDecision(value: unknown): DecisionValidation {
  try {
    if (!isObject(value)) throw new Problem(`the decision must be an object, got ${describe(value)}`);
    const outcome = outcomeOf(value["outcome"]);
    const reasons = value["reasons"] === undefined ? NO_STRINGS : stringList(value["reasons"], "reasons", { nonEmpty: false });
    const mask = maskOf(value["mask"]);
    const rule = value["rule"];
    if (rule !== undefined && typeof rule !== "string") throw new Problem(`rule must be a string, got ${describe(rule)}`);
    const summary = summaryOf(value["summary"]);
    const risk = riskOf(value["risk"]);
    let approval: ApprovalRequirements | undefined;
    if (outcome === "require_approval") {
      approval = approvalOf(value["approval"]);
    } else if (value["approval"] !== undefined && value["approval"] !== null) {
      throw new Problem(`approval is only allowed with outcome "require_approval", not "${outcome}"`);
    }
    return {
      ok: true,
      decision: {
        outcome,
        reasons,
        ...(approval === undefined ? {} : { approval }),
        mask,
        ...(rule === undefined ? {} : { rule }),
        ...(summary === undefined ? {} : { summary }),
        ...(risk === undefined ? {} : { risk }),
      },
    };
  } catch (err) {
    if (err instanceof Problem) return { ok: false, problem: err.text };
    throw err;
  }
}
