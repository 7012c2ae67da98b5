/**
 * The hidden-tools query: which of an MCP gateway's tools the policy denies for this agent outright, so the
 * gateway can leave them out of `tools/list`. It asks the serving policy's optional
 * `countersign/mcp_hidden_tools` entrypoint and nothing else: it opens no approval request, spends no grant
 * and records no decision (it permits nothing: every `tools/call` is still a decision of its own, so a tool
 * that is listed is not thereby allowed, and a tool that is hidden is still denied when called).
 *
 * Input the rule sees: `{actor, tools, context, caller, now}`, where `tools` is a list of resources exactly as
 * a call's `resource` would be (`{type: "mcp_tool", id: "<upstream>/<tool>", annotations, environment?}`).
 * Value: a set (or array) of tool ids to hide; ids the query did not list are ignored. A policy without the
 * entrypoint, or one that leaves it undefined, hides nothing. An evaluation failure or a value of another
 * shape is an error (`COUNTERSIGN_POLICY_UNAVAILABLE`), never an empty answer, so the caller knows the
 * listing was not filtered.
 */

import type { EntrypointEvaluation } from "../engine/policy-engine";
import type { PolicyRef } from "../engine/decision-contract";
import type { Principal } from "../identity/principal";
import type { Clock } from "../policy/clock";
import type { DecideRequest } from "./decide-request";
import { CodedError } from "../errors/coded-error";

/** The entrypoint consulted. */
export const HIDDEN_TOOLS_ENTRYPOINT = "countersign/mcp_hidden_tools";

/** A `POST /v1/mcp/hidden-tools` body. */
export interface HiddenToolsRequest {
  readonly actor: DecideRequest["actor"];
  /** The tools, each as a call's `resource` would be. */
  readonly tools: readonly { readonly type: string; readonly id: string; readonly [attribute: string]: unknown }[];
  readonly context?: Readonly<Record<string, unknown>>;
}

/** The answer. */
export interface HiddenToolsAnswer {
  /** Ids of listed tools the policy denies outright, in the order they were listed. */
  readonly hidden: readonly string[];
  /** Whether the serving policy has the entrypoint at all (false: nothing can be hidden). */
  readonly rule: boolean;
  readonly policy: PolicyRef | null;
}

/** What the query needs from the policy engine (consumer-owned; the engine implements it). */
export interface EntrypointPolicy {
  evaluateEntrypoint(entrypoint: string, input: unknown, logFields?: Record<string, unknown>): EntrypointEvaluation;
}

/** Thrown when the policy cannot answer; the HTTP layer answers 503 COUNTERSIGN_POLICY_UNAVAILABLE. */
export class HiddenToolsUnavailable extends CodedError<"COUNTERSIGN_POLICY_UNAVAILABLE"> {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super("COUNTERSIGN_POLICY_UNAVAILABLE", message, options);
  }
}

/** The use case. */
export type HiddenToolsQuery = (request: HiddenToolsRequest, caller: Principal) => HiddenToolsAnswer;

/** Creates the query over the serving policy. */
export function createHiddenToolsQuery(policy: EntrypointPolicy, clock: Clock): HiddenToolsQuery {
  return (request, caller) => {
    const input = {
      actor: request.actor,
      tools: request.tools,
      context: request.context ?? {},
      caller: { id: caller.id, kind: caller.kind, roles: caller.roles, ...(caller.owner === undefined ? {} : { owner: caller.owner }) },
      now: new Date(Number(clock.nowNs() / 1_000_000n)).toISOString(),
    };
    const result = policy.evaluateEntrypoint(HIDDEN_TOOLS_ENTRYPOINT, input, { caller: caller.id, actor: request.actor.id });
    switch (result.kind) {
      case "absent":
        return { hidden: [], rule: false, policy: result.policy };
      case "undefined":
        return { hidden: [], rule: true, policy: result.policy };
      case "failure":
        throw new HiddenToolsUnavailable(`the policy could not say which tools to hide: ${result.failure.message}`);
      case "value": {
        const value = result.value;
        if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
          throw new HiddenToolsUnavailable(`${HIDDEN_TOOLS_ENTRYPOINT} must be a set of tool ids (strings)`);
        }
        const named = new Set(value as string[]);
        return { hidden: request.tools.map((t) => t.id).filter((id) => named.has(id)), rule: true, policy: result.policy };
      }
    }
  };
}
