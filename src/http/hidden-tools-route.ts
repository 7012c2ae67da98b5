/**
 * `POST /v1/mcp/hidden-tools`: which of the listed MCP tools the serving policy denies for this actor
 * outright (`src/service/hidden-tools.ts`), for the MCP gateway's `tools/list`. Authenticated and validated
 * like `/v1/decide` (the same actor rules), but read-only: no approval request, no grant, no audit record.
 * Body `{actor, tools: [<resource>…], context?}`; answer `{hidden: [ids], rule, policy}`; 503
 * COUNTERSIGN_POLICY_UNAVAILABLE when the policy cannot answer.
 */

import type { Request, RequestHandler, Response } from "express";
import type { DecideRequest } from "../service/decide-request";
import { HiddenToolsUnavailable, type HiddenToolsQuery, type HiddenToolsRequest } from "../service/hidden-tools";
import { DECIDE_REQUEST_SCHEMA } from "./api-schemas";
import { principalOf } from "./authenticate";
import type { RequesterCheck } from "./decide-route";
import { HttpError } from "./http-error";
import { createBodyValidator } from "./request-validator";

/** The most tools one query may list. */
export const HIDDEN_TOOLS_MAX = 1000;

/** The body's schema: the decide request's actor, resource and context rules. */
export const HIDDEN_TOOLS_REQUEST_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "HiddenToolsRequest",
  type: "object",
  additionalProperties: false,
  required: ["actor", "tools"],
  properties: {
    actor: DECIDE_REQUEST_SCHEMA.properties.actor,
    tools: {
      type: "array",
      maxItems: HIDDEN_TOOLS_MAX,
      items: DECIDE_REQUEST_SCHEMA.properties.resource,
      description: "Each tool as a call's `resource` would be.",
    },
    context: DECIDE_REQUEST_SCHEMA.properties.context,
  },
} as const;

/** The final handler (authentication and body parsing run before it). */
export function hiddenToolsHandler(query: HiddenToolsQuery | undefined, requesters?: RequesterCheck): RequestHandler {
  const validate = createBodyValidator<HiddenToolsRequest>(HIDDEN_TOOLS_REQUEST_SCHEMA);
  return async (req: Request, res: Response): Promise<void> => {
    if (query === undefined) throw new HttpError("COUNTERSIGN_POLICY_UNAVAILABLE", "no policy answers this query here");
    const body = validate(req.body);
    // The same identity rules as a decision about the same actor.
    const problem =
      requesters?.({
        actor: body.actor,
        action: { name: "mcp:tools/list" },
        resource: { type: "mcp_tool_list", id: "*" },
      } as DecideRequest) ?? null;
    if (problem !== null)
      throw new HttpError(problem.code, problem.message, {
        field: problem.field,
        problems: [{ field: problem.field, message: problem.message }],
      });
    try {
      res.set("Cache-Control", "no-store").json(query(body, principalOf(res)));
    } catch (err) {
      if (err instanceof HiddenToolsUnavailable) throw new HttpError("COUNTERSIGN_POLICY_UNAVAILABLE", err.message);
      throw err;
    }
  };
}
