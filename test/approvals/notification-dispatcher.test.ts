/**
 * The notification outbox and its dispatcher on a real redis-server: entries are written by the scripts in
 * the same step as the change (and not at all when notifications are off); several changes to one request
 * read together are delivered once, as the request is now; a failing channel is retried with back-off and
 * then given up; two instances' dispatchers deliver each entry once between them.
 */

import type Redis from "ioredis";
import { ApprovalEventBus } from "../../src/approvals/approval-events";
import { ApprovalKeys } from "../../src/approvals/approval-keys";
import { ApprovalService } from "../../src/approvals/approval-service";
import { NotificationDispatcher, type ApprovalNotification, type NotificationSink } from "../../src/approvals/notification-dispatcher";
import { RedisApprovalStore } from "../../src/approvals/redis-approval-store";
import { useRedisServer } from "../support/redis-server";
import { alice, carol, dave, exportRequest, TestClock, twoSecurity } from "./approval-fixtures";

const redis = useRedisServer({ flushBetweenTests: true });
const keys = new ApprovalKeys();

function world(conn: Redis, notifications = true): { service: ApprovalService; store: RedisApprovalStore } {
  const store = new RedisApprovalStore(conn, { notifications });
  let n = 0;
  const prefix = Math.random().toString(36).slice(2, 8);
  const service = new ApprovalService({
    store,
    clock: new TestClock(),
    ids: { newId: () => `apr_${prefix}_${++n}` },
    events: new ApprovalEventBus([]),
  });
  return { service, store };
}

/** A sink that records what it was given and answers from a script of outcomes (then "done"). */
function recordingSink(outcomes: ("done" | "retry" | "throw")[] = []): NotificationSink & { seen: ApprovalNotification[] } {
  const seen: ApprovalNotification[] = [];
  return {
    seen,
    async deliver(n) {
      seen.push(n);
      const next = outcomes.shift() ?? "done";
      if (next === "throw") throw new Error("channel down");
      return next;
    },
  };
}

function dispatcher(
  conn: Redis,
  store: RedisApprovalStore,
  sink: NotificationSink,
  extra: Partial<ConstructorParameters<typeof NotificationDispatcher>[0]> = {},
): NotificationDispatcher {
  return new NotificationDispatcher({
    redis: conn,
    keys,
    read: (id) => store.get(id),
    sink,
    consumer: "c1",
    initialBackoffMs: 50,
    maxBackoffMs: 200,
    ...extra,
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("writes an entry with each change, and none when notifications are off", async () => {
  const on = world(redis.connect());
  const { approval } = await on.service.createFromDecision(exportRequest());
  expect(await redis.connect().xlen(keys.notify)).toBe(1); // created (once the decision is recorded)
  await on.service.castVerdict({ approvalId: approval.id, reviewer: alice, verdict: "approve", channel: "api" });
  const entries = (await redis.connect().xrange(keys.notify, "-", "+")).map(([, f]) => `${f[1]}:${f[5]}`);
  expect(entries).toEqual(["created:1", "changed:2"]);

  await redis.connect().del(keys.notify);
  const off = world(redis.connect(), false);
  const other = await off.service.createFromDecision(exportRequest({ decisionId: "dec_off" }));
  await off.service.castVerdict({ approvalId: other.approval.id, reviewer: alice, verdict: "approve", channel: "api" });
  expect(await redis.connect().xlen(keys.notify)).toBe(0);
});

it("delivers the changes read together for one request once, as the request is now, and empties the outbox", async () => {
  const { service, store } = world(redis.connect());
  const { approval } = await service.createFromDecision(exportRequest({ requirements: twoSecurity }));
  await service.castVerdict({ approvalId: approval.id, reviewer: carol, verdict: "approve", channel: "api" });
  await service.castVerdict({ approvalId: approval.id, reviewer: dave, verdict: "approve", channel: "api" });
  const sink = recordingSink();
  expect(await dispatcher(redis.connect(), store, sink).runOnce()).toBe(1);
  expect(sink.seen).toHaveLength(1);
  expect(sink.seen[0]!.kind).toBe("created");
  expect(sink.seen[0]!.approval.status).toBe("approved");
  expect(await redis.connect().xlen(keys.notify)).toBe(0);
});

it("retries a failing channel with back-off, then delivers; gives up after the last attempt", async () => {
  const { service, store } = world(redis.connect());
  const a = (await service.createFromDecision(exportRequest())).approval;
  const sink = recordingSink(["retry", "throw", "done"]);
  const errors: unknown[] = [];
  const d = dispatcher(redis.connect(), store, sink, { onError: (e) => errors.push(e) });
  expect(await d.runOnce()).toBe(0); // retry
  expect(await d.runOnce()).toBe(0); // not due yet: nothing handed out again
  expect(sink.seen).toHaveLength(1);
  await sleep(60);
  expect(await d.runOnce()).toBe(0); // thrown: retried later
  expect(errors).toHaveLength(1);
  await sleep(120);
  expect(await d.runOnce()).toBe(1);
  expect(sink.seen.map((n) => n.approval.id)).toEqual([a.id, a.id, a.id]);
  expect(await redis.connect().xlen(keys.notify)).toBe(0);

  const b = (
    await service.createFromDecision(
      exportRequest({
        decisionId: "dec_b",
        request: { ...exportRequest().request, action: { name: "db.export", params: { table: "b" } } },
      }),
    )
  ).approval;
  const given: [string, number][] = [];
  const down = recordingSink(Array(10).fill("retry"));
  const d2 = dispatcher(redis.connect(), store, down, { maxAttempts: 3, onGiveUp: (id, n) => given.push([id, n]) });
  for (let i = 0; i < 3; i++) {
    await d2.runOnce();
    await sleep(210);
  }
  expect(down.seen).toHaveLength(3);
  expect(given).toEqual([[b.id, 3]]);
  expect(await redis.connect().xlen(keys.notify)).toBe(0);
});

it("two instances' dispatchers deliver each entry once between them", async () => {
  const { service, store } = world(redis.connect());
  const ids: string[] = [];
  for (let i = 0; i < 40; i++)
    ids.push(
      (
        await service.createFromDecision(
          exportRequest({
            decisionId: `dec_${i}`,
            request: { ...exportRequest().request, action: { name: "db.export", params: { table: `t${i}` } } },
          }),
        )
      ).approval.id,
    );
  const sink = recordingSink();
  const one = dispatcher(redis.connect(), store, sink, { consumer: "one", blockMs: 50 });
  const two = dispatcher(redis.connect(), store, sink, { consumer: "two", blockMs: 50 });
  one.start();
  two.start();
  const until = Date.now() + 10_000;
  while (sink.seen.length < ids.length && Date.now() < until) await sleep(20);
  await sleep(200);
  await Promise.all([one.stop(), two.stop()]);
  expect(sink.seen.map((n) => n.approval.id).sort()).toEqual([...ids].sort());
});

it("delivers different requests side by side (a slow channel does not serialise them), up to the concurrency", async () => {
  const { service, store } = world(redis.connect());
  for (let i = 0; i < 12; i++) {
    await service.createFromDecision(
      exportRequest({
        decisionId: `dec_c${i}`,
        request: { ...exportRequest().request, action: { name: "db.export", params: { table: `c${i}` } } },
      }),
    );
  }
  let inFlight = 0;
  let peak = 0;
  const seen: string[] = [];
  const slow: NotificationSink = {
    async deliver(n) {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await sleep(30);
      seen.push(n.approval.id);
      inFlight--;
      return "done";
    },
  };
  expect(await dispatcher(redis.connect(), store, slow, { concurrency: 4 }).runOnce()).toBe(12);
  expect(seen).toHaveLength(12);
  expect(peak).toBe(4);
});
