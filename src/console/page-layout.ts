/**
 * The frame every console page shares: the document head (the stylesheet and the script, nothing inline),
 * the top bar with the signed-in person and their pages, and the pieces pages are built from (status badge,
 * times the browser shows in local time, readable JSON with masked values marked).
 */

import { CONSOLE_CSS_PATH, CONSOLE_JS_PATH } from "./console-assets";
import { html, raw, visible, type Html, type HtmlValue } from "./html";

/** Who is signed in, as the top bar shows it. */
export interface LayoutViewer {
  readonly id: string;
  readonly roles: readonly string[];
  readonly auditor: boolean;
  /** The session's CSRF token (the sign-out form carries it). */
  readonly csrf: string;
}

/** A whole page. */
export interface PageFrame {
  readonly title: string;
  /** Signed in: the top bar shows them and their pages. */
  readonly viewer?: LayoutViewer;
  /** Which top-bar entry is current. */
  readonly current?: "inbox" | "mine" | "audit";
  /** The event stream that keeps the page live (`/console/events?…`). */
  readonly events?: string;
  readonly body: Html;
}

/** The complete HTML document of a page. */
export function renderPage(frame: PageFrame): string {
  const v = frame.viewer;
  const link = (href: string, label: string, key: PageFrame["current"]): Html =>
    html`<a href="${href}" ${frame.current === key ? raw(' aria-current="page"') : ""}>${label}</a>`;
  const top = html`<header class="top">
    <a class="brand" href="/console">Countersign</a>
    ${
      v === undefined
        ? ""
        : html`<nav>
              ${link("/console/inbox", "To review", "inbox")}${link("/console/mine", "My requests", "mine")}${v.auditor ? link("/console/audit", "Audit trail", "audit") : ""}
            </nav>
            <div class="who">
              <span data-testid="signed-in-as">${v.id}</span>${v.roles.length === 0 ? "" : html`<span>(${v.roles.join(", ")})</span>`}
              <form method="post" action="/console/logout">
                <input type="hidden" name="csrf" value="${v.csrf}" /><button class="link" type="submit">Sign out</button>
              </form>
            </div>`
    }
  </header>`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} · Countersign</title>
<link rel="stylesheet" href="${CONSOLE_CSS_PATH}">
<script src="${CONSOLE_JS_PATH}" defer></script>
</head><body${frame.events === undefined ? "" : html` data-events="${frame.events}"`}>
${top}
<main>${frame.body}</main>
</body></html>`.text;
}

/** A status badge. */
export function statusBadge(status: string): Html {
  return html`<span class="badge s-${status}" data-status="${status}">${status}</span>`;
}

/** A time the browser shows in local time (UTC until the script runs). */
export function localTime(iso: string): Html {
  return html`<time data-local datetime="${iso}">${iso.replace("T", " ").replace(/\.\d+Z$/, " UTC")}</time>`;
}

/** A countdown to `iso` ("expires in 12 min"), kept current by the script. */
export function countdown(iso: string): Html {
  return html`<time data-countdown datetime="${iso}">expires ${iso.replace("T", " ").replace(/\.\d+Z$/, " UTC")}</time>`;
}

/** Text with invisible and bidi control characters shown as escapes. */
export function shown(text: string): string {
  return visible(text);
}

/** A JSON value, pretty-printed, strings made visible, `[MASKED]` marked. */
export function jsonBlock(value: unknown): Html {
  return html`<pre class="json">${jsonHtml(value, "")}</pre>`;
}

function jsonHtml(value: unknown, indent: string): HtmlValue {
  if (value === "[MASKED]") return html`<span class="masked">[MASKED]</span>`;
  if (typeof value === "string") return visible(JSON.stringify(value));
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return ["[\n", value.map((v, i) => [inner, jsonHtml(v, inner), i < value.length - 1 ? ",\n" : "\n"]), indent, "]"];
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "{}";
  return [
    "{\n",
    entries.map(([k, v], i) => [inner, visible(JSON.stringify(k)), ": ", jsonHtml(v, inner), i < entries.length - 1 ? ",\n" : "\n"]),
    indent,
    "}",
  ];
}

/** A notice at the top of a page. */
export function notice(kind: "error" | "done" | "info", text: HtmlValue, code?: string): Html {
  return html`<div
    class="notice ${kind}"
    role="${kind === "error" ? "alert" : "status"}"
    ${code === undefined ? "" : html` data-code="${code}"`}
  >
    ${text}${code === undefined ? "" : html` <small>(${code})</small>`}
  </div>`;
}
