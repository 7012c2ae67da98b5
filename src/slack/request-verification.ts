/**
 * Slack request verification, in front of every inbound Slack route: the body is read raw, its
 * `X-Slack-Signature` checked against the signing secret (Bolt's `verifySlackRequest`: HMAC-SHA256 of
 * `v0:{timestamp}:{body}`, compared in constant time), its `X-Slack-Request-Timestamp` must be within the
 * replay window of now (either side), and a signature already seen within the window is refused, so a
 * captured request cannot be sent again. Every refusal is a 401 that reaches no handler.
 *
 * The verified raw body is left on `req.rawBody`, where Bolt's Express receiver (signature verification off,
 * since it is done here) reads it.
 */

import { verifySlackRequest } from "@slack/bolt";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import getRawBody from "raw-body";
import type { TeamsLogger } from "../teams/ports";
import type { SlackClock } from "./ports";
import { SlackError, type SlackErrorCode } from "./slack-errors";

/** What verification needs. */
export interface VerificationOptions {
  /** Absent: every request is refused (COUNTERSIGN_SLACK_NO_SIGNING_SECRET). */
  readonly signingSecret?: string;
  readonly maxAgeSeconds: number;
  readonly clock: SlackClock;
  /** Records a signature; false when it was seen before (a replay). */
  readonly firstSighting: (signature: string, ttlSeconds: number) => Promise<boolean>;
  readonly logger: TeamsLogger;
  /** Largest body accepted, in bytes. */
  readonly bodyLimitBytes: number;
}

/** The middleware. */
export function verifySlackRequests(options: VerificationOptions): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    void verify(req, options).then(
      (refusal) => {
        if (refusal === null) return next();
        options.logger.warn("slack request refused", { code: refusal.code, path: req.path });
        res.status(refusal.status).json(refusal.toBody());
      },
      (err: unknown) => next(err),
    );
  };
}

async function verify(req: Request, options: VerificationOptions): Promise<SlackError | null> {
  const refuse = (code: SlackErrorCode): SlackError => new SlackError(code);
  let body: string;
  try {
    body = (await getRawBody(req, { limit: options.bodyLimitBytes, encoding: "utf8" })) as string;
  } catch {
    return refuse("COUNTERSIGN_SLACK_BAD_REQUEST");
  }
  if (options.signingSecret === undefined) return refuse("COUNTERSIGN_SLACK_NO_SIGNING_SECRET");
  const signature = req.header("x-slack-signature");
  const stamp = req.header("x-slack-request-timestamp");
  if (signature === undefined || stamp === undefined || !/^\d{1,12}$/.test(stamp) || !/^v0=[0-9a-f]{64}$/.test(signature)) {
    return refuse("COUNTERSIGN_SLACK_UNSIGNED");
  }
  const nowMs = options.clock.now();
  const timestamp = Number(stamp);
  if (Math.abs(nowMs / 1000 - timestamp) > options.maxAgeSeconds) return refuse("COUNTERSIGN_SLACK_STALE");
  try {
    verifySlackRequest({
      signingSecret: options.signingSecret,
      body,
      headers: { "x-slack-signature": signature, "x-slack-request-timestamp": timestamp },
      nowMilliseconds: nowMs,
    });
  } catch {
    return refuse("COUNTERSIGN_SLACK_UNSIGNED");
  }
  try {
    // Kept a little longer than the window, so a request cannot come back just as its record lapses.
    if (!(await options.firstSighting(signature, options.maxAgeSeconds * 2 + 60))) return refuse("COUNTERSIGN_SLACK_REPLAYED");
  } catch {
    return new SlackError("COUNTERSIGN_SLACK_UNAVAILABLE");
  }
  (req as Request & { rawBody?: Buffer }).rawBody = Buffer.from(body, "utf8");
  return null;
}
