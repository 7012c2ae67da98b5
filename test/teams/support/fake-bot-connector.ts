/**
 * Test double of the Bot Connector service (the `serviceUrl` Teams gives the bot): a real HTTP server on
 * 127.0.0.1 that answers the Bot Framework REST calls the bot makes and records every one of them.
 *
 * A call to a route the real service does not have is answered 404 and recorded as unknown; the suite fails
 * a test that made one. With `expectAuthorization`, calls without that bearer token are answered 401.
 */

import express from "express";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";

/** One recorded call. */
export interface ConnectorCall {
  readonly method: string;
  /** Decoded path, e.g. `/v3/conversations/19:abc@thread.tacv2/activities/act-1`. */
  readonly path: string;
  readonly conversationId?: string;
  readonly activityId?: string;
  readonly body: unknown;
  /** The raw request body as it arrived. */
  readonly raw: string;
  readonly authorization?: string;
}

/** A running fake connector. */
export interface FakeBotConnector {
  /** The service URL to put in activities (ends with `/`). */
  readonly serviceUrl: string;
  readonly calls: ConnectorCall[];
  /** Calls to routes the Bot Connector does not have. */
  readonly unknown: ConnectorCall[];
  /** New conversation messages: `POST /v3/conversations/{id}/activities`. */
  posts(): ConnectorCall[];
  /** Replies: `POST /v3/conversations/{id}/activities/{activityId}`. */
  replies(): ConnectorCall[];
  /** In-place updates: `PUT /v3/conversations/{id}/activities/{activityId}`. */
  updates(): ConnectorCall[];
  /** Answers the next `count` calls of `method` with `status` instead. */
  failNext(method: "POST" | "PUT", status: number, count?: number): void;
  /** Leaves calls of `method` unanswered (recorded, the connection open) until the returned function is called. */
  hold(method: "POST" | "PUT"): () => void;
  /** Answers calls of `method` after `ms` (a slow Bot Connector). */
  delay(method: "POST" | "PUT", ms: number): void;
  /** Forgets recorded calls. */
  reset(): void;
  close(): Promise<void>;
}

/** Members the fake reports for any conversation. */
export interface FakeMember {
  readonly id: string;
  readonly name: string;
  readonly aadObjectId: string;
}

/** Starts a fake connector on 127.0.0.1, port 0. */
export async function startFakeBotConnector(
  options: { expectAuthorization?: string; members?: readonly FakeMember[] } = {},
): Promise<FakeBotConnector> {
  const calls: ConnectorCall[] = [];
  const unknown: ConnectorCall[] = [];
  const failures: { method: string; status: number }[] = [];
  const held = new Map<string, (() => void)[]>();
  const delays = new Map<string, number>();
  let nextId = 1;

  const app = express();
  app.use(express.text({ type: () => true, limit: "2mb" }));

  const record = (req: express.Request): ConnectorCall => {
    const raw = typeof req.body === "string" ? req.body : "";
    let body: unknown = raw;
    try {
      body = raw === "" ? undefined : JSON.parse(raw);
    } catch {
      // keep the text
    }
    const params = req.params as Record<string, string | undefined>;
    const call: ConnectorCall = {
      method: req.method,
      path: decodeURIComponent(req.path),
      ...(params["conversationId"] === undefined ? {} : { conversationId: params["conversationId"] }),
      ...(params["activityId"] === undefined ? {} : { activityId: params["activityId"] }),
      body,
      raw,
      ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }),
    };
    calls.push(call);
    return call;
  };

  /** Applies the auth expectation and injected failures; true when the call was answered already. */
  const intercept = (req: express.Request, res: express.Response): boolean => {
    if (options.expectAuthorization !== undefined && req.headers.authorization !== options.expectAuthorization) {
      res.status(401).json({ error: { code: "Unauthorized", message: "bad or missing bot token" } });
      return true;
    }
    const index = failures.findIndex((f) => f.method === req.method);
    if (index !== -1) {
      const [failure] = failures.splice(index, 1);
      // Retry-After: 0 lets botbuilder's HTTP pipeline retry throttling at once instead of after seconds.
      if (failure!.status === 429 || failure!.status === 503) res.setHeader("retry-after", "0");
      res.status(failure!.status).json({ error: { code: "Injected", message: `injected ${failure!.status}` } });
      return true;
    }
    return false;
  };

  const members = options.members ?? [];

  /** Runs `answer` now, after the configured delay, or when the hold on the method is released. */
  const respond = (req: express.Request, answer: () => void): void => {
    const queue = held.get(req.method);
    if (queue !== undefined) queue.push(answer);
    else if ((delays.get(req.method) ?? 0) > 0) setTimeout(answer, delays.get(req.method));
    else answer();
  };

  app.post("/v3/conversations/:conversationId/activities", (req, res) => {
    record(req);
    if (intercept(req, res)) return;
    respond(req, () => res.status(201).json({ id: `act-${nextId++}` }));
  });
  app.post("/v3/conversations/:conversationId/activities/:activityId", (req, res) => {
    record(req);
    if (intercept(req, res)) return;
    res.status(201).json({ id: `act-${nextId++}` });
  });
  app.put("/v3/conversations/:conversationId/activities/:activityId", (req, res) => {
    const call = record(req);
    if (intercept(req, res)) return;
    respond(req, () => res.status(200).json({ id: call.activityId }));
  });
  app.get("/v3/conversations/:conversationId/members", (req, res) => {
    record(req);
    if (intercept(req, res)) return;
    res.json(members);
  });
  app.get("/v3/conversations/:conversationId/pagedmembers", (req, res) => {
    record(req);
    if (intercept(req, res)) return;
    res.json({ members });
  });
  app.get("/v3/conversations/:conversationId/members/:memberId", (req, res) => {
    record(req);
    if (intercept(req, res)) return;
    const member = members.find((m) => m.id === req.params["memberId"] || m.aadObjectId === req.params["memberId"]);
    if (member === undefined) res.status(404).json({ error: { code: "MemberNotFoundInConversation", message: "no such member" } });
    else res.json(member);
  });
  app.use((req, res) => {
    unknown.push(record(req));
    res.status(404).json({ error: { code: "NotFound", message: `fake Bot Connector has no route ${req.method} ${req.path}` } });
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;

  return {
    serviceUrl: `http://127.0.0.1:${port}/`,
    calls,
    unknown,
    posts: () => calls.filter((c) => c.method === "POST" && c.conversationId !== undefined && c.activityId === undefined),
    replies: () => calls.filter((c) => c.method === "POST" && c.activityId !== undefined),
    updates: () => calls.filter((c) => c.method === "PUT"),
    failNext: (method, status, count = 1) => {
      for (let i = 0; i < count; i++) failures.push({ method, status });
    },
    hold: (method) => {
      const queue: (() => void)[] = [];
      held.set(method, queue);
      return () => {
        held.delete(method);
        for (const answer of queue.splice(0)) answer();
      };
    },
    delay: (method, ms) => {
      delays.set(method, ms);
    },
    reset: () => {
      calls.splice(0);
      unknown.splice(0);
      failures.splice(0);
      delays.clear();
      for (const [method, queue] of [...held]) {
        held.delete(method);
        for (const answer of queue.splice(0)) answer();
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
