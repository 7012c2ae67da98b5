/**
 * Which events the trail already holds, for the approval recovery pass: the keys (`recordedKey`) of every
 * entry recorded since a time, read from the newest entry backwards.
 *
 * The pass runs only when something was left over after a crash, and asks about the last minutes, so this
 * reads the tail of the trail once per pass rather than searching it per event.
 */

import { recordedKey, type RecordedEvents } from "../approvals/journal-recovery";
import type { AuditReader } from "./audit-reader";
import { parseTimestamp } from "./audit-time";

/** Reads recorded events from the trail. */
export function recordedEventsOf(reader: AuditReader, pageSize = 1000): RecordedEvents {
  return {
    async recordedSince(sinceMs: number): Promise<ReadonlySet<string>> {
      const keys = new Set<string>();
      const sinceNs = BigInt(Math.max(0, Math.floor(sinceMs))) * 1_000_000n;
      let cursor: string | null = null;
      for (;;) {
        const page = await reader.readDescending(cursor, pageSize);
        if (page.length === 0) return keys;
        for (const rec of page) {
          let entry: Record<string, unknown>;
          try {
            entry = JSON.parse(rec.line) as Record<string, unknown>;
          } catch {
            continue;
          }
          const at = typeof entry["timestamp"] === "string" ? parseTimestamp(entry["timestamp"]) : null;
          if (at !== null && at < sinceNs) return keys;
          const key = keyOf(entry);
          if (key !== null) keys.add(key);
        }
        cursor = page[page.length - 1]!.id;
      }
    },
  };
}

function keyOf(e: Record<string, unknown>): string | null {
  const s = (name: string): string => (typeof e[name] === "string" ? (e[name] as string) : "");
  switch (e["type"]) {
    case "decision":
      return recordedKey.decision(s("decision_id"));
    case "approval.created":
      return recordedKey.created(s("approval_id"));
    case "approval.verdict":
      return recordedKey.verdict(s("approval_id"), s("reviewer"));
    case "approval.final":
      return recordedKey.final(s("approval_id"));
    case "approval.withdrawn":
      return recordedKey.withdrawn(s("approval_id"));
    case "grant.issued":
      return recordedKey.grantIssued(s("grant_id"));
    case "grant.redeemed":
      return recordedKey.grantRedeemed(s("grant_id"));
    default:
      return null;
  }
}
