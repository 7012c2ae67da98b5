/**
 * A `decision` entry of the audit trail read back for replay: its id, when and under which bundle it was
 * made, the policy input as stored (masked values as `{"$masked": "sha256:…"}` digests), and what the policy
 * itself answered.
 *
 * Both decision entry shapes are read (`src/audit/decision-entry.ts`: version 1 stored the answer in full,
 * version 2 only what cannot be derived). The trail stores the answer given, which is not always the policy's: a redeemed grant or break-glass makes
 * an allow of the policy's `require_approval`, and a refused grant or an unavailable approval store a deny
 * (with a `code`). Replay compares policies, so those are read back as `require_approval`.
 */

import { decisionView } from "../audit/decision-entry";
import type { Outcome } from "../engine/decision-contract";

/** One recorded decision. */
export interface RecordedDecision {
  readonly seq: number | null;
  readonly decisionId: string;
  readonly timestamp: string;
  /** `{bundle: revision}` of the bundle that answered (empty when none was loaded). */
  readonly bundles: Readonly<Record<string, string>>;
  readonly input: unknown;
  /** The policy's own outcome (see the file comment). */
  readonly outcome: Outcome;
  /** Pointers into the input (`/action/params/query`) whose values the trail holds only as digests. */
  readonly masked: readonly string[];
}

const OUTCOMES = new Set(["allow", "deny", "require_approval"]);

/** The decision an entry's JSON text records, or null for any other entry (or a line that is not an entry). */
export function recordedDecisionOf(line: string): RecordedDecision | null {
  let e: Record<string, unknown>;
  try {
    e = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (
    e === null ||
    typeof e !== "object" ||
    e["type"] !== "decision" ||
    typeof e["decision_id"] !== "string" ||
    !OUTCOMES.has(e["outcome"] as string)
  )
    return null;
  // Either entry shape: a version 2 entry's answer (`result`) is derived in part from its other members.
  e = decisionView(e);
  const result = (e["result"] ?? {}) as Record<string, unknown>;
  const answered = e["outcome"] as Outcome;
  const madeByCountersign =
    result["grant"] !== undefined ||
    result["break_glass"] !== undefined ||
    (answered === "deny" && typeof result["code"] === "string" && e["failure"] === undefined);
  const bundles: Record<string, string> = {};
  for (const [name, v] of Object.entries((e["bundles"] ?? {}) as Record<string, { revision?: unknown }>)) {
    if (typeof v?.revision === "string") bundles[name] = v.revision;
  }
  const masked = Array.isArray(e["masked"])
    ? (e["masked"] as unknown[])
        .filter((p): p is string => typeof p === "string" && p.startsWith("/input/"))
        .map((p) => p.slice("/input".length))
    : [];
  return {
    seq: typeof e["seq"] === "number" ? e["seq"] : null,
    decisionId: e["decision_id"] as string,
    timestamp: typeof e["timestamp"] === "string" ? e["timestamp"] : "",
    bundles,
    input: e["input"],
    outcome: madeByCountersign ? "require_approval" : answered,
    masked,
  };
}
