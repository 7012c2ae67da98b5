/**
 * The authentication middleware: resolves `Authorization: Bearer …` to a principal before anything else
 * touches the request (its body is not even read), or answers 401.
 */

import type { IncomingMessage } from "node:http";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { AuthFailure } from "../identity/auth-failure";
import type { AuthResult, Authenticator } from "../identity/authenticator";
import type { Principal } from "../identity/principal";
import type { Logger } from "../observability/logger";
import { HttpError } from "./http-error";
import { pathOf } from "./request-path";

const PRINCIPAL = "countersignPrincipal";

/** Middleware that authenticates the caller or fails with COUNTERSIGN_UNAUTHENTICATED. */
export function authenticate(authenticator: Authenticator, logger: Logger): RequestHandler {
  const settle = (result: AuthResult, req: Request, res: Response, next: NextFunction): void => {
    if (result.ok) {
      res.locals[PRINCIPAL] = result.principal;
      next();
      return;
    }
    next(authenticationFailed(result.failure, req, logger));
  };
  // API keys resolve synchronously; only a JWT costs a promise.
  return (req: Request, res: Response, next: NextFunction): void | Promise<void> => {
    const result = authenticator.authenticate(req.headers.authorization);
    if (result instanceof Promise) return result.then((r) => settle(r, req, res, next));
    settle(result, req, res, next);
  };
}

/** Logs a refused caller and returns the 401 to answer, with its `WWW-Authenticate` challenge. */
export function authenticationFailed(failure: AuthFailure, req: IncomingMessage, logger: Logger): HttpError {
  const { reason, message } = failure;
  logger.warn("authentication failed", { reason, method: req.method, path: pathOf(req), remote: req.socket.remoteAddress });
  const challenge = reason === "missing_credentials" ? 'Bearer realm="countersign"' : `Bearer realm="countersign", error="invalid_token"`;
  return new HttpError("COUNTERSIGN_UNAUTHENTICATED", message, { reason }, { "WWW-Authenticate": challenge });
}

/** The principal `authenticate` attached to this response. */
export function principalOf(res: Response): Principal {
  const principal = res.locals[PRINCIPAL] as Principal | undefined;
  if (principal === undefined) throw new Error("principalOf: the route is not behind authenticate()");
  return principal;
}
