/**
 * The console's two lists of requests, as pure functions of their rows: the reviewer inbox (what the
 * signed-in person may decide now) and "my requests" (what they asked for, with its status). Each list is one
 * live region, so a change elsewhere refreshes it in place.
 */

import { html, type Html } from "./html";
import { countdown, localTime, shown, statusBadge } from "./page-layout";

/** One row of a list. */
export interface RequestRow {
  readonly id: string;
  readonly headline: string;
  readonly status: string;
  readonly action: string;
  readonly resource: string;
  readonly requestedBy: string;
  readonly approvals: number;
  readonly quorum: number;
  readonly stillNeeded: readonly string[];
  readonly risk?: string;
  readonly updatedAt: string;
  readonly expiresAt: string;
  readonly decidedAt?: string;
}

/** The inbox: requests the person may decide now, most recent activity first. */
export function inboxBody(rows: readonly RequestRow[], nextCursor: string | null): Html {
  return html`<h1>To review</h1>
    <section id="inbox" data-live>
      ${
        rows.length === 0
          ? html`<p class="empty" data-testid="inbox-empty">Nothing waits for your verdict.</p>`
          : html`<ul class="list" data-testid="inbox">
              ${rows.map((r) => row(r))}
            </ul>`
      }
      ${nextCursor === null ? "" : html`<p class="pager"><a href="/console/inbox?cursor=${encodeURIComponent(nextCursor)}">Older requests →</a></p>`}
    </section>`;
}

/** The requester's own requests, newest first, with their status. */
export function mineBody(rows: readonly RequestRow[], nextCursor: string | null): Html {
  return html`<h1>My requests</h1>
    <section id="mine" data-live>
      ${
        rows.length === 0
          ? html`<p class="empty" data-testid="mine-empty">You have asked for nothing that needed approval yet.</p>`
          : html`<ul class="list" data-testid="mine">
              ${rows.map((r) => row(r))}
            </ul>`
      }
      ${nextCursor === null ? "" : html`<p class="pager"><a href="/console/mine?cursor=${encodeURIComponent(nextCursor)}">Older requests →</a></p>`}
    </section>`;
}

function row(r: RequestRow): Html {
  return html`<li data-request="${r.id}" data-status="${r.status}">
    <div class="title"><a href="/console/requests/${r.id}">${shown(r.headline)}</a></div>
    <div class="meta">
      ${statusBadge(r.status)}${r.risk === undefined ? "" : html`<span class="badge risk">risk: ${shown(r.risk)}</span>`}
      <span>${shown(r.action)} · ${shown(r.resource)}</span><span>by ${shown(r.requestedBy)}</span>
      <span>${r.approvals} of ${r.quorum} approvals</span>
      ${r.status === "pending" ? countdown(r.expiresAt) : r.decidedAt === undefined ? "" : html`<span>decided ${localTime(r.decidedAt)}</span>`}
      ${r.stillNeeded.length === 0 ? "" : html`<span>needs ${r.stillNeeded.join("; ")}</span>`}
    </div>
  </li>`;
}
