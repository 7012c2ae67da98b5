/**
 * The sign-in page: a link to the OpenID Connect provider when one is configured (a link, not a form, so the
 * Content-Security-Policy's `form-action 'self'` never meets the provider's origin), and in development mode
 * a one-click sign-in as each configured person, as a form carrying the CSRF token.
 */

import { html, type Html } from "./html";
import { notice } from "./page-layout";

/** What the sign-in page offers. */
export interface SignInOptions {
  readonly oidc: boolean;
  /** Development mode: the people one may sign in as. */
  readonly development?: readonly { readonly id: string; readonly roles: readonly string[]; readonly auditor: boolean }[];
  readonly csrf: string;
  /** Where to go after signing in (a console path). */
  readonly returnTo: string;
  readonly error?: { readonly code: string; readonly text: string };
}

/** The body of the sign-in page. */
export function signInBody(o: SignInOptions): Html {
  return html`<h1>Sign in to review</h1>
    ${o.error === undefined ? "" : notice("error", o.error.text, o.error.code)}
    ${o.oidc ? html`<p><a class="button" data-testid="oidc-sign-in" href="/console/auth/oidc?return=${encodeURIComponent(o.returnTo)}">Sign in with your organisation</a></p>` : ""}
    ${
      o.development === undefined
        ? ""
        : html`<h2>Development sign-in</h2>
            <p class="meta">
              This service runs in development mode: sign in as one of the configured people. Production offers only the organisation's
              sign-in.
            </p>
            <form method="post" action="/console/auth/development" data-testid="dev-sign-in">
              <input type="hidden" name="csrf" value="${o.csrf}" /><input type="hidden" name="return" value="${o.returnTo}" />
              <ul class="list">
                ${o.development.map(
                  (p) =>
                    html`<li>
                      <button type="submit" name="identity" value="${p.id}">${p.id}</button>
                      <span class="meta">${p.roles.join(", ")}${p.auditor ? " auditor" : ""}</span>
                    </li>`,
                )}
              </ul>
            </form>`
    }
    ${!o.oidc && o.development === undefined ? html`<p>No sign-in is configured (console.oidc).</p>` : ""}`;
}
