/**
 * What a reviewer was shown, as the trail keeps it: an `approval.verdict` entry's `shown` record carries the
 * view's digest and, when the channel kept it (Teams: the Adaptive Card sent; Slack: the message's
 * `{text, blocks}` sent; console: the request page model), the view itself as the exact canonical JSON text that was hashed. This file reads that record back
 * from an entry and checks that the view still hashes to the recorded digest.
 *
 * Why the view is a string and not a JSON object inside the entry: the trail masks every member named like a
 * secret wherever it stands in an event (`masking.ts`), and an entry is re-serialised canonically; a string
 * is stored byte for byte, so what an auditor prints is exactly what was hashed. The view was masked before
 * it was shown (that is what the reviewer saw), so keeping it leaks nothing the trail would otherwise hide.
 */

import { createHash } from "node:crypto";

/** One verdict's record of what its reviewer was shown, read from a trail entry. */
export interface ShownViewRecord {
  readonly seq: number | null;
  readonly timestamp?: string;
  readonly approvalId: string;
  readonly reviewer: string;
  readonly channel: string;
  readonly verdict: string;
  readonly comment?: string;
  /** Absent: the verdict recorded nothing of what was shown (an API verdict). */
  readonly shown?: {
    readonly version: number;
    readonly digest: string;
    readonly hidden: readonly string[];
    /** The kept view's text; absent when the channel kept only the digest. */
    readonly view?: string;
  };
}

/** How a kept view compares with its recorded digest. */
export type ViewCheck =
  | { readonly kind: "match"; readonly digest: string }
  | { readonly kind: "mismatch"; readonly recorded: string; readonly actual: string }
  | { readonly kind: "not-kept" }
  | { readonly kind: "not-shown" };

/** SHA-256 (hex) of a view's text: what `shown.digest` holds. */
export function viewDigest(view: string): string {
  return createHash("sha256").update(view, "utf8").digest("hex");
}

/** The `shown` record of an `approval.verdict` entry (parsed JSON); null for any other entry. */
export function shownViewOf(entry: unknown): ShownViewRecord | null {
  if (typeof entry !== "object" || entry === null) return null;
  const e = entry as Record<string, unknown>;
  if (e["type"] !== "approval.verdict" || typeof e["approval_id"] !== "string") return null;
  const text = (k: string): string => (typeof e[k] === "string" ? (e[k] as string) : "");
  const s = e["shown"];
  let shown: ShownViewRecord["shown"];
  if (typeof s === "object" && s !== null) {
    const r = s as Record<string, unknown>;
    shown = {
      version: typeof r["version"] === "number" ? r["version"] : -1,
      digest: typeof r["digest"] === "string" ? r["digest"] : "",
      hidden: Array.isArray(r["hidden"]) ? r["hidden"].filter((p): p is string => typeof p === "string") : [],
      // Anything but a string where the view belongs is kept as its JSON text, so the check reports the mismatch.
      ...(r["view"] === undefined ? {} : { view: typeof r["view"] === "string" ? r["view"] : JSON.stringify(r["view"]) }),
    };
  }
  return {
    seq: typeof e["seq"] === "number" ? e["seq"] : null,
    ...(typeof e["timestamp"] === "string" ? { timestamp: e["timestamp"] } : {}),
    approvalId: e["approval_id"],
    reviewer: text("reviewer"),
    channel: text("channel"),
    verdict: text("verdict"),
    ...(typeof e["comment"] === "string" ? { comment: e["comment"] } : {}),
    ...(shown === undefined ? {} : { shown }),
  };
}

/** Whether the kept view hashes to the recorded digest. */
export function checkShownView(record: ShownViewRecord): ViewCheck {
  if (record.shown === undefined) return { kind: "not-shown" };
  if (record.shown.view === undefined) return { kind: "not-kept" };
  const actual = viewDigest(record.shown.view);
  return actual === record.shown.digest ? { kind: "match", digest: actual } : { kind: "mismatch", recorded: record.shown.digest, actual };
}
