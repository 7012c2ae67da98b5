/**
 * The short thread messages the workflow sends under a posted card: reminders, escalations and the expiry
 * notice, as pure functions of the request (what is still needed, how long it waited, how long it has left).
 *
 * They name the action and resource the way the card does, and never a value the policy masks.
 */

import type { ApprovalRequest } from "../approvals/approval-request";
import { evaluateQuorum } from "../approvals/approval-state-machine";
import { pointerCovers } from "../json/json-pointer";

/** "db.export on prod/customers", with masked parts replaced. */
function subject(a: ApprovalRequest): string {
  const shown = (pointer: string, value: unknown): string =>
    a.mask.some((m) => pointerCovers(m, pointer)) ? "[MASKED]" : typeof value === "string" && value !== "" ? value : "?";
  const resource = a.request.resource["id"];
  return resource === undefined
    ? shown("/action/name", a.request.action.name)
    : `${shown("/action/name", a.request.action.name)} on ${shown("/resource/id", resource)}`;
}

/** A duration a person reads at a glance: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

/** Who is still needed: "1 more approval (dba)", or per group "1 security, 1 dba". */
export function stillNeeded(a: ApprovalRequest): string {
  const progress = evaluateQuorum(a.requirements, a.verdicts);
  const extra = a.escalation?.roles ?? [];
  if (progress.groups.length > 0) {
    const unmet = progress.groups.filter((g) => !g.met).map((g) => `${g.quorum - g.count} ${g.roles.join(" or ")}`);
    const overall = progress.quorum - progress.approvers.length;
    return unmet.length > 0 ? unmet.join(", ") : `${overall} more approval${overall === 1 ? "" : "s"}`;
  }
  const remaining = Math.max(0, progress.quorum - progress.approvers.length);
  const roles = [...(a.requirements.reviewers.roles ?? []), ...extra];
  return `${remaining} more approval${remaining === 1 ? "" : "s"} (${roles.join(" or ")})`;
}

/** The reminder posted under the card. */
export function reminderText(a: ApprovalRequest, reminder: number, nowMs: number): string {
  return (
    `⏰ Reminder${reminder > 1 ? ` ${reminder}` : ""}: ${subject(a)} is still waiting for ${stillNeeded(a)}. ` +
    `Requested ${humanDuration(nowMs - a.createdAt)} ago; expires in ${humanDuration(a.expiresAt - nowMs)}.`
  );
}

/** The escalation notice posted under the card. */
export function escalationText(a: ApprovalRequest, level: number, nowMs: number): string {
  const rung = a.requirements.escalate?.[level - 1];
  const parts = [
    ...(rung?.roles === undefined ? [] : [`now also reviewable by ${rung.roles.join(", ")}`]),
    ...(rung?.channel === undefined ? [] : [`posted to ${rung.channel}`]),
  ];
  return (
    `⬆️ Escalated (level ${level}): ${subject(a)} has waited ${humanDuration(nowMs - a.createdAt)}` +
    `${parts.length > 0 ? `; ${parts.join("; ")}` : ""}. Still needed: ${stillNeeded(a)}. Self-approval rules are unchanged.`
  );
}

/** The notice posted under the card when the request expires without a decision. */
export function expiryText(a: ApprovalRequest): string {
  return `⌛ Expired: ${subject(a)} got no decision in ${humanDuration(a.expiresAt - a.createdAt)}; ${a.requesters.callerId} has been told (the action was not approved).`;
}
