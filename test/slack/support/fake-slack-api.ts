/**
 * Test helper: a local fake of the Slack Web API (`POST /api/<method>`) on a loopback port, recording every
 * call the app makes (method, bearer token, arguments with `blocks`/`view` parsed) and answering as Slack
 * does for the methods the app uses (and `auth.test`, which Bolt calls to authorize each inbound request). `fail(method)` makes a method answer a platform error.
 */

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parse as parseQuery } from "node:querystring";

/** One recorded Web API call. */
export interface SlackCall {
  readonly method: string;
  readonly token: string | undefined;
  readonly args: Record<string, any>;
  /** The raw body as sent. */
  readonly raw: string;
}

/** A running fake. */
export interface FakeSlackApi {
  /** The base URL to configure as `slack.api_url` (`http://127.0.0.1:PORT/api/`). */
  readonly url: string;
  calls(method?: string): SlackCall[];
  reset(): void;
  /** Answers `method` with `{ok: false, error}` until reset. */
  fail(method: string, error?: string): void;
  /** Leaves calls to `method` unanswered until `release()` or `reset()`; how many are waiting is `held()`. */
  hold(method: string): void;
  held(): number;
  release(): void;
  close(): Promise<void>;
}

/** Starts the fake on a free loopback port. */
export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  const calls: SlackCall[] = [];
  const failing = new Map<string, string>();
  const holding = new Set<string>();
  const waiting: (() => void)[] = [];
  let ts = 0;
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (raw += chunk));
    req.on("end", () => {
      const method = (req.url ?? "").replace(/^\/api\//, "").split("?")[0]!;
      const type = req.headers["content-type"] ?? "";
      const args: Record<string, any> = type.includes("application/json") ? (raw === "" ? {} : JSON.parse(raw)) : { ...parseQuery(raw) };
      for (const key of ["blocks", "view", "attachments"]) {
        if (typeof args[key] === "string") args[key] = JSON.parse(args[key] as string);
      }
      const auth = req.headers["authorization"];
      calls.push({ method, token: typeof auth === "string" ? auth.replace(/^Bearer /, "") : undefined, args, raw });
      res.setHeader("content-type", "application/json");
      if (holding.has(method)) {
        waiting.push(() => answer(method, args, res));
        return;
      }
      answer(method, args, res);
    });
  });
  const answer = (method: string, args: Record<string, any>, res: import("node:http").ServerResponse): void => {
    const error = failing.get(method);
    if (error !== undefined) return void res.end(JSON.stringify({ ok: false, error }));
    switch (method) {
      case "chat.postMessage":
        return void res.end(
          JSON.stringify({
            ok: true,
            channel: args["channel"],
            ts: `1700000000.${String(++ts).padStart(6, "0")}`,
            message: { text: args["text"] },
          }),
        );
      case "chat.update":
        return void res.end(JSON.stringify({ ok: true, channel: args["channel"], ts: args["ts"], text: args["text"] }));
      case "chat.postEphemeral":
        return void res.end(JSON.stringify({ ok: true, message_ts: `1700000001.${String(++ts).padStart(6, "0")}` }));
      case "auth.test":
        return void res.end(
          JSON.stringify({
            ok: true,
            url: "https://example.slack.com/",
            team: "Example",
            user: "countersign",
            team_id: "T0DE7C0DE",
            user_id: "U0BOTUSER",
            bot_id: "B0BOT",
          }),
        );
      case "views.open":
        return void res.end(JSON.stringify({ ok: true, view: { id: `V${++ts}`, ...(args["view"] as object) } }));
      default:
        return void res.end(JSON.stringify({ ok: false, error: "unknown_method" }));
    }
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls: (method?: string) => (method === undefined ? [...calls] : calls.filter((c) => c.method === method)),
    reset: () => {
      calls.splice(0);
      failing.clear();
      holding.clear();
      for (const go of waiting.splice(0)) go();
    },
    hold: (method) => void holding.add(method),
    held: () => waiting.length,
    release: () => {
      holding.clear();
      for (const go of waiting.splice(0)) go();
    },
    fail: (method, error = "internal_error") => void failing.set(method, error),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
