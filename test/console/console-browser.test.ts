/**
 * The web console in a real headless Chromium (Debian's `chromium`, driven by playwright-core), against the
 * service wired as `serve` wires it on a real redis-server and the example policy: development and OpenID
 * Connect sign-in (a local fake provider), the inbox, a request page, approving with a comment through the
 * same use case as the API, live updates over server-sent events in other sessions, CSRF refusals, the
 * requester's own request, the audit trail for auditors, and what the reviewer was shown in the trail.
 * Screenshots of the inbox and a request page at 1280 px and 390 px go to test/console/screenshots/.
 */

import * as fs from "node:fs";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { queryAudit } from "../../src/audit/audit-query";
import { RedisAuditStore } from "../../src/audit/redis-audit-store";
import { loadVerificationKey } from "../../src/audit/signing-key";
import { verifyStoredTrail } from "../../src/audit/verify";
import { CONSOLE_CSP } from "../../src/console/console-router";
import {
  approvalTestService,
  AUTH,
  exportBody,
  harnessRedisUrl,
  removeTempDirs,
  tempDir,
  writeBundle,
  type TestService,
} from "../http/service-harness";
import { startFakeOidcProvider, type FakeOidcProvider } from "./fake-oidc-provider";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = path.join(__dirname, "screenshots");
const CLIENT_ID = "countersign-console";
const CLIENT_SECRET = "fake-provider-client-secret";

jest.setTimeout(120_000);

let server: Server;
let listener: RequestListener = (_req, res) => void res.writeHead(503).end();
let base = "";
let service: TestService;
let idp: FakeOidcProvider;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  server = createServer((req, res) => listener(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://localhost:${(server.address() as AddressInfo).port}`;
  idp = await startFakeOidcProvider(CLIENT_ID, CLIENT_SECRET);
  const bundlesDir = tempDir();
  await writeBundle(bundlesDir, "example");
  service = await approvalTestService({
    bundlesDir,
    redisUrl: await harnessRedisUrl(),
    configure: (c) => ({
      ...c,
      // One reviewer with a display name (identities[].display_name): pages name him, with his roles.
      identities: c.identities.map((i) => (i.id === "user:dave" ? { ...i, displayName: "Dave Okafor" } : i)),
      console: {
        public_url: base,
        oidc: { issuer: idp.issuer, client_id: CLIENT_ID, client_secret_env: "CONSOLE_CLIENT_SECRET", claim: "preferred_username" },
      },
    }),
    env: { CONSOLE_CLIENT_SECRET: CLIENT_SECRET, COUNTERSIGN_CONSOLE_SESSION_KEY: "console-test-session-key-0123456789abcdef" },
  });
  listener = service.app;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--host-resolver-rules=MAP localhost 127.0.0.1"],
  });
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  service?.endLongPolls();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await service?.close();
  await idp?.close();
  removeTempDirs();
});

async function newContext(width = 1280): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, baseURL: base });
  contexts.push(context);
  return context;
}

/** A browser session signed in with the development sign-in as `identity`, on its inbox. */
async function devSignIn(identity: string, width = 1280): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(width);
  const page = await context.newPage();
  await page.goto("/console");
  await page.getByRole("button", { name: identity, exact: true }).click();
  await page.waitForURL(/\/console\/inbox$/);
  await expectText(page.getByTestId("signed-in-as"), identity);
  return { context, page };
}

async function expectText(locator: ReturnType<Page["locator"]>, text: string): Promise<void> {
  await locator.waitFor();
  expect(await locator.textContent()).toContain(text);
}

/** Waits until the page's event stream is open. */
async function live(page: Page): Promise<void> {
  await page.waitForSelector("body[data-live-ready='1']", { timeout: 10_000 });
}

async function decide(body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${base}/v1/decide`, {
    method: "POST",
    headers: { authorization: AUTH.caller, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as { outcome: string; approval?: { id: string } };
  if (answer.approval?.id === undefined) throw new Error(`no approval: ${JSON.stringify(answer)}`);
  return answer.approval.id;
}

async function api(method: string, url: string, auth: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: auth, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

const SECRET_QUERY = "select name, email from customers where region = 'eu'";
/** Alice (a dba) asks through an agent: she may never approve it; Dave (dba) reviews. */
const aliceExport = (ticket: string): Record<string, unknown> =>
  exportBody({
    actor: { id: "agent:data-export-assistant", type: "ai_agent", on_behalf_of: "user:alice" },
    action: {
      name: "db.export",
      params: {
        table: "customers",
        query: SECRET_QUERY,
        options: { format: "csv", columns: ["name", "email"], nested: { compress: true } },
      },
    },
    context: { reason: "quarterly report for the board", ticket, note: "prod\u200Bfile\u202Egnp.exe" },
  });

describe("the web console in Chromium", () => {
  let requestId = "";
  let dave: { context: BrowserContext; page: Page };
  let shownDigest = "";

  it("signs in with the development sign-in and shows what the reviewer may decide now", async () => {
    requestId = await decide(aliceExport("OPS-1"));
    dave = await devSignIn("user:dave");
    const row = dave.page.locator(`li[data-request='${requestId}']`);
    await row.waitFor();
    expect(await row.getAttribute("data-status")).toBe("pending");
    expect(await row.textContent()).toContain(
      "user:alice's ai_agent agent:data-export-assistant wants to db.export on prod/customers (production)",
    );
    expect(await row.textContent()).toMatch(/expires in (59|60) min/);
    await dave.page.screenshot({ path: path.join(SHOTS, "inbox-1280.png"), fullPage: true });
    const narrow = await devSignIn("user:dave", 390);
    await narrow.page.locator(`li[data-request='${requestId}']`).waitFor();
    await narrow.page.screenshot({ path: path.join(SHOTS, "inbox-390.png"), fullPage: true });
  });

  it("opens a request: masked values hidden, invisible characters escaped, reasons, progress, who is still needed", async () => {
    const page = dave.page;
    await page.locator(`li[data-request='${requestId}'] a`).click();
    await page.waitForURL(new RegExp(`/console/requests/${requestId}$`));
    const content = await page.content();
    expect(content).not.toContain(SECRET_QUERY);
    expect(content).not.toContain("select name");
    expect(await page.locator("pre.json .masked").count()).toBe(1);
    expect(await page.getByTestId("hidden").textContent()).toContain("/action/params/query");
    expect(await page.locator("pre.json").textContent()).toContain('"compress": true');
    expect(await page.locator("pre.json").textContent()).toContain("prod\\u{200B}file\\u{202E}gnp.exe");
    expect(await page.getByTestId("reasons").textContent()).toContain("exporting production data needs a DBA");
    expect(await page.getByTestId("progress").textContent()).toBe("0 of 1");
    expect(await page.getByTestId("still-needed").textContent()).toContain("1 more from dba");
    expect(await page.locator("time[data-countdown]").first().textContent()).toMatch(/expires in (59|60) min/);
    expect(await page.getByRole("button", { name: "Approve" }).isVisible()).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, "request-1280.png"), fullPage: true });
    const narrow = await newContext(390);
    await narrow.addCookies(await dave.context.cookies());
    const small = await narrow.newPage();
    await small.goto(`/console/requests/${requestId}`);
    await small.getByRole("button", { name: "Approve" }).waitFor();
    await small.screenshot({ path: path.join(SHOTS, "request-390.png"), fullPage: true });
  });

  it("serves pages with a strict CSP, no inline script, and Secure HttpOnly SameSite session cookies", async () => {
    const res = await dave.page.goto(`/console/requests/${requestId}`);
    expect(res?.headers()["content-security-policy"]).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain("unsafe-inline");
    expect(await dave.page.locator("script:not([src])").count()).toBe(0);
    expect(await dave.page.locator("[style]").count()).toBe(0);
    const session = (await dave.context.cookies()).find((c) => c.name === "__Host-countersign-session");
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", path: "/" });
  });

  it("shows the requester no Approve button, and the API refuses her verdict too", async () => {
    const alice = await devSignIn("user:alice");
    await alice.page.goto(`/console/requests/${requestId}`);
    const why = alice.page.getByTestId("cannot-decide");
    await why.waitFor();
    expect(await why.getAttribute("data-code")).toBe("COUNTERSIGN_SELF_APPROVAL");
    expect(await alice.page.getByRole("button", { name: "Approve" }).count()).toBe(0);
    expect(await alice.page.locator("form.verdict").count()).toBe(0);
    const refused = await api("POST", `/v1/approvals/${requestId}/verdicts`, AUTH.alice, { verdict: "approve" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("COUNTERSIGN_SELF_APPROVAL");
    // Nor does the console take a hand-made form from her.
    const csrf = await alice.page.locator("form[action='/console/logout'] input[name=csrf]").getAttribute("value");
    const forged = await alice.context.request.post(`/console/requests/${requestId}/verdict`, {
      form: { csrf: csrf ?? "", verdict: "approve", version: "1", digest: "0".repeat(64) },
    });
    expect(forged.status()).toBe(409); // the page she was "shown" is not the one the console renders for her
  });

  it("refuses a state change without the CSRF token, or from another origin, and changes nothing", async () => {
    await dave.page.goto(`/console/requests/${requestId}`);
    const form = dave.page.locator("form.verdict");
    const fields = {
      version: (await form.locator("input[name=version]").getAttribute("value")) ?? "",
      digest: (await form.locator("input[name=digest]").getAttribute("value")) ?? "",
      verdict: "approve",
    };
    const csrf = (await form.locator("input[name=csrf]").getAttribute("value")) ?? "";
    const without = await dave.context.request.post(`/console/requests/${requestId}/verdict`, { form: fields });
    expect(without.status()).toBe(403);
    expect(await without.text()).toContain("COUNTERSIGN_CONSOLE_CSRF_REFUSED");
    const wrong = await dave.context.request.post(`/console/requests/${requestId}/verdict`, { form: { ...fields, csrf: "not-the-token" } });
    expect(wrong.status()).toBe(403);
    const foreign = await dave.context.request.post(`/console/requests/${requestId}/verdict`, {
      form: { ...fields, csrf },
      headers: { Origin: "https://evil.example" },
    });
    expect(foreign.status()).toBe(403);
    expect(await foreign.text()).toContain("COUNTERSIGN_CONSOLE_CSRF_REFUSED");
    const logout = await dave.context.request.post("/console/logout", { form: {}, maxRedirects: 0 });
    expect(logout.status()).toBe(403);
    const still = await api("GET", `/v1/approvals/${requestId}`, AUTH.dave);
    expect(still.body).toMatchObject({ status: "pending", verdicts: [] });
  });

  it("approves with a comment: the request leaves the inbox, and the requester's pages and a second session update without reload", async () => {
    const alice = await devSignIn("user:alice");
    await alice.page.goto("/console/mine");
    const mine = alice.page.locator(`li[data-request='${requestId}']`);
    await mine.waitFor();
    expect(await mine.getAttribute("data-status")).toBe("pending");
    await live(alice.page);
    const second = await devSignIn("user:alice");
    await second.page.goto(`/console/requests/${requestId}`);
    await live(second.page);
    const inboxTab = await dave.context.newPage();
    await inboxTab.goto("/console/inbox");
    await inboxTab.locator(`li[data-request='${requestId}']`).waitFor();
    await live(inboxTab);
    // A mark that a reload would wipe out.
    for (const p of [alice.page, second.page, inboxTab]) await p.evaluate(() => ((window as unknown as { mark: number }).mark = 42));

    const page = dave.page;
    await page.goto(`/console/requests/${requestId}`);
    shownDigest = (await page.locator("form.verdict input[name=digest]").getAttribute("value")) ?? "";
    await page.locator("#comment").fill("Checked ticket OPS-1 with the board; export is fine.");
    await page.getByRole("button", { name: "Approve" }).click();
    await page.waitForURL(/\?done=approve$/);
    expect(await page.locator(".notice.done").textContent()).toContain("You approved this request.");
    expect(await page.locator("#request-head [data-status]").getAttribute("data-status")).toBe("approved");
    expect(await page.getByTestId("verdicts").textContent()).toContain("Checked ticket OPS-1 with the board; export is fine.");
    expect(await page.getByTestId("verdicts").textContent()).toContain("via console");
    expect(await page.getByTestId("verdicts").textContent()).toMatch(/Dave Okafor\s+\(dba\)/);

    await mine.and(alice.page.locator("[data-status='approved']")).waitFor({ timeout: 10_000 });
    await second.page.locator("#request-head [data-status='approved']").waitFor({ timeout: 10_000 });
    expect(await second.page.getByTestId("verdicts").textContent()).toContain("user:dave");
    await inboxTab.locator(`li[data-request='${requestId}']`).waitFor({ state: "detached", timeout: 10_000 });
    for (const p of [alice.page, second.page, inboxTab])
      expect(await p.evaluate(() => (window as unknown as { mark?: number }).mark)).toBe(42);
    await inboxTab.reload();
    await inboxTab.getByTestId("inbox-empty").waitFor();
  });

  it("records in the trail what the reviewer was shown, and the chain still verifies", async () => {
    const read = await api("GET", `/v1/approvals/${requestId}`, AUTH.dave);
    expect(read.body.status).toBe("approved");
    expect(read.body.verdicts[0]).toMatchObject({
      reviewer_id: "user:dave",
      channel: "console",
      comment: "Checked ticket OPS-1 with the board; export is fine.",
    });
    expect(read.body.verdicts[0].shown).toEqual({ version: 1, digest: shownDigest, hidden: ["/action/params/query"] });
    const audit = service.audit!;
    const page = await queryAudit(audit, { approvalId: requestId, types: ["approval.verdict"] }, {});
    expect(page.entries).toHaveLength(1);
    expect(page.entries[0]).toMatchObject({
      channel: "console",
      reviewer: "user:dave",
      verdict: "approve",
      shown: { version: 1, digest: shownDigest, hidden: ["/action/params/query"] },
    });
    expect(shownDigest).toMatch(/^[0-9a-f]{64}$/);
    const store = new RedisAuditStore(service.approvals!.redis);
    const verified = await verifyStoredTrail(audit, { keys: [loadVerificationKey((await store.readSigningKey())!)] });
    expect(verified.ok ? "ok" : JSON.stringify(verified.problem)).toBe("ok");
  });

  it("shows auditors the trail with filters and the chain's verify status, and no one else", async () => {
    const erin = await devSignIn("user:erin");
    await erin.page.goto(`/console/audit?approval_id=${requestId}&type=approval.verdict`);
    await erin.page.locator("[data-verify='ok']").waitFor();
    const rows = erin.page.locator("table.audit tbody tr");
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute("data-type")).toBe("approval.verdict");
    expect(await erin.page.getByTestId("shown-digest").textContent()).toContain(shownDigest.slice(0, 16));
    expect(await erin.page.getByTestId("shown-digest").textContent()).toContain("/action/params/query");
    const bad = await erin.page.goto("/console/audit?from=yesterday");
    expect(bad?.status()).toBe(400);
    expect(await erin.page.locator(".notice.error").getAttribute("data-code")).toBe("COUNTERSIGN_AUDIT_BAD_QUERY");
    const refused = await dave.page.goto("/console/audit");
    expect(refused?.status()).toBe(403);
    expect(await dave.page.locator(".notice.error").getAttribute("data-code")).toBe("COUNTERSIGN_CONSOLE_FORBIDDEN");
  });

  it("signs in with OpenID Connect (code flow with PKCE) against a local provider, and refuses an unmapped person", async () => {
    const other = await decide(
      exportBody({
        actor: { id: "agent:data-export-assistant", type: "ai_agent", on_behalf_of: "user:carol" },
        context: { reason: "audit sample", ticket: "OPS-2" },
      }),
    );
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`/console/requests/${other}`);
    await page.waitForURL(/\/console\/login\?return=/);
    expect(await page.getByTestId("dev-sign-in").count()).toBe(1); // development mode offers both
    idp.nextUser = { preferred_username: "user:dave", email: "dave@example.com" };
    await page.getByTestId("oidc-sign-in").click();
    await page.waitForURL(new RegExp(`/console/requests/${other}$`));
    expect(await page.getByTestId("signed-in-as").textContent()).toBe("user:dave");
    expect(await page.getByRole("button", { name: "Approve" }).isVisible()).toBe(true);
    expect(idp.tokenRequests.at(-1)).toEqual({ ok: true });

    idp.nextUser = { preferred_username: "mallory" };
    const stranger = await (await newContext()).newPage();
    await stranger.goto("/console/login");
    await stranger.getByTestId("oidc-sign-in").click();
    await stranger.locator(".notice.error").waitFor();
    expect(await stranger.locator(".notice.error").getAttribute("data-code")).toBe("COUNTERSIGN_CONSOLE_UNKNOWN_IDENTITY");
    expect(await stranger.getByTestId("signed-in-as").count()).toBe(0);
    // A callback nobody started in this browser is refused.
    const replay = await stranger.goto(`/console/auth/callback?code=abc&state=xyz`);
    expect(replay?.status()).toBe(401);
  });

  it("lists a requester's requests past the first page: the next page link leads to the older ones", async () => {
    // 30 exports Carol asks for through an agent (more than the page's 25), each a different action.
    const asked: string[] = [];
    for (let i = 0; i < 30; i++) {
      asked.push(
        await decide(
          exportBody({
            actor: { id: "agent:data-export-assistant", type: "ai_agent", on_behalf_of: "user:carol" },
            action: { name: "db.export", params: { table: "customers", batch: i } },
            context: { reason: "monthly sample", ticket: `OPS-3${String(i).padStart(2, "0")}` },
          }),
        ),
      );
    }
    const carol = await devSignIn("user:carol");
    await carol.page.goto("/console/mine");
    const rows = carol.page.locator("[data-testid='mine'] li[data-request]");
    await rows.first().waitFor();
    const first = await rows.evaluateAll((items) => items.map((li) => li.getAttribute("data-request") ?? ""));
    expect(first).toHaveLength(25);
    expect(first.every((id) => asked.includes(id))).toBe(true);
    expect(await rows.evaluateAll((items) => items.map((li) => li.getAttribute("data-status")))).toEqual(Array(25).fill("pending"));

    await carol.page.getByRole("link", { name: "Older requests →" }).click();
    await carol.page.waitForURL(/\/console\/mine\?cursor=/);
    await rows.first().waitFor();
    const second = await rows.evaluateAll((items) => items.map((li) => li.getAttribute("data-request") ?? ""));
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    // Every one of the 30 is on one of the two pages, each once (older requests of Carol's may follow).
    expect([...first, ...second].filter((id) => asked.includes(id)).sort()).toEqual([...asked].sort());
    expect(await carol.page.getByTestId("mine").textContent()).toContain("wants to db.export on prod/customers");
  });
});
