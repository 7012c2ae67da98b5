/**
 * The action digest: SHA-256 (hex) of the RFC 8785 (JCS) canonical JSON of `{actor, action, resource}`.
 *
 * It ties a grant to exactly the action that was approved: the same actor, action and resource give the
 * same digest whatever the key order or number formatting the caller used. Context (reason, ticket) is left
 * out on purpose, so the executor can present the action without restating why.
 */

import { createHash } from "node:crypto";
import { canonicalJson } from "../json/canonical-json";
import { ApprovalError } from "./approval-errors";

/** The parts of a request the digest covers. */
export interface DigestedAction {
  readonly actor: unknown;
  readonly action: unknown;
  readonly resource: unknown;
}

/** RFC 8785 canonical JSON of the digested parts; refuses values JSON cannot represent (NaN, Infinity). */
function canonicalActionJson(value: unknown): string {
  try {
    return canonicalJson(value);
  } catch (err) {
    throw new ApprovalError("COUNTERSIGN_INVALID_APPROVAL_REQUEST", `the request cannot be canonicalised: ${(err as Error).message}`);
  }
}

/** SHA-256 hex of the canonical JSON of `{actor, action, resource}` (other fields are ignored). */
export function actionDigest(input: DigestedAction): string {
  const text = canonicalActionJson({ actor: input.actor, action: input.action, resource: input.resource });
  return createHash("sha256").update(text, "utf8").digest("hex");
}
