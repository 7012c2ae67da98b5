/**
 * Benchmark child process: a fake Bot Connector (the `serviceUrl` Teams gives a bot) on a loopback port it
 * reports to the parent over IPC, answering the Bot Framework REST calls the service's Teams bot makes
 * either at once or after a delay the parent sets.
 *
 * It runs in a process of its own so that answering the service's card posts costs the load generator
 * nothing. The parent sends `{ delayMs }` to change how long every answer waits (acknowledged with the same
 * message) and `"counts"` to read how many calls of each kind arrived so far.
 */

import type { AddressInfo } from "node:net";
import express from "express";

/** How many calls of each kind the fake answered. */
export interface ConnectorCounts {
  /** New conversation messages (card posts): `POST /v3/conversations/:id/activities`. */
  readonly posts: number;
  /** Replies: `POST /v3/conversations/:id/activities/:activityId`. */
  readonly replies: number;
  /** In-place updates: `PUT /v3/conversations/:id/activities/:activityId`. */
  readonly updates: number;
  /** Calls to routes the Bot Connector does not have. */
  readonly unknown: number;
}

let delayMs = 0;
let nextId = 1;
const counts = { posts: 0, replies: 0, updates: 0, unknown: 0 };

/** Answers now, or after the current delay (a slow Bot Connector). */
function later(answer: () => void): void {
  if (delayMs > 0) setTimeout(answer, delayMs);
  else answer();
}

const app = express();
app.disable("x-powered-by");
app.use(express.text({ type: () => true, limit: "2mb" }));
app.post("/v3/conversations/:conversationId/activities", (_req, res) => {
  counts.posts++;
  later(() => res.status(201).json({ id: `act-${nextId++}` }));
});
app.post("/v3/conversations/:conversationId/activities/:activityId", (_req, res) => {
  counts.replies++;
  later(() => res.status(201).json({ id: `act-${nextId++}` }));
});
app.put("/v3/conversations/:conversationId/activities/:activityId", (req, res) => {
  counts.updates++;
  later(() => res.status(200).json({ id: req.params["activityId"] }));
});
app.get("/v3/conversations/:conversationId/members", (_req, res) => later(() => res.json([])));
app.get("/v3/conversations/:conversationId/pagedmembers", (_req, res) => later(() => res.json({ members: [] })));
app.get("/v3/conversations/:conversationId/members/:memberId", (_req, res) =>
  later(() => res.status(404).json({ error: { code: "MemberNotFoundInConversation", message: "no such member" } })),
);
app.use((req, res) => {
  counts.unknown++;
  res.status(404).json({ error: { code: "NotFound", message: `fake Bot Connector has no route ${req.method} ${req.path}` } });
});

const server = app.listen(0, "127.0.0.1", () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on("message", (m: unknown) => {
  if (m === "counts") process.send?.({ counts });
  else if (typeof m === "object" && m !== null && typeof (m as { delayMs?: unknown }).delayMs === "number") {
    delayMs = (m as { delayMs: number }).delayMs;
    process.send?.({ delayMs });
  }
});
process.on("disconnect", () => process.exit(0));
