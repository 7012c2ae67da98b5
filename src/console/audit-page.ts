/**
 * The auditor's page: the audit trail with the filters of `GET /v1/audit` (`src/audit/audit-query.ts`), a page
 * at a time, and whether the chain verifies (`verifyStoredTrail`). Each verdict row shows the channel and the
 * digest of what the reviewer was shown, with the masked pointers hidden from them.
 */

import type { AuditEntry } from "../audit/chain";
import { AUDIT_EVENT_TYPES } from "../audit/audit-event";
import type { VerifyResult } from "../audit/verify";
import { html, type Html } from "./html";
import { jsonBlock, localTime, notice, shown } from "./page-layout";

/** The chain's verify status as the page shows it. */
export interface VerifyStatus {
  readonly result?: VerifyResult;
  /** When it was checked (ISO). */
  readonly checkedAt?: string;
  readonly error?: string;
  /** Seqs 1..this are archived and trimmed from Redis: the check covered the stream from there on. */
  readonly archivedThrough?: number;
}

/** The filter form's values, as given. */
export type AuditFilterValues = Readonly<Record<string, string>>;

const TEXT_FILTERS: readonly [string, string][] = [
  ["principal", "Anyone involved"],
  ["actor", "Actor"],
  ["action", "Action"],
  ["approval_id", "Request id"],
  ["decision_id", "Decision id"],
  ["outcome", "Outcome"],
  ["from", "From (RFC 3339)"],
  ["to", "To (RFC 3339)"],
];

/** The body of the audit page. */
export function auditBody(
  values: AuditFilterValues,
  entries: readonly AuditEntry[],
  nextCursor: string | null,
  verify: VerifyStatus,
  problem?: { code: string; text: string },
  archived?: string,
): Html {
  const next = new URLSearchParams({ ...values, cursor: nextCursor ?? "" });
  return html`<h1>Audit trail</h1>
    <section class="card" data-testid="verify">${verifyLine(verify)}</section>
    <form class="filters" method="get" action="/console/audit">
      ${TEXT_FILTERS.map(([name, label]) => html`<label>${label}<input name="${name}" value="${values[name] ?? ""}" /></label>`)}
      <label
        >Event<select name="type">
          <option value="">any</option>
          ${AUDIT_EVENT_TYPES.map((t) => html`<option${values["type"] === t ? html` selected` : ""}>${t}</option>`)}
        </select></label
      >
      <label
        >Order<select name="order">
          <option value="newest">newest first</option>
          <option value="oldest" ${values["order"] === "oldest" ? html` selected` : ""}>oldest first</option>
        </select></label
      >
      <button type="submit">Filter</button>
    </form>
    ${problem === undefined ? "" : notice("error", problem.text, problem.code)} ${archived === undefined ? "" : notice("info", archived)}
    ${
      entries.length === 0
        ? html`<p class="empty">No entries match${nextCursor === null ? "" : " in this part of the trail; continue below"}.</p>`
        : html`<table class="audit" data-testid="audit-entries">
            <thead>
              <tr>
                <th>Seq</th>
                <th>Time</th>
                <th>Event</th>
                <th>Subject</th>
                <th class="audit-wide">Details</th>
              </tr>
            </thead>
            <tbody>
              ${entries.map((e) => entryRow(e))}
            </tbody>
          </table>`
    }
    ${nextCursor === null ? "" : html`<p class="pager"><a href="/console/audit?${next.toString()}">More →</a></p>`}`;
}

function verifyLine(v: VerifyStatus): Html {
  if (v.error !== undefined) return html`<p class="verify-bad" data-verify="error"><strong>Chain not checked:</strong> ${v.error}</p>`;
  if (v.result === undefined) return html`<p data-verify="unknown">Chain not checked yet.</p>`;
  const r = v.result;
  const when = v.checkedAt === undefined ? "" : html` <span class="meta">checked ${localTime(v.checkedAt)}</span>`;
  if (r.ok) {
    const archived =
      v.archivedThrough === undefined
        ? ""
        : ` Seqs 1..${v.archivedThrough} are archived: verify them with countersign audit verify --archive.`;
    return html`<p class="verify-ok" data-verify="ok">
      <strong>The chain verifies:</strong> ${r.entries} entries, head seq
      ${r.head.seq}${r.kid === undefined ? "" : html`, signed by key <code>${r.kid}</code>`}${r.keyPinned ? "" : " (checked with the key the trail carries)"}.${archived}${when}
    </p>`;
  }
  return html`<p class="verify-bad" data-verify="failed">
    <strong>The chain does not verify</strong> at ${r.problem.seq === null ? "the head" : `seq ${r.problem.seq}`}: ${r.problem.kind}:
    ${r.problem.message}.${when}
  </p>`;
}

function entryRow(e: AuditEntry): Html {
  const r = e as unknown as Readonly<Record<string, unknown>>;
  const str = (k: string): string | undefined => (typeof r[k] === "string" ? (r[k] as string) : undefined);
  const subject = [
    str("approval_id") ?? str("decision_id"),
    str("actor"),
    str("action"),
    str("reviewer") === undefined ? undefined : `reviewer ${str("reviewer")}`,
    str("verdict"),
    str("outcome"),
  ]
    .filter((s): s is string => s !== undefined)
    .map(shown)
    .join(" · ");
  const shownRecord = r["shown"] as { digest?: string; version?: number; hidden?: readonly string[] } | undefined;
  return html`<tr data-type="${e.type}">
    <td>${e.seq}</td>
    <td>${localTime(e.timestamp)}</td>
    <td>${e.type}${str("channel") === undefined ? "" : html` <span class="meta">via ${str("channel")}</span>`}</td>
    <td>
      ${subject}${shownRecord?.digest === undefined ? "" : html`<div class="meta" data-testid="shown-digest">shown v${shownRecord.version ?? "?"} <code>${shownRecord.digest.slice(0, 16)}…</code>${shownRecord.hidden === undefined || shownRecord.hidden.length === 0 ? "" : html` hid ${shownRecord.hidden.join(", ")}`}</div>`}
    </td>
    <td class="audit-wide">
      <details>
        <summary>entry</summary>
        ${jsonBlock(e)}
      </details>
    </td>
  </tr>`;
}
