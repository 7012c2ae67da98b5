/**
 * The request page: a pure function of the request page model (`request-page-model.ts`), the model's digest
 * and the session's CSRF token. It shows the headline, risk, status with an expiry countdown, who is still
 * needed, the policy's reasons, the whole masked request (nested JSON readable), the requirements and
 * progress, the verdict history, and — only when the signed-in person may decide now — Approve / Deny with a
 * comment. The form carries the version and digest of the model it was rendered from, so the verdict
 * records what the reviewer saw, and is refused if the request changed in between.
 */

import { html, type Html } from "./html";
import { countdown, jsonBlock, localTime, notice, shown, statusBadge } from "./page-layout";
import type { RequestPageModel } from "./request-page-model";

/** What a page shows besides the model: a message from the last action, or a refusal. */
export interface PageMessage {
  readonly kind: "error" | "done" | "info";
  readonly text: string;
  readonly code?: string;
}

/** The body of the request page. */
export function requestPageBody(model: RequestPageModel, digest: string, csrf: string, message?: PageMessage, comment?: string): Html {
  const m = model;
  const pending = m.status === "pending";
  return html` <p><a href="/console/inbox">← To review</a></p>
    <div id="request-head" data-live>
      <h1 data-testid="headline">${shown(m.headline)}</h1>
      <p class="meta">
        ${statusBadge(m.status)}${m.risk === undefined ? "" : html` <span class="badge risk" data-testid="risk">risk: ${shown(m.risk)}</span>`}
        ${pending ? countdown(m.expiresAt) : m.decidedAt === undefined ? "" : html`<span>decided ${localTime(m.decidedAt)}</span>`}
        <span>${m.progress.approvals} of ${m.progress.quorum} approvals</span>
      </p>
      ${m.stillNeeded.length === 0 ? "" : html`<p data-testid="still-needed"><strong>Still needed:</strong> ${m.stillNeeded.join("; ")}</p>`}
      ${m.cancellation === undefined ? "" : html`<p>Cancelled by ${person(m.cancellation.byName, m.cancellation.by)}${m.cancellation.reason === undefined ? "" : html`: ${shown(m.cancellation.reason)}`}</p>`}
      ${m.breakGlass === undefined ? "" : notice("info", `Break-glass use, already allowed; approve acknowledges it, deny flags it. Justification: ${shown(m.breakGlass.justification)}`)}
    </div>
    ${message === undefined ? "" : notice(message.kind, message.text, message.code)}
    <div class="grid">
      <div>
        <section class="card" id="decide" data-live>${decideSection(m, digest, csrf, comment)}</section>
        <h2>Why approval is needed</h2>
        ${
          m.reasons.length === 0
            ? html`<p class="meta">The policy gave no reasons.</p>`
            : html`<ul data-testid="reasons">
                ${m.reasons.map((r) => html`<li>${shown(r)}</li>`)}
              </ul>`
        }
        ${m.summary === undefined ? "" : html`<p><strong>Summary:</strong> ${shown(m.summary)}</p>`}
        <h2>The request</h2>
        <dl class="facts">
          <dt>Actor</dt>
          <dd data-testid="actor">${person(m.actor.name, m.actor.id)}${m.actor.type === undefined ? "" : ` (${shown(m.actor.type)})`}</dd>
          ${
            m.actor.onBehalfOf === undefined
              ? ""
              : html`<dt>On behalf of</dt>
                  <dd data-testid="on-behalf-of">${person(m.actor.onBehalfOfName ?? m.actor.onBehalfOf, m.actor.onBehalfOf)}</dd>`
          }
          <dt>Action</dt>
          <dd>${shown(m.action)}</dd>
          <dt>Resource</dt>
          <dd>
            ${[m.resource.type, m.resource.id]
              .filter((s) => s !== undefined)
              .map((s) => shown(s as string))
              .join(" ")}${m.resource.environment === undefined ? "" : ` · ${shown(m.resource.environment)}`}
          </dd>
        </dl>
        <h2>Everything the caller sent</h2>
        ${m.hidden.length === 0 ? "" : html`<p class="meta" data-testid="hidden">Hidden from reviewers: ${m.hidden.map((p) => html`<code>${p === "" ? "(the whole request)" : p}</code> `)}</p>`}
        ${jsonBlock(m.request)}
      </div>
      <div>
        <section class="card" id="progress" data-live>
          <h2>Requirements</h2>
          <dl class="facts">
            <dt>Approvals</dt>
            <dd data-testid="progress">${m.progress.approvals} of ${m.progress.quorum}</dd>
            <dt>From roles</dt>
            <dd>${[...m.requirements.roles, ...m.requirements.escalatedRoles.map((r) => `${r} (escalated)`)].join(", ")}</dd>
            ${m.requirements.groups.map(
              (g) =>
                html`<dt>Group</dt>
                  <dd>${g.roles.join(" or ")}: ${g.count} of ${g.quorum}</dd>`,
            )}
            ${
              m.requirements.commentRequired
                ? html`<dt>Comment</dt>
                    <dd>required with every verdict</dd>`
                : ""
            }
            ${
              m.requirements.maxScope === undefined
                ? ""
                : html`<dt>Widest scope</dt>
                    <dd>${scopeText(m.requirements.maxScope)}</dd>`
            }
            <dt>Requested</dt>
            <dd>${localTime(m.createdAt)}</dd>
            <dt>Expires</dt>
            <dd>${localTime(m.expiresAt)}</dd>
            <dt>Request id</dt>
            <dd><code>${m.id}</code></dd>
            <dt>Decision id</dt>
            <dd><code>${m.decisionId}</code></dd>
            ${
              m.policy === null
                ? ""
                : html`<dt>Policy</dt>
                    <dd>
                      ${Object.entries(m.policy as unknown as Record<string, unknown>)
                        .map(([k, v]) => `${k} ${String(v)}`)
                        .join(", ")}
                    </dd>`
            }
          </dl>
          <h2>Verdicts</h2>
          ${
            m.verdicts.length === 0
              ? html`<p class="meta" data-testid="no-verdicts">No verdicts yet.</p>`
              : html`<ul class="list" data-testid="verdicts">
                  ${m.verdicts.map(
                    (v) =>
                      html`<li>
                        <span class="badge ${v.verdict === "approve" ? "s-approved" : "s-denied"}"
                          >${v.verdict === "approve" ? "approved" : "denied"}</span
                        >
                        <strong>${shown(v.reviewerName)}</strong>${v.roles.length === 0 ? "" : ` (${v.roles.map(shown).join(", ")})`}
                        <div class="meta">
                          ${v.reviewerName === v.reviewer ? "" : html`<span>${shown(v.reviewer)}</span> `}${localTime(v.at)}
                          <span>via ${v.channel}</span>
                        </div>
                        ${v.comment === undefined ? "" : html`<div class="comment">“${shown(v.comment)}”</div>`}
                      </li>`,
                  )}
                </ul>`
          }
        </section>
      </div>
    </div>`;
}

/** "Jane Doe (user:jane.doe)" for a configured person with a display name, the id alone otherwise. */
function person(name: string, id: string): Html {
  return name === id ? html`${shown(id)}` : html`${shown(name)} <span class="meta">(${shown(id)})</span>`;
}

function decideSection(m: RequestPageModel, digest: string, csrf: string, comment?: string): Html {
  if (m.viewer.canDecide) {
    return html`<h2>Your verdict</h2>
      <form class="verdict" method="post" action="/console/requests/${m.id}/verdict">
        <input type="hidden" name="csrf" value="${csrf}" />
        <input type="hidden" name="version" value="${m.version}" />
        <input type="hidden" name="digest" value="${digest}" />
        <label for="comment">Comment${m.requirements.commentRequired ? " (required)" : " (optional)"}</label>
        <textarea id="comment" name="comment" maxlength="2000" ${m.requirements.commentRequired ? " required" : ""}>
${comment ?? ""}</textarea>
        <div class="buttons">
          <button class="approve" type="submit" name="verdict" value="approve">Approve</button>
          <button class="deny" type="submit" name="verdict" value="deny">Deny</button>
        </div>
      </form>`;
  }
  const why = m.viewer.cannotDecide;
  return html`<h2>Your verdict</h2>
    <p class="meta" data-testid="cannot-decide" ${why === undefined ? "" : html` data-code="${why.code}"`}>
      ${
        m.status !== "pending"
          ? `This request is ${m.status}.`
          : why === undefined
            ? "You cannot decide this request."
            : `You cannot decide this request: ${shown(why.reason)}.`
      }
    </p>`;
}

function scopeText(scope: { readonly count?: number; readonly window_seconds?: number }): string {
  const parts: string[] = [];
  if (scope.count !== undefined) parts.push(`${scope.count} uses`);
  if (scope.window_seconds !== undefined) parts.push(`within ${scope.window_seconds} s`);
  return parts.length === 0 ? "once" : parts.join(", ");
}
