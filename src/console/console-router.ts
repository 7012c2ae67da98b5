/**
 * The web console at `/console`: Express routes that check the session, parse and check the form (CSRF
 * first), call the same approval use cases as the API (`read`, `get`, `inbox`, `requestedBy`, `castVerdict` with channel
 * `console`: the same rules, codes and audit), and render server-side pages. Mounted by the composition root
 * before the API-key authentication, like the Teams and Slack endpoints, because people authenticate here
 * with a session cookie, never an API key.
 *
 * Every answer carries a strict Content-Security-Policy (scripts, styles and connections from this origin
 * only; no inline script or style; forms post to this origin only; no framing), `no-store` caching for pages,
 * and no referrer. Refusals keep their stable codes: the workflow's own, or the console's (`console-errors.ts`).
 */

import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from "express";
import { ApprovalError } from "../approvals/approval-errors";
import { MAX_SHOWN_VIEW_CHARS, type ApprovalRequest, type Participant } from "../approvals/approval-request";
import type { ApprovalService } from "../approvals/approval-service";
import { sameIdentity } from "../approvals/reviewer-eligibility";
import { AuditError } from "../audit/audit-error";
import { parseAuditQuery, queryAudit } from "../audit/audit-query";
import type { AuditReader } from "../audit/audit-reader";
import type { AuditEntry } from "../audit/chain";
import type { AuditVerificationKey } from "../audit/signing-key";
import { verifyStoredTrail } from "../audit/verify";
import type { Principal } from "../identity/principal";
import type { Logger } from "../observability/logger";
import type { ActivityChange, ActivityFeed } from "./console-activity";
import { CONSOLE_CSS, CONSOLE_CSS_PATH, CONSOLE_JS, CONSOLE_JS_PATH } from "./console-assets";
import type { ConsoleConfig } from "./console-config";
import { checkCsrf } from "./console-csrf";
import { ConsoleError } from "./console-errors";
import { consoleCookie, requestCookies, SESSION_COOKIE, SessionSealer, SIGN_IN_COOKIE, type ConsoleSession } from "./console-session";
import { html } from "./html";
import { auditBody, type VerifyStatus } from "./audit-page";
import { inboxBody, mineBody, type RequestRow } from "./list-pages";
import { CALLBACK_PATH, OidcSignIn } from "./oidc-sign-in";
import { notice, renderPage, type LayoutViewer } from "./page-layout";
import { requestPageBody, type PageMessage } from "./request-page";
import { pageModelView, requestPageModel, type RequestPageModel, type ViewerModel } from "./request-page-model";
import { signInBody } from "./sign-in-page";

/** The Content-Security-Policy of every console answer. */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Requests per inbox or "my requests" page. */
const PAGE_SIZE = 25;
/** How long a chain verification result is shown before the next page view checks again. */
const VERIFY_CACHE_MS = 30_000;
/** The longest a kept-open event stream stays quiet before a keep-alive comment. */
const KEEP_ALIVE_MS = 20_000;

/** What the console needs. */
export interface ConsoleDependencies {
  readonly config: ConsoleConfig;
  readonly approvals: Pick<ApprovalService, "read" | "get" | "inbox" | "requestedBy" | "castVerdict">;
  /** The configured identities (`IdentityDirectory` fits). */
  readonly identities: {
    byId(id: string): Principal | undefined;
    resolve(id: string): Principal | undefined;
    all(): readonly Principal[];
  };
  /** The audit trail (the auditor's page); absent without one. */
  readonly audit?: AuditReader;
  /** The keys the trail's signatures are checked with (the trail's own key); none: the key the trail carries. */
  readonly auditKeys?: readonly AuditVerificationKey[];
  readonly activity: ActivityFeed;
  readonly logger: Logger;
  /** Epoch milliseconds; default the system clock. */
  readonly now?: () => number;
  /** Aborted on shutdown: open event streams end. */
  readonly shutdown?: AbortSignal;
}

/** Who a request is for: the session and the signed-in identity, if any. */
interface Visitor {
  readonly session: ConsoleSession;
  readonly principal?: Principal;
}

const VISITOR = "countersignConsoleVisitor";

/** The console's routes, for `app.use` before the API's authentication. */
export function createConsoleRouter(deps: ConsoleDependencies): Router {
  const now = deps.now ?? Date.now;
  const config = deps.config;
  const sealer = new SessionSealer(config.sessionKey, config.sessionTtlSeconds, now);
  const oidc = config.oidc === undefined || config.publicUrl === undefined ? undefined : new OidcSignIn(config.oidc, config.publicUrl);
  /** The origin forms must come from: the public URL's, else (development) the one the request was sent to. */
  const originOf = (req: Request): string =>
    config.publicUrl === undefined ? `${req.protocol}://${req.headers.host ?? ""}` : new URL(config.publicUrl).origin;
  const router = express.Router();
  /** Display names of configured people, for the pages (the id where none is configured). */
  const people = (id: string): { displayName?: string } | undefined => deps.identities.byId(id);
  const form = express.urlencoded({ extended: false, limit: "64kb", parameterLimit: 20 });

  router.use("/console", (_req, res, next) => {
    res.set({
      "Content-Security-Policy": CONSOLE_CSP,
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "same-origin", // not no-referrer: under it Chromium sends `Origin: null` with same-origin forms
      "X-Frame-Options": "DENY",
      "Cross-Origin-Opener-Policy": "same-origin",
    });
    next();
  });

  // Static assets: no session needed, cached for a year (their names carry their content hash).
  const asset =
    (type: string, body: string): RequestHandler =>
    (_req, res) =>
      void res.set("Cache-Control", "public, max-age=31536000, immutable").type(type).send(body);
  router.get(CONSOLE_CSS_PATH, asset("text/css", CONSOLE_CSS));
  router.get(CONSOLE_JS_PATH, asset("application/javascript", CONSOLE_JS));

  // Every other console answer has a session (a fresh one for a new visitor) and is never cached.
  router.use("/console", (req, res, next) => {
    void (async () => {
      let session = await sealer.open(requestCookies(req.headers.cookie)[SESSION_COOKIE]);
      if (session === null) {
        session = sealer.fresh();
        res.append("Set-Cookie", consoleCookie(SESSION_COOKIE, await sealer.seal(session), config.sessionTtlSeconds));
      }
      const found = session.sub === undefined ? undefined : deps.identities.byId(session.sub);
      const principal = found !== undefined && found.kind === "human" ? found : undefined;
      res.locals[VISITOR] = { session, ...(principal === undefined ? {} : { principal }) } satisfies Visitor;
      res.set("Cache-Control", "no-store");
      next();
    })().catch(next);
  });

  const page = (
    res: Response,
    title: string,
    body: ReturnType<typeof html>,
    opts: { status?: number; current?: "inbox" | "mine" | "audit"; events?: string } = {},
  ): void => {
    const v = visitorOf(res);
    res
      .status(opts.status ?? 200)
      .type("text/html")
      .send(
        renderPage({
          title,
          body,
          ...(v.principal === undefined ? {} : { viewer: layoutViewer(v) }),
          ...(opts.current === undefined ? {} : { current: opts.current }),
          ...(opts.events === undefined ? {} : { events: opts.events }),
        }),
      );
  };

  /** The signed-in person, or a redirect to the sign-in page (GET) / a refusal (anything else). */
  const signedIn = (req: Request, res: Response): Principal | undefined => {
    const p = visitorOf(res).principal;
    if (p !== undefined) return p;
    if (req.method === "GET") res.redirect(303, `/console/login?return=${encodeURIComponent(req.originalUrl)}`);
    else throw new ConsoleError("COUNTERSIGN_CONSOLE_SIGN_IN_REQUIRED");
    return undefined;
  };

  const csrf = (req: Request, res: Response): void =>
    checkCsrf((req.body as Record<string, unknown> | undefined)?.["csrf"], visitorOf(res).session.csrf, req.headers, originOf(req));

  const startSession = async (res: Response, sub: string, via: ConsoleSession["via"]): Promise<void> => {
    res.append("Set-Cookie", consoleCookie(SESSION_COOKIE, await sealer.seal(sealer.fresh(sub, via)), config.sessionTtlSeconds));
  };

  router.get("/console", (_req, res) => res.redirect(303, visitorOf(res).principal === undefined ? "/console/login" : "/console/inbox"));

  // ---- signing in and out
  router.get("/console/login", (req, res) => {
    const v = visitorOf(res);
    const returnTo = consolePath(req.query["return"]);
    if (v.principal !== undefined) return res.redirect(303, returnTo);
    const people = config.developmentSignIn ? deps.identities.all().filter((p) => p.kind === "human") : undefined;
    page(
      res,
      "Sign in",
      signInBody({ oidc: oidc !== undefined, ...(people === undefined ? {} : { development: people }), csrf: v.session.csrf, returnTo }),
    );
  });

  router.get(
    "/console/auth/oidc",
    handler(async (req, res) => {
      if (oidc === undefined)
        throw new ConsoleError("COUNTERSIGN_CONSOLE_NOT_FOUND", "no OpenID Connect provider is configured (console.oidc)");
      const { url, tx } = await oidc.start(consolePath(req.query["return"]));
      res.append("Set-Cookie", consoleCookie(SIGN_IN_COOKIE, await sealer.sealSignIn(tx), 600));
      res.redirect(303, url);
    }),
  );

  router.get(
    CALLBACK_PATH,
    handler(async (req, res) => {
      if (oidc === undefined) throw new ConsoleError("COUNTERSIGN_CONSOLE_NOT_FOUND");
      const tx = await sealer.openSignIn(requestCookies(req.headers.cookie)[SIGN_IN_COOKIE]);
      res.append("Set-Cookie", consoleCookie(SIGN_IN_COOKIE, "", 0));
      if (tx === null)
        throw new ConsoleError(
          "COUNTERSIGN_CONSOLE_SIGN_IN_FAILED",
          "the sign-in expired or was started in another browser; sign in again",
        );
      const search = req.originalUrl.includes("?") ? req.originalUrl.slice(req.originalUrl.indexOf("?")) : "";
      const value = await oidc.finish(search, tx);
      const identity = deps.identities.resolve(value) ?? deps.identities.resolve(`user:${value}`);
      if (identity === undefined || identity.kind !== "human") {
        deps.logger.warn("console: a sign-in named no configured person", { claim: config.oidc?.claim });
        throw new ConsoleError("COUNTERSIGN_CONSOLE_UNKNOWN_IDENTITY");
      }
      await startSession(res, identity.id, "oidc");
      deps.logger.info("console: signed in", { identity: identity.id, via: "oidc" });
      res.redirect(303, tx.returnTo);
    }),
  );

  router.post(
    "/console/auth/development",
    form,
    handler(async (req, res) => {
      csrf(req, res);
      if (!config.developmentSignIn) throw new ConsoleError("COUNTERSIGN_CONSOLE_DEV_SIGN_IN_OFF");
      const body = req.body as Record<string, unknown>;
      const identity = typeof body["identity"] === "string" ? deps.identities.byId(body["identity"]) : undefined;
      if (identity === undefined || identity.kind !== "human") throw new ConsoleError("COUNTERSIGN_CONSOLE_UNKNOWN_IDENTITY");
      await startSession(res, identity.id, "development");
      deps.logger.info("console: signed in", { identity: identity.id, via: "development" });
      res.redirect(303, consolePath(body["return"]));
    }),
  );

  router.post(
    "/console/logout",
    form,
    handler(async (req, res) => {
      csrf(req, res);
      res.append("Set-Cookie", consoleCookie(SESSION_COOKIE, await sealer.seal(sealer.fresh()), config.sessionTtlSeconds));
      res.redirect(303, "/console/login");
    }),
  );

  // ---- the reviewer inbox
  router.get(
    "/console/inbox",
    handler(async (req, res) => {
      const p = signedIn(req, res);
      if (p === undefined) return;
      const cursor = typeof req.query["cursor"] === "string" && req.query["cursor"] !== "" ? req.query["cursor"] : undefined;
      const found = await deps.approvals.inbox({ reviewer: p, limit: PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) });
      const at = now();
      const rows = found.approvals
        .slice()
        .sort((a, b) => b.updatedAt - a.updatedAt || b.createdAt - a.createdAt)
        .map((a) => rowOf(requestPageModel(a, p, "reviewer", at, people), a));
      page(res, "To review", inboxBody(rows, found.nextCursor), { current: "inbox", events: "/console/events?topic=inbox" });
    }),
  );

  // ---- the requester's own requests
  router.get(
    "/console/mine",
    handler(async (req, res) => {
      const p = signedIn(req, res);
      if (p === undefined) return;
      const cursor = typeof req.query["cursor"] === "string" && req.query["cursor"] !== "" ? req.query["cursor"] : undefined;
      const found = await deps.approvals.requestedBy({ requester: p.id, limit: PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) });
      const at = now();
      const rows = found.approvals
        .filter((approval) => isRequester(approval, p.id))
        .map((approval) => rowOf(requestPageModel(approval, p, "requester", at, people), approval));
      page(res, "My requests", mineBody(rows, found.nextCursor), { current: "mine", events: "/console/events?topic=mine" });
    }),
  );

  // ---- one request
  const requestPage = async (
    res: Response,
    p: Principal,
    id: string,
    opts: { status?: number; message?: PageMessage; comment?: string; model?: { model: RequestPageModel; digest: string } } = {},
  ): Promise<void> => {
    const seen = opts.model ?? viewOf(await access(id, p), p);
    page(res, seen.model.headline, requestPageBody(seen.model, seen.digest, visitorOf(res).session.csrf, opts.message, opts.comment), {
      ...(opts.status === undefined ? {} : { status: opts.status }),
      events: `/console/events?topic=request&id=${encodeURIComponent(id)}`,
    });
  };

  const access = async (id: string, p: Principal): Promise<{ approval: ApprovalRequest; relation: ViewerModel["relation"] }> => {
    const stored = await deps.approvals.read(id);
    if (stored === null) throw new ApprovalError("COUNTERSIGN_APPROVAL_NOT_FOUND");
    if (isRequester(stored, p.id)) return { approval: stored, relation: "requester" };
    const got = await deps.approvals.get({ approvalId: id, viewer: p as Participant });
    return { approval: got.approval, relation: "reviewer" };
  };

  const viewOf = (
    a: { approval: ApprovalRequest; relation: ViewerModel["relation"] },
    p: Principal,
  ): { model: RequestPageModel; digest: string; view: string } => {
    const model = requestPageModel(a.approval, p, a.relation, now(), people);
    return { model, ...pageModelView(model) };
  };

  router.get(
    "/console/requests/:id",
    handler(async (req, res) => {
      const p = signedIn(req, res);
      if (p === undefined) return;
      const done = req.query["done"];
      const message: PageMessage | undefined =
        done === "approve"
          ? { kind: "done", text: "You approved this request." }
          : done === "deny"
            ? { kind: "done", text: "You denied this request." }
            : undefined;
      await requestPage(res, p, String(req.params["id"]), message === undefined ? {} : { message });
    }),
  );

  router.post(
    "/console/requests/:id/verdict",
    form,
    handler(async (req, res) => {
      csrf(req, res);
      const p = signedIn(req, res);
      if (p === undefined) return;
      const id = String(req.params["id"]);
      const body = req.body as Record<string, unknown>;
      const verdict = body["verdict"];
      const comment = typeof body["comment"] === "string" ? body["comment"] : undefined;
      const version = Number(body["version"]);
      if ((verdict !== "approve" && verdict !== "deny") || !Number.isSafeInteger(version) || typeof body["digest"] !== "string") {
        throw new ConsoleError(
          "COUNTERSIGN_CONSOLE_BAD_FORM",
          "the form needs a verdict (approve or deny), the version and the digest of the page it was sent from",
        );
      }
      const current = viewOf(await access(id, p), p);
      if (current.model.version !== version || current.digest !== body["digest"]) {
        const e = new ConsoleError("COUNTERSIGN_CONSOLE_VIEW_STALE");
        return requestPage(res, p, id, {
          status: e.status,
          message: { kind: "error", text: e.message, code: e.code },
          ...(comment === undefined ? {} : { comment }),
          model: current,
        });
      }
      try {
        await deps.approvals.castVerdict({
          approvalId: id,
          reviewer: p as Participant,
          verdict,
          ...(comment === undefined || comment === "" ? {} : { comment }),
          channel: "console",
          // The page model itself is kept with the verdict (and in the trail) unless it is too large to keep.
          shown: {
            version: current.model.version,
            digest: current.digest,
            hidden: current.model.hidden,
            ...(current.view.length <= MAX_SHOWN_VIEW_CHARS ? { view: current.view } : {}),
          },
        });
      } catch (err) {
        if (!(err instanceof ApprovalError)) throw err;
        return requestPage(res, p, id, {
          status: err.status,
          message: { kind: "error", text: err.message, code: err.code },
          ...(comment === undefined ? {} : { comment }),
        });
      }
      res.redirect(303, `/console/requests/${encodeURIComponent(id)}?done=${verdict}`);
    }),
  );

  // ---- the audit trail, for auditors
  let verified: { at: number; status: VerifyStatus } | undefined;
  let verifying: Promise<VerifyStatus> | undefined;
  const verifyStatus = async (): Promise<VerifyStatus> => {
    if (deps.audit === undefined) return { error: "no audit trail (no Redis configured)" };
    if (verified !== undefined && now() - verified.at < VERIFY_CACHE_MS) return verified.status;
    const reader = deps.audit;
    verifying ??= (async (): Promise<VerifyStatus> => {
      // Entries sealed into the archive and trimmed are not here: the stream is checked from where it starts.
      const archivedThrough = (await reader.archiveState?.())?.seq ?? 0;
      const result = await verifyStoredTrail(reader, {
        ...(deps.auditKeys === undefined ? {} : { keys: deps.auditKeys }),
        allowPartial: archivedThrough > 0,
      });
      return { result, checkedAt: new Date(now()).toISOString(), ...(archivedThrough > 0 ? { archivedThrough } : {}) };
    })()
      .catch((err: unknown): VerifyStatus => ({ error: (err as Error).message }))
      .then((status) => {
        verified = { at: now(), status };
        verifying = undefined;
        return status;
      });
    return verifying;
  };

  router.get(
    "/console/audit",
    handler(async (req, res) => {
      const p = signedIn(req, res);
      if (p === undefined) return;
      if (!p.auditor) throw new ConsoleError("COUNTERSIGN_CONSOLE_FORBIDDEN");
      const values: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.query)) if (typeof v === "string" && v.trim() !== "") values[k] = v.trim();
      const verify = await verifyStatus();
      let entries: readonly AuditEntry[] = [];
      let next: string | null = null;
      let problem: { code: string; text: string } | undefined;
      let archived: string | undefined;
      try {
        if (deps.audit === undefined)
          throw new AuditError("COUNTERSIGN_AUDIT_UNAVAILABLE", "this service has no audit trail (no Redis configured)");
        const { filter, page: pageRequest } = parseAuditQuery(values);
        const found = await queryAudit(deps.audit, filter, { limit: 50, ...pageRequest });
        entries = found.entries;
        next = found.next_cursor;
        archived = found.archived?.message;
      } catch (err) {
        if (!(err instanceof AuditError)) throw err;
        problem = { code: err.code, text: err.message };
      }
      const shownValues = { ...values };
      delete shownValues["cursor"];
      page(res, "Audit trail", auditBody(shownValues, entries, next, verify, problem, archived), {
        current: "audit",
        ...(problem === undefined ? {} : { status: 400 }),
      });
    }),
  );

  // ---- live updates
  router.get(
    "/console/events",
    handler(async (req, res) => {
      const p = visitorOf(res).principal;
      if (p === undefined) throw new ConsoleError("COUNTERSIGN_CONSOLE_SIGN_IN_REQUIRED");
      const topic = req.query["topic"];
      let concerns: (c: ActivityChange) => boolean;
      if (topic === "request") {
        const id = String(req.query["id"] ?? "");
        await access(id, p); // visibility: the same rule as the page
        concerns = (c) => c.id === id;
      } else if (topic === "inbox" || topic === "mine") {
        concerns = () => true;
      } else {
        throw new ConsoleError("COUNTERSIGN_CONSOLE_BAD_FORM", "topic must be inbox, mine or request");
      }
      streamEvents(req, res, deps.activity, concerns, deps.shutdown);
    }),
  );

  router.use("/console", (req, _res, next) => next(new ConsoleError("COUNTERSIGN_CONSOLE_NOT_FOUND", `no console page ${req.path}`)));
  router.use("/console", (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const v = res.locals[VISITOR] as Visitor | undefined;
    let status = 500;
    let code = "COUNTERSIGN_INTERNAL";
    let text = "something went wrong; the change was not made";
    if (err instanceof ConsoleError || err instanceof ApprovalError || err instanceof AuditError) {
      status = err.status;
      code = err.code;
      text = err.message;
    } else if ((err as { type?: string }).type === "entity.too.large") {
      status = 413;
      code = "COUNTERSIGN_CONSOLE_BAD_FORM";
      text = "the form is too large";
    } else {
      deps.logger.error("console: a page failed", { path: req.path, error: err instanceof Error ? err.message : String(err) });
    }
    if (v === undefined) return void res.status(status).type("text/plain").send(`${code}: ${text}\n`);
    if (code === "COUNTERSIGN_CONSOLE_SIGN_IN_FAILED" || code === "COUNTERSIGN_CONSOLE_UNKNOWN_IDENTITY") {
      const people = config.developmentSignIn ? deps.identities.all().filter((q) => q.kind === "human") : undefined;
      return void page(
        res,
        "Sign in",
        signInBody({
          oidc: oidc !== undefined,
          ...(people === undefined ? {} : { development: people }),
          csrf: v.session.csrf,
          returnTo: "/console/inbox",
          error: { code, text },
        }),
        { status },
      );
    }
    page(
      res,
      "Refused",
      html`<h1>${status === 404 ? "Not found" : "Refused"}</h1>
        ${notice("error", text, code)}
        <p><a href="/console/inbox">Back to the inbox</a></p>`,
      { status },
    );
  });
  return router;
}

/** Keeps an event stream open: a `change` event for every change that concerns the page, keep-alives between. */
function streamEvents(
  req: Request,
  res: Response,
  feed: ActivityFeed,
  concerns: (c: ActivityChange) => boolean,
  shutdown: AbortSignal | undefined,
): void {
  res.status(200).set({
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-store",
    Connection: "keep-alive",
    "X-Accel-Buffering": "no",
  });
  res.flushHeaders();
  res.write("retry: 2000\n\n");
  let queued: ReturnType<typeof setTimeout> | undefined;
  let last: ActivityChange | undefined;
  const unsubscribe = feed.subscribe((change) => {
    if (!concerns(change)) return;
    last = change;
    // Changes in a burst become one event: the page fetches once.
    queued ??= setTimeout(() => {
      queued = undefined;
      res.write(`event: change\ndata: ${JSON.stringify({ version: last?.version, status: last?.status })}\n\n`);
    }, 100);
  });
  const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), KEEP_ALIVE_MS);
  const end = (): void => {
    unsubscribe();
    clearInterval(keepAlive);
    clearTimeout(queued);
    shutdown?.removeEventListener("abort", end);
    res.end();
  };
  req.on("close", end);
  shutdown?.addEventListener("abort", end, { once: true });
  if (shutdown?.aborted) end();
}

function handler(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req, res, next) => void fn(req, res).catch(next);
}

function visitorOf(res: Response): Visitor {
  const v = res.locals[VISITOR] as Visitor | undefined;
  if (v === undefined) throw new Error("visitorOf: no console session on this response");
  return v;
}

function layoutViewer(v: Visitor): LayoutViewer {
  const p = v.principal as Principal;
  return { id: p.id, roles: p.roles, auditor: p.auditor, csrf: v.session.csrf };
}

/** A console path to return to (anything else, including another origin, is the inbox). */
function consolePath(value: unknown): string {
  return typeof value === "string" && /^\/console(\/|\?|$)/.test(value) && !value.includes("\\") && !value.startsWith("//")
    ? value
    : "/console/inbox";
}

/** True when `id` asked for the request: its caller, the caller's owner, the actor, or the person the actor acts for. */
function isRequester(a: ApprovalRequest, id: string): boolean {
  const r = a.requesters;
  return [r.callerId, r.callerOwner, r.actorId, r.onBehalfOf].some((who) => who !== undefined && sameIdentity(who, id));
}

function rowOf(m: RequestPageModel, a: ApprovalRequest): RequestRow {
  return {
    id: m.id,
    headline: m.headline,
    status: m.status,
    action: m.action,
    resource: [m.resource.type, m.resource.id, m.resource.environment].filter((s) => s !== undefined).join(" "),
    requestedBy: m.actor.onBehalfOfName ?? m.actor.name ?? a.requesters.callerId,
    approvals: m.progress.approvals,
    quorum: m.progress.quorum,
    stillNeeded: m.stillNeeded,
    ...(m.risk === undefined ? {} : { risk: m.risk }),
    updatedAt: m.updatedAt,
    expiresAt: m.expiresAt,
    ...(m.decidedAt === undefined ? {} : { decidedAt: m.decidedAt }),
  };
}
