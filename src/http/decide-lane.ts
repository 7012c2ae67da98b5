/**
 * The decide fast lane: a request listener in front of the Express app that serves the everyday
 * `POST /v1/decide` without Express, and hands every other request to the app untouched.
 *
 * Why: on this service's hot path Express 5 costs more CPU than the decision itself (about 100 µs per
 * request on the reference machine, against ~30 µs for the same request on Node's HTTP server alone:
 * the prototype swap of every req/res, the router's layer walk, body-parser's generic reading, the
 * two-chunk `res.json`). The lane runs exactly the parts the Express route runs — the same
 * authenticator and 401s, the same body reader (raw-body, which body-parser wraps) with the same limit,
 * the same strict JSON rule, validator, use case, answer and error mapping — it only skips the framework.
 *
 * It takes a request when its first line and headers show the common case, and nothing has been read yet
 * when it declines: method POST; path `/v1/decide` or `/decide` exactly (any query ignored, as the route
 * ignores it); `Content-Type: application/json`, with no parameter or `charset=utf-8`; no
 * `Content-Encoding` (or `identity`); no `Transfer-Encoding`; a `Content-Length` from 1 to the body limit.
 * Any other request — another spelling of the path, a gzip body, another charset, a chunked, empty or
 * oversized body, another method — takes the app's decide route, and test/http/decide-lane.test.ts
 * checks that both give the same answers.
 */

import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import getRawBody from "raw-body";
import type { AuthResult, Authenticator } from "../identity/authenticator";
import type { Principal } from "../identity/principal";
import type { Decision } from "../service/decision-response";
import type { Logger } from "../observability/logger";
import { authenticationFailed } from "./authenticate";
import { type DecideBody, sendDecision } from "./decide-route";
import { answerError, malformedJson } from "./error-handler";
import { pathOf } from "./request-path";
import { DEFAULT_MAX_JSON_DEPTH } from "../config/server-limits";
import { assertJsonDepth } from "./json-depth";

/** The paths of the decide route. */
export const DECIDE_PATHS: ReadonlySet<string> = new Set(["/v1/decide", "/decide"]);

/** What the lane needs: the decide route's own parts. */
export interface DecideLaneDependencies {
  readonly answer: DecideBody;
  readonly authenticator: Authenticator;
  readonly logger: Logger;
  /** Largest request body, in bytes (the app's limit). */
  readonly bodyLimitBytes: number;
  /** Deepest nesting of the body (the app's limit); default DEFAULT_MAX_JSON_DEPTH. */
  readonly maxJsonDepth?: number;
}

/** A listener that serves the lane's requests itself and passes all others to `general` (the Express app). */
export function decideLane(deps: DecideLaneDependencies, general: RequestListener): RequestListener {
  const { answer, authenticator, logger, bodyLimitBytes } = deps;
  const maxJsonDepth = deps.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;

  const fail = (err: unknown, req: IncomingMessage, res: ServerResponse): void => answerError(err, req, res, logger);

  const decideFor = (principal: Principal, req: IncomingMessage, res: ServerResponse, length: number): void => {
    getRawBody(req, { length, limit: bodyLimitBytes, encoding: "utf-8" }, (err, text) => {
      if (err) {
        // Read off whatever is left, as body-parser does, so the connection stays usable.
        req.resume();
        fail(err, req, res);
        return;
      }
      // Nothing thrown here may escape: it would surface in the socket's event handlers, not as an answer.
      let decided: Promise<Decision>;
      try {
        const body = parseStrictJson(text);
        assertJsonDepth(body, maxJsonDepth);
        decided = answer(body, principal);
      } catch (e) {
        fail(e, req, res);
        return;
      }
      decided.then((decision) => sendDecision(res, decision)).catch((e: unknown) => fail(e, req, res));
    });
  };

  const settle = (result: AuthResult, req: IncomingMessage, res: ServerResponse, length: number): void => {
    if (result.ok) decideFor(result.principal, req, res, length);
    // Refused before the body is read, as the route does.
    else fail(authenticationFailed(result.failure, req, logger), req, res);
  };

  return (req, res) => {
    const length = laneLength(req, bodyLimitBytes);
    if (length === null) {
      general(req, res);
      return;
    }
    let result: AuthResult | Promise<AuthResult>;
    try {
      result = authenticator.authenticate(req.headers.authorization);
    } catch (e) {
      fail(e, req, res);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (r) => settle(r, req, res, length),
        (e: unknown) => fail(e, req, res),
      );
    } else settle(result, req, res, length);
  };
}

/** The body length of a request the lane takes, or null when the request belongs to the app. */
export function laneLength(req: IncomingMessage, bodyLimitBytes: number): number | null {
  if (req.method !== "POST" || !DECIDE_PATHS.has(pathOf(req))) return null;
  const h = req.headers;
  if (!isPlainJsonType(h["content-type"])) return null;
  const encoding = h["content-encoding"];
  if (encoding !== undefined && encoding.toLowerCase() !== "identity") return null;
  if (h["transfer-encoding"] !== undefined) return null;
  const declared = h["content-length"];
  if (declared === undefined || !/^[0-9]{1,9}$/.test(declared)) return null;
  const length = Number(declared);
  return length >= 1 && length <= bodyLimitBytes ? length : null;
}

/** `application/json`, alone or with `charset=utf-8` (any case, optional spaces); anything else is the app's to judge. */
function isPlainJsonType(type: string | undefined): boolean {
  if (type === undefined) return false;
  const t = type.toLowerCase();
  if (t === "application/json") return true;
  return /^application\/json *; *charset="?utf-8"? *$/.test(t);
}

/**
 * JSON.parse under body-parser's strict rule: the text must be an object or an array (first character
 * after whitespace `{` or `[`), or it is 400 COUNTERSIGN_MALFORMED_JSON like any malformed text.
 */
function parseStrictJson(text: string): unknown {
  const first = /^[\x20\x09\x0a\x0d]*(.)/.exec(text)?.[1];
  if (first === "{" || first === "[") {
    try {
      return JSON.parse(text);
    } catch {
      // falls through to the same 400
    }
  }
  throw malformedJson();
}
