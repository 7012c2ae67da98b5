/**
 * The console's two static files, served from `/console/static/` with long-lived caching and a content hash
 * in their URL: the stylesheet, and the one small script (no framework) that draws local times and
 * countdowns and keeps a page live over server-sent events. The pages carry no inline script or style, so
 * the Content-Security-Policy allows scripts and styles from the service's own origin only.
 */

import { createHash } from "node:crypto";

/** The stylesheet: readable at 390 px and at 1280 px, status colours with at least 4.5:1 contrast on white. */
export const CONSOLE_CSS = `
:root{--fg:#1b1f24;--muted:#4d5561;--line:#d0d7de;--bg:#fff;--soft:#f6f8fa;--accent:#0b5cad;
--ok:#116329;--ok-bg:#dafbe1;--bad:#a40e26;--bad-bg:#ffebe9;--wait:#7d4e00;--wait-bg:#fff8c5;--off:#57606a;--off-bg:#eaeef2}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent)}
header.top{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center;padding:.6rem 1rem;border-bottom:1px solid var(--line);background:var(--soft)}
header.top .brand{font-weight:700;text-decoration:none;color:var(--fg)}
header.top nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem}
header.top .who{margin-left:auto;display:flex;gap:.5rem;align-items:center;color:var(--muted);font-size:.9rem}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.25rem 0 .75rem;overflow-wrap:anywhere}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.notice{padding:.6rem .8rem;border-radius:6px;margin:.5rem 0 1rem;border:1px solid var(--line);background:var(--soft)}
.notice.error{border-color:var(--bad);background:var(--bad-bg);color:var(--bad)}
.notice.done{border-color:var(--ok);background:var(--ok-bg);color:var(--ok)}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.8rem;font-weight:600;border:1px solid currentColor;white-space:nowrap}
.s-pending{color:var(--wait);background:var(--wait-bg)}.s-approved{color:var(--ok);background:var(--ok-bg)}
.s-denied{color:var(--bad);background:var(--bad-bg)}.s-expired,.s-cancelled{color:var(--off);background:var(--off-bg)}
.risk{color:var(--bad);background:var(--bad-bg)}
.list{list-style:none;padding:0;margin:0;border:1px solid var(--line);border-radius:8px}
.list li{padding:.75rem 1rem;border-top:1px solid var(--line)}.list li:first-child{border-top:0}
.list .title{font-weight:600;overflow-wrap:anywhere}
.meta{color:var(--muted);font-size:.9rem;display:flex;flex-wrap:wrap;gap:.15rem 1rem}
.empty{color:var(--muted);padding:1rem;border:1px dashed var(--line);border-radius:8px}
.grid{display:grid;grid-template-columns:1fr;gap:1rem}
@media(min-width:900px){.grid{grid-template-columns:minmax(0,3fr) minmax(0,2fr)}}
.card{border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;min-width:0}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.25rem .75rem;margin:0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
pre.json{margin:0;padding:.75rem;background:var(--soft);border-radius:6px;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85rem}
.masked{color:var(--bad);font-weight:600}
form.verdict{display:flex;flex-direction:column;gap:.5rem}
textarea{width:100%;min-height:5rem;font:inherit;padding:.5rem;border:1px solid var(--line);border-radius:6px}
.buttons{display:flex;gap:.5rem;flex-wrap:wrap}
button,.button{font:inherit;padding:.5rem 1.1rem;border-radius:6px;border:1px solid var(--line);background:var(--soft);cursor:pointer;color:var(--fg);text-decoration:none;display:inline-block}
button.approve{background:var(--ok);border-color:var(--ok);color:#fff}button.deny{background:var(--bad);border-color:var(--bad);color:#fff}
button.link{background:none;border:0;padding:0;color:var(--accent);text-decoration:underline}
table.audit{border-collapse:collapse;width:100%;font-size:.9rem}
table.audit th,table.audit td{border-top:1px solid var(--line);padding:.4rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin-bottom:1rem}
form.filters label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted)}
input,select{font:inherit;padding:.3rem .4rem;border:1px solid var(--line);border-radius:6px;max-width:100%}
.verify-ok{color:var(--ok)}.verify-bad{color:var(--bad)}
.pager{margin-top:1rem;display:flex;gap:1rem}
@media(max-width:600px){.audit-wide{display:none}main{padding:.75rem}}
`;

/**
 * The script: local times (`<time data-local>`), countdowns (`<time data-countdown>`), and live updates:
 * the page's event stream (`<body data-events>`) says something changed; the script fetches the page again
 * and swaps in every `[data-live]` region by id, except a form someone is typing into.
 */
export const CONSOLE_JS = `"use strict";
(function () {
  function local(el) {
    var d = new Date(el.getAttribute("datetime"));
    if (!isNaN(d.getTime())) { el.textContent = d.toLocaleString(); el.title = el.getAttribute("datetime"); }
  }
  function countdown(el) {
    var d = new Date(el.getAttribute("datetime")).getTime();
    if (isNaN(d)) return;
    var s = Math.round((d - Date.now()) / 1000);
    if (s <= 0) { el.textContent = "expired"; return; }
    var m = Math.floor(s / 60), h = Math.floor(m / 60), days = Math.floor(h / 24);
    el.textContent = "expires in " + (days > 1 ? days + " days" : h > 1 ? h + " h " + (m % 60) + " min" : m > 0 ? m + " min" : s + " s");
  }
  function draw(root) {
    root.querySelectorAll("time[data-local]").forEach(local);
    root.querySelectorAll("time[data-countdown]").forEach(countdown);
  }
  function busy(el) {
    if (el.contains(document.activeElement) && document.activeElement !== document.body) return true;
    var typed = false;
    el.querySelectorAll("textarea").forEach(function (t) { if (t.value !== "") typed = true; });
    return typed;
  }
  var pending = false, again = false;
  function refresh() {
    if (pending) { again = true; return; }
    pending = true;
    fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (text === null) return;
        var next = new DOMParser().parseFromString(text, "text/html");
        next.querySelectorAll("[data-live][id]").forEach(function (fresh) {
          var old = document.getElementById(fresh.id);
          if (old && !busy(old)) { old.replaceWith(document.importNode(fresh, true)); }
        });
        draw(document);
        document.body.setAttribute("data-refreshed", String(Number(document.body.getAttribute("data-refreshed") || "0") + 1));
      })
      .catch(function () {})
      .then(function () { pending = false; if (again) { again = false; refresh(); } });
  }
  draw(document);
  setInterval(function () { document.querySelectorAll("time[data-countdown]").forEach(countdown); }, 1000);
  var events = document.body.getAttribute("data-events");
  if (events && window.EventSource) {
    var source = new EventSource(events);
    source.addEventListener("change", refresh);
    source.addEventListener("open", function () { document.body.setAttribute("data-live-ready", "1"); });
  }
})();
`;

function hashOf(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 12);
}

/** The stylesheet's URL (its content hash in the name, so it can be cached for a year). */
export const CONSOLE_CSS_PATH = `/console/static/console-${hashOf(CONSOLE_CSS)}.css`;
/** The script's URL. */
export const CONSOLE_JS_PATH = `/console/static/console-${hashOf(CONSOLE_JS)}.js`;
