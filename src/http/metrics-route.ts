/**
 * `GET /metrics`: the Prometheus text exposition of the service's registry.
 */

import type { Request, RequestHandler, Response } from "express";
import type { Registry } from "prom-client";

/** Serves the registry's metrics. */
export function metricsHandler(registry: Registry): RequestHandler {
  return async (_req: Request, res: Response): Promise<void> => {
    const text = await registry.metrics();
    res.set("Content-Type", registry.contentType).set("Cache-Control", "no-store").send(text);
  };
}
