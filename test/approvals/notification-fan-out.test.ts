/**
 * The fan-out sink over Teams and Slack: every notification reaches every channel; a retry goes only to the
 * channel that failed, so the other is not told twice.
 */

import type { ApprovalNotification, NotificationSink } from "../../src/approvals/notification-dispatcher";
import { fanOutSink } from "../../src/approvals/notification-fan-out";
import type { ApprovalRequest } from "../../src/approvals/approval-request";

function recording(results: ("done" | "retry" | "throw")[]): NotificationSink & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    async deliver(n: ApprovalNotification) {
      seen.push(`${n.kind}:${n.number ?? ""}`);
      const r = results.shift() ?? "done";
      if (r === "throw") throw new Error("channel down");
      return r;
    },
  };
}

const remind = (version: number): ApprovalNotification => ({
  kind: "remind",
  number: 1,
  approval: { id: "apr_1", version } as unknown as ApprovalRequest,
});

it("retries only the channel that failed, then forgets", async () => {
  const teams = recording(["done"]);
  const slack = recording(["retry", "throw", "done"]);
  const sink = fanOutSink([teams, slack]);
  expect(await sink.deliver(remind(2))).toBe("retry");
  expect(await sink.deliver(remind(2))).toBe("retry");
  expect(await sink.deliver(remind(2))).toBe("done");
  expect(teams.seen).toEqual(["remind:1"]);
  expect(slack.seen).toEqual(["remind:1", "remind:1", "remind:1"]);
  // Done with it: the same notification again (a later redelivery) reaches both.
  expect(await sink.deliver(remind(2))).toBe("done");
  expect(teams.seen).toHaveLength(2);
});

it("one sink is passed through as it is", () => {
  const only = recording([]);
  expect(fanOutSink([only])).toBe(only);
});
