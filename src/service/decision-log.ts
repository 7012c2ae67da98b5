/**
 * The decision log: one structured line per decision, carrying its id: info for deny and require_approval,
 * debug for allow, warn (with the failure) for a fail-closed deny. The engine itself logs each failure at
 * error level, tagged with the same decision id.
 *
 * Allows are logged at debug because they are the bulk of the traffic and the least actionable, and the
 * audit trail records every decision, allows included, durably and in order; the operational log stays
 * about what needs a person. Nothing is built for a line whose level is off (the decide path is hot).
 *
 * Info lines hold what was decided about (caller, actor, action name, resource) but never the request
 * body; the fields they do show are read from the request after masking, so a policy can hide any of
 * them. The full (masked) input is logged only at debug level, and only when the policy answered: after a
 * failure the policy's mask is unknown, so nothing of the body is logged.
 */

import type { PolicyInput } from "./policy-input";
import type { DecisionEvent, DecisionObserver } from "./decision-response";
import type { Logger } from "../observability/logger";
import { maskDocument } from "../json/document-masking";

/** An observer that logs every decision. */
export function decisionLog(logger: Logger): DecisionObserver {
  return {
    decided(event: DecisionEvent): void {
      const { decision, evaluated } = event;
      const failed = evaluated.failure !== undefined;
      if (!failed && decision.outcome === "allow" && decision.break_glass === undefined && !logger.isDebugEnabled()) return;
      const debug = logger.isDebugEnabled();
      // The line shows a few fields: mask just those, unless the whole input is logged (debug).
      const masked = maskDocument(debug ? event.input : shownFields(event.input), decision.mask);
      const fields = {
        decision_id: decision.decision_id,
        caller: event.caller.id,
        actor: { id: masked.actor?.id, type: masked.actor?.type, on_behalf_of: masked.actor?.on_behalf_of },
        action: masked.action?.name,
        resource: { type: masked.resource?.type, id: masked.resource?.id, environment: masked.resource?.environment },
        outcome: decision.outcome,
        reasons: decision.reasons,
        ...(evaluated.rule === undefined ? {} : { rule: evaluated.rule }),
        policy: decision.policy,
        eval_ms: evaluated.evalNs / 1e6,
      };
      if (decision.break_glass !== undefined) {
        const justification = event.request.break_glass?.justification;
        logger.warn("decision: BREAK-GLASS — allowed without approval; a post-hoc review is open", {
          ...fields,
          break_glass: { ...decision.break_glass, justification },
        });
        return;
      }
      if (evaluated.failure !== undefined) {
        logger.warn("decision: policy failed, answered deny (fail closed)", { ...fields, failure: evaluated.failure });
        return;
      }
      if (decision.outcome === "allow") logger.debug("decision", fields);
      else logger.info("decision", fields);
      if (debug) logger.debug("decision input", { decision_id: decision.decision_id, input: masked });
    },
  };
}

/**
 * The members of the input an info line shows, at the same places: masking this projection with the
 * policy's pointers gives those members exactly as masking the whole input would (a pointer to an
 * enclosing object masks it here too; pointers elsewhere name nothing here), without walking the body.
 */
function shownFields(input: PolicyInput): PolicyInput {
  const doc = input as unknown as Record<string, unknown>;
  const projection: Record<string, unknown> = {};
  for (const [member, fields] of SHOWN) {
    const value = doc[member];
    if (value === undefined) continue;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      projection[member] = value;
      continue;
    }
    const picked: Record<string, unknown> = {};
    for (const f of fields) if (Object.prototype.hasOwnProperty.call(value, f)) picked[f] = (value as Record<string, unknown>)[f];
    projection[member] = picked;
  }
  return projection as unknown as PolicyInput;
}

/** The input members an info line shows, and which of their fields. */
const SHOWN: readonly (readonly [string, readonly string[]])[] = [
  ["actor", ["id", "type", "on_behalf_of"]],
  ["action", ["name"]],
  ["resource", ["type", "id", "environment"]],
];
