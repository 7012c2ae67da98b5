/**
 * What the gateway needs from Countersign: decide, the read-only hidden-tools query, the approval
 * long-poll and cancel. The client SDK's `Countersign` (HTTP, the separate gateway process) has exactly this
 * shape; the in-process gateway (`in-process-gateway.ts`) answers `decide` through the service's own decide
 * use case instead. Failures are `CountersignError`s with the service's codes either way.
 */

import type { Countersign } from "../client/countersign-client";

/** The gateway's view of a Countersign service. */
export type DecisionClient = Pick<Countersign, "decide" | "hiddenTools" | "waitForApproval" | "cancel">;
