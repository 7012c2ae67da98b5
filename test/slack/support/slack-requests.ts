/**
 * Test helper: Slack's side of the protocol — interaction payloads as Slack sends them
 * (`application/x-www-form-urlencoded` with a `payload` JSON field), signed with the signing secret the way
 * Slack signs (`v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`), and POSTed to the service.
 */

import { createHmac } from "node:crypto";
import type { RequestListener } from "node:http";
import request from "supertest";
import type { Response } from "supertest";

/** The signing secret the tests configure. */
export const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

/** The workspace of the example identities. */
export const TEAM = "T0DE7C0DE";

/** The example identities' Slack user ids. */
export const SLACK_USERS = {
  alice: "U0A11CE01", // dba
  bob: "U0B0B0002", // security, release-manager
  carol: "U0CA40103", // security
  dave: "U0DA7E004", // dba, security
  erin: "U0E414005", // no reviewer roles
  stranger: "U0NOBODY9", // not mapped
} as const;

/** `v0=` signature of `body` at `timestamp` (seconds). */
export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

/** Options of a signed POST. */
export interface PostOptions {
  /** Seconds; default now. */
  readonly timestamp?: number;
  readonly secret?: string;
  /** Replaces the computed signature. */
  readonly signature?: string;
}

/** POSTs a form-encoded interaction payload, signed. */
export function postInteraction(app: RequestListener, payload: unknown, opts: PostOptions = {}): Promise<Response> {
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return postSigned(app, "/api/slack/interactions", body, "application/x-www-form-urlencoded", opts);
}

/** POSTs a JSON Events API body, signed. */
export function postEvent(app: RequestListener, event: unknown, opts: PostOptions = {}): Promise<Response> {
  return postSigned(app, "/api/slack/events", JSON.stringify(event), "application/json", opts);
}

/** POSTs `body` to `path` with Slack's signature headers. */
export function postSigned(app: RequestListener, path: string, body: string, type: string, opts: PostOptions = {}): Promise<Response> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  return request(app)
    .post(path)
    .set("content-type", type)
    .set("x-slack-request-timestamp", String(timestamp))
    .set("x-slack-signature", opts.signature ?? sign(body, timestamp, opts.secret))
    .send(body);
}

/** A click on a message button, as Slack sends it (`block_actions`). */
export function buttonClick(opts: {
  user: string;
  team?: string;
  channel: string;
  ts: string;
  actionId: string;
  value: string;
  message?: unknown;
}): Record<string, unknown> {
  const team = opts.team ?? TEAM;
  return {
    type: "block_actions",
    user: { id: opts.user, username: opts.user.toLowerCase(), team_id: team },
    api_app_id: "A0COUNTERSIGN",
    token: "legacy-verification-token",
    container: { type: "message", message_ts: opts.ts, channel_id: opts.channel, is_ephemeral: false },
    trigger_id: `${Date.now()}.${Math.floor(Math.random() * 1e9)}.trigger`,
    team: { id: team, domain: "example" },
    channel: { id: opts.channel, name: "approvals" },
    message: { type: "message", ts: opts.ts, ...(opts.message === undefined ? {} : (opts.message as object)) },
    response_url: "http://127.0.0.1:9/unused-response-url",
    actions: [{ type: "button", action_id: opts.actionId, block_id: "verdict", value: opts.value, action_ts: `${Date.now() / 1000}` }],
  };
}

/** A submitted modal, as Slack sends it (`view_submission`), with the view the app opened and the user's input. */
export function modalSubmission(opts: {
  user: string;
  team?: string;
  view: Record<string, any>;
  comment?: string;
  scope?: string;
}): Record<string, unknown> {
  const team = opts.team ?? TEAM;
  const values: Record<string, Record<string, unknown>> = {
    comment: { comment_input: { type: "plain_text_input", value: opts.comment ?? null } },
  };
  if (opts.scope !== undefined)
    values["scope"] = {
      scope_select: { type: "static_select", selected_option: { text: { type: "plain_text", text: "x" }, value: opts.scope } },
    };
  return {
    type: "view_submission",
    team: { id: team, domain: "example" },
    user: { id: opts.user, username: opts.user.toLowerCase(), team_id: team },
    api_app_id: "A0COUNTERSIGN",
    token: "legacy-verification-token",
    trigger_id: `${Date.now()}.trigger`,
    view: {
      id: "V0MODAL",
      team_id: team,
      type: "modal",
      ...opts.view,
      state: { values },
      hash: "1700000000.abc",
      app_id: "A0COUNTERSIGN",
      bot_id: "B0BOT",
    },
    response_urls: [],
  };
}
