/**
 * The document a decision policy evaluates (`input` in Rego): the request plus what the service knows,
 * the authenticated caller and the server's time.
 */

import type { Principal } from "../identity/principal";
import type { DecideRequest } from "./decide-request";

/** The caller as the policy sees it. */
export interface PolicyCaller {
  readonly id: string;
  readonly kind: Principal["kind"];
  readonly roles: readonly string[];
  readonly owner?: string;
}

/** `input` for `data.countersign.decision`. */
export interface PolicyInput {
  readonly actor: DecideRequest["actor"];
  readonly action: DecideRequest["action"];
  readonly resource: DecideRequest["resource"];
  /** The request's context, `{}` when it sent none. */
  readonly context: Readonly<Record<string, unknown>>;
  readonly idempotency_key?: string;
  readonly caller: PolicyCaller;
  /** Server time, RFC 3339 in UTC (`2026-11-21T12:00:00.000Z`). */
  readonly now: string;
}

/** Builds the policy input; `now` is the instant of the decision. The `grant` and `callback_url` are not the policy's business. */
export function buildPolicyInput(request: DecideRequest, caller: Principal, now: Date): PolicyInput {
  return {
    actor: request.actor,
    action: request.action,
    resource: request.resource,
    context: request.context ?? {},
    ...(request.idempotency_key === undefined ? {} : { idempotency_key: request.idempotency_key }),
    caller: {
      id: caller.id,
      kind: caller.kind,
      roles: caller.roles,
      ...(caller.owner === undefined ? {} : { owner: caller.owner }),
    },
    now: now.toISOString(),
  };
}
