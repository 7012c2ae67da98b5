/**
 * The decision service's Express application, built from its dependencies and separate from listening, so
 * tests drive it with supertest and the benchmark measures the very same app.
 *
 * Routes parse and validate, call a use case, and map typed errors to the catalogue in `http-error.ts`.
 */

import express, { type Express } from "express";
import type { Registry } from "prom-client";
import type { Authenticator } from "../identity/authenticator";
import type { Logger } from "../observability/logger";
import type { Readiness } from "../observability/readiness";
import type { DecideUseCase } from "../service/decide";
import { authenticate } from "./authenticate";
import { decideHandler } from "./decide-route";
import { errorHandler, methodNotAllowed, notFound } from "./error-handler";
import { healthz, readyz } from "./health-routes";
import { jsonBody } from "./json-body";
import { metricsHandler } from "./metrics-route";
import { openApiDocument } from "./openapi";

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
}

/** Builds the app; it holds no listening socket. */
export function createApp(deps: AppDependencies): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);

  const decideChain = [authenticate(deps.authenticator, deps.logger), ...jsonBody(deps.bodyLimitBytes), decideHandler(deps.decide)];
  for (const path of ["/v1/decide", "/decide"]) {
    app.post(path, ...decideChain);
    app.all(path, methodNotAllowed(["POST"]));
  }

  const openapi = JSON.stringify(openApiDocument());
  const reads: [string, express.RequestHandler][] = [
    ["/healthz", healthz],
    ["/readyz", readyz(deps.readiness)],
    ["/metrics", metricsHandler(deps.metrics)],
    ["/openapi.json", (_req, res) => void res.type("application/json").send(openapi)],
  ];
  for (const [path, handler] of reads) {
    app.get(path, handler);
    app.all(path, methodNotAllowed(["GET", "HEAD"]));
  }

  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
