/**
 * The decision service's HTTP application, built from its dependencies and separate from listening, so
 * any caller can serve or drive the very same app (a listener for `http.createServer`): the decide fast lane
 * (`decide-lane.ts`) in front of the Express app that serves every route.
 *
 * Routes parse and validate, call a use case, and map typed errors to the catalogue in `http-error.ts`.
 */

import type { RequestListener } from "node:http";
import express, { type Express } from "express";
import type { Registry } from "prom-client";
import type { AuditReader } from "../audit/audit-reader";
import type { Authenticator } from "../identity/authenticator";
import type { Logger } from "../observability/logger";
import type { Readiness } from "../observability/readiness";
import type { DecideUseCase } from "../service/decide";
import type { ApprovalApi } from "./approval-api";
import { approvalInboxHandler } from "./approval-inbox-route";
import { approvalReadHandler } from "./approval-read-route";
import { auditQueryHandler } from "./audit-route";
import { shadowSummaryHandler, type ShadowSummarySource } from "./shadow-route";
import { authenticate } from "./authenticate";
import { cancelHandler } from "./cancel-route";
import { whoamiHandler } from "./whoami-route";
import { DECIDE_PATHS, decideLane } from "./decide-lane";
import { type DecideBody, decideBody, decideHandler, type RequesterCheck } from "./decide-route";
import { errorHandler, methodNotAllowed, notFound } from "./error-handler";
import { grantRedeemHandler } from "./grant-redeem-route";
import { healthz, readyz } from "./health-routes";
import { hiddenToolsHandler } from "./hidden-tools-route";
import type { HiddenToolsQuery } from "../service/hidden-tools";
import { jsonBody } from "./json-body";
import { DEFAULT_BODY_TIMEOUT_MS, DEFAULT_MAX_JSON_DEPTH } from "../config/server-limits";
import { withBodyTimeout } from "./body-timeout";
import { jwksHandler } from "./jwks-route";
import { metricsHandler } from "./metrics-route";
import { openApiDocument } from "./openapi";
import { verdictHandler } from "./verdict-route";

/** What the app needs. */
export interface AppDependencies {
  readonly decide: DecideUseCase;
  readonly authenticator: Authenticator;
  /** Runs the readiness checks. */
  readonly readiness: () => Promise<Readiness>;
  readonly metrics: Registry;
  readonly logger: Logger;
  /** Largest request body, in bytes. */
  readonly bodyLimitBytes: number;
  /** Longest a request may take to deliver its whole body (default DEFAULT_BODY_TIMEOUT_MS): 408 after it. */
  readonly bodyTimeoutMs?: number;
  /** Deepest nesting a JSON body may have (default DEFAULT_MAX_JSON_DEPTH): 400 past it. */
  readonly maxJsonDepth?: number;
  /** Checks each decide request's actor ids before it is decided; without it only the schema applies. */
  readonly requesters?: RequesterCheck;
  /** The read-only `POST /v1/mcp/hidden-tools` query; without it that route answers 503. */
  readonly hiddenTools?: HiddenToolsQuery;
  /** The approval routes' use cases; without them (no Redis configured) those routes answer 503. */
  readonly approvals?: ApprovalApi;
  /** The audit trail, read by `GET /v1/audit`; without it (no Redis configured) that route answers 503. */
  readonly audit?: AuditReader;
  /** Shadow mode's summary, read by `GET /v1/shadow`; absent when `bundles.shadow` is not configured. */
  readonly shadow?: ShadowSummarySource;
  /**
   * Routes mounted before everything else (the Teams bot's `POST /api/messages`, which authenticates with
   * Bot Framework tokens and parses its own bodies, so no API key check or content-type rule may run first).
   */
  readonly before?: readonly express.RequestHandler[];
}

/** Builds the app (a listener for `http.createServer`); it holds no listening socket. */
export function createApp(deps: AppDependencies): RequestListener {
  const answer = decideBody(deps.decide, deps.requesters);
  const maxJsonDepth = deps.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;
  const app = createExpressApp(deps, answer, maxJsonDepth);
  const lane = decideLane(
    { answer, authenticator: deps.authenticator, logger: deps.logger, bodyLimitBytes: deps.bodyLimitBytes, maxJsonDepth },
    app,
  );
  return withBodyTimeout(lane, deps.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS, deps.logger);
}

/** The Express app: every route, the decide route included (for the requests the lane leaves to it). */
function createExpressApp(deps: AppDependencies, answer: DecideBody, maxJsonDepth: number): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  for (const handler of deps.before ?? []) app.use(handler);

  const auth = authenticate(deps.authenticator, deps.logger);
  const body = jsonBody(deps.bodyLimitBytes, maxJsonDepth);
  const decideChain = [auth, ...body, decideHandler(answer)];
  for (const path of DECIDE_PATHS) {
    app.post(path, ...decideChain);
    app.all(path, methodNotAllowed(["POST"]));
  }

  // The approval workflow: requester, reviewer and executor routes, all authenticated.
  const api = deps.approvals;
  const posts: [string, express.RequestHandler][] = [
    ["/v1/approvals/:id/verdicts", verdictHandler(api)],
    ["/v1/approvals/:id/cancel", cancelHandler(api)],
    ["/v1/grants/redeem", grantRedeemHandler(api)],
    ["/v1/mcp/hidden-tools", hiddenToolsHandler(deps.hiddenTools, deps.requesters)],
  ];
  for (const [path, handler] of posts) {
    app.post(path, auth, ...body, handler);
    app.all(path, methodNotAllowed(["POST"]));
  }
  const gets: [string, express.RequestHandler][] = [
    ["/v1/approvals/:id", approvalReadHandler(api)],
    ["/v1/approvals", approvalInboxHandler(api)],
    ["/v1/audit", auditQueryHandler(deps.audit)],
    ["/v1/shadow", shadowSummaryHandler(deps.shadow)],
    ["/v1/whoami", whoamiHandler()],
  ];
  for (const [path, handler] of gets) {
    app.get(path, auth, handler);
    app.all(path, methodNotAllowed(["GET", "HEAD"]));
  }

  const openapi = JSON.stringify(openApiDocument());
  const reads: [string, express.RequestHandler][] = [
    ["/healthz", healthz],
    ["/readyz", readyz(deps.readiness)],
    ["/metrics", metricsHandler(deps.metrics)],
    ["/openapi.json", (_req, res) => void res.type("application/json").send(openapi)],
    ["/.well-known/jwks.json", jwksHandler(api)],
  ];
  for (const [path, handler] of reads) {
    app.get(path, handler);
    app.all(path, methodNotAllowed(["GET", "HEAD"]));
  }

  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
