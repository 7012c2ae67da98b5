/**
 * One notification sink over several channels (Teams and Slack), for the single notification outbox: each
 * notification goes to every channel; when one fails, the entry is retried, and the retry goes only to the
 * channels that have not taken it yet, so a Slack outage does not repeat a Teams reminder (and the reverse).
 *
 * Which channel took what is remembered in this instance only (a bounded set): after a restart, or when
 * another instance claims the retry, the channels are told again. Posts and updates are idempotent there
 * (versions only move forward); a reminder may then be said twice, which is the at-least-once promise.
 */

import type { ApprovalNotification, NotificationSink } from "./notification-dispatcher";

/** How many delivered (channel, notification) pairs are remembered. */
const REMEMBERED = 10_000;

/** A sink that delivers to every one of `sinks`. */
export function fanOutSink(sinks: readonly NotificationSink[]): NotificationSink {
  if (sinks.length === 1) return sinks[0]!;
  const delivered = new Set<string>();
  return {
    async deliver(n: ApprovalNotification): Promise<"done" | "retry"> {
      const id = `${n.approval.id}|${n.kind}|${n.number ?? ""}|${n.approval.version}`;
      let outcome: "done" | "retry" = "done";
      for (const [i, sink] of sinks.entries()) {
        const key = `${i}|${id}`;
        if (delivered.has(key)) continue;
        let result: "done" | "retry";
        try {
          result = await sink.deliver(n);
        } catch {
          result = "retry";
        }
        if (result === "retry") {
          outcome = "retry";
          continue;
        }
        delivered.add(key);
        if (delivered.size > REMEMBERED) delivered.delete(delivered.values().next().value as string);
      }
      if (outcome === "done") for (const i of sinks.keys()) delivered.delete(`${i}|${id}`);
      return outcome;
    },
  };
}
