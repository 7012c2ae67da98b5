/**
 * Test helper: the web console driven over plain HTTP, as a browser's forms would (no browser): a session
 * cookie jar, the development sign-in, reading a request page's form and posting a verdict with its CSRF
 * token, version and digest. For tests that need a console verdict but not a rendered page.
 */

import request from "supertest";
import type { RequestListener } from "node:http";

/** A signed-in console session over HTTP. */
export interface ConsoleFormClient {
  /** Reads the request page and posts its verdict form; resolves to the verdict's HTTP status and the digest the form carried. */
  verdict(id: string, verdict: "approve" | "deny", comment?: string): Promise<{ status: number; digest: string; version: number }>;
  /** GETs a console page with the session. */
  get(path: string): Promise<{ status: number; text: string }>;
}

/** Signs in as `identity` with the development sign-in. */
export async function consoleSignIn(app: RequestListener, identity: string): Promise<ConsoleFormClient> {
  const jar = new Map<string, string>();
  const keep = (res: request.Response): void => {
    const cookies = res.headers["set-cookie"] as unknown as string[] | undefined;
    for (const c of cookies ?? []) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  };
  const cookie = (): string => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const get = async (path: string): Promise<{ status: number; text: string }> => {
    const res = await request(app).get(path).set("cookie", cookie());
    keep(res);
    return { status: res.status, text: res.text };
  };
  const post = async (path: string, form: Record<string, string>): Promise<request.Response> => {
    const res = await request(app).post(path).set("cookie", cookie()).type("form").send(form);
    keep(res);
    return res;
  };
  const login = await get("/console/login");
  const signedIn = await post("/console/auth/development", { csrf: field(login.text, "csrf"), identity, return: "/console/inbox" });
  if (signedIn.status !== 303) throw new Error(`development sign-in as ${identity} answered ${signedIn.status}: ${signedIn.text}`);
  return {
    get,
    async verdict(id, verdict, comment) {
      const page = await get(`/console/requests/${encodeURIComponent(id)}`);
      const form = page.text.slice(page.text.indexOf('<form class="verdict"'));
      if (!page.text.includes('<form class="verdict"')) throw new Error(`no verdict form on the page of ${id} for ${identity}`);
      const digest = field(form, "digest");
      const version = Number(field(form, "version"));
      const res = await post(`/console/requests/${encodeURIComponent(id)}/verdict`, {
        csrf: field(form, "csrf"),
        version: String(version),
        digest,
        verdict,
        ...(comment === undefined ? {} : { comment }),
      });
      return { status: res.status, digest, version };
    },
  };
}

/** The value of the first hidden input named `name` in `html`. */
function field(html: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (m === null) throw new Error(`no ${name} field in the page`);
  return m[1]!
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">");
}
