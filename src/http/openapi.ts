/**
 * The OpenAPI 3.1 document served at `GET /openapi.json`: every route, its request and response schemas,
 * the shared error body and the bearer security scheme. The schemas are the objects ajv validates with.
 */

import {
  APPROVAL_REQUIREMENTS_SCHEMA,
  DECIDE_REQUEST_SCHEMA,
  DECISION_APPROVAL_SCHEMA,
  DECISION_SCHEMA,
  ERROR_SCHEMA,
  READINESS_SCHEMA,
} from "./api-schemas";
import {
  APPROVAL_LIST_SCHEMA,
  APPROVAL_VIEW_SCHEMA,
  CANCEL_REQUEST_SCHEMA,
  GRANT_REDEEM_REQUEST_SCHEMA,
  JWKS_SCHEMA,
  REDEEMED_GRANT_SCHEMA,
  VERDICT_REQUEST_SCHEMA,
} from "./approval-schemas";
import { HIDDEN_TOOLS_REQUEST_SCHEMA } from "./hidden-tools-route";

const error = (description: string): object => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

const decideOperation = (operationId: string, summary: string): object => ({
  operationId,
  summary,
  description:
    "Asks whether an actor may perform an action on a resource. The policy (`data.countersign.decision`) sees the " +
    "request plus `caller` (the authenticated principal: id, kind, roles, owner) and `now` (server time, RFC 3339). " +
    "A policy that errors, is missing, returns an ill-formed decision or times out yields `deny` with a reason " +
    "(fail closed), never an error status. A `require_approval` answer opens an approval request (or returns the " +
    "caller's existing one for the same idempotency_key or pending action) and points to it in `approval`; if the " +
    'approval store is down the answer is `deny` ("approval store unavailable", code COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE). ' +
    'Every answer is recorded in the audit trail before it is given; when it cannot be, the answer is `deny` ("audit unavailable", ' +
    "code COUNTERSIGN_AUDIT_UNAVAILABLE), whatever the policy said. " +
    'A `grant` is redeemed only when the policy still requires approval: allow ("approved by …"), or deny with `code`.',
  tags: ["decisions"],
  security: [{ bearerAuth: [] }],
  requestBody: {
    required: true,
    content: {
      "application/json": {
        schema: { $ref: "#/components/schemas/DecideRequest" },
        example: {
          actor: { id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: "user:alice" },
          action: { name: "db.export", params: { table: "customers", rows: 10000 } },
          resource: { type: "database", id: "prod/customers", environment: "production" },
          context: { reason: "quarterly report", ticket: "OPS-1234" },
        },
      },
    },
  },
  responses: {
    "200": { description: "The decision.", content: { "application/json": { schema: { $ref: "#/components/schemas/Decision" } } } },
    "400": error(
      "COUNTERSIGN_INVALID_REQUEST: the body fails the schema (details name the field), or `actor.id` / `actor.on_behalf_of` is " +
        "not a valid identity id (invisible, bidi or control characters, mixed-script look-alikes, not kind:name); " +
        "COUNTERSIGN_UNKNOWN_IDENTITY: with identities.require_known_humans, `actor.on_behalf_of` (or a human actor's id) names no " +
        "configured human; COUNTERSIGN_MALFORMED_JSON; COUNTERSIGN_BODY_TOO_DEEP (objects and arrays nested deeper than " +
        "server.max_json_depth, `details.limit`). When the " +
        "policy requires approval: COUNTERSIGN_REASON_REQUIRED (no `context.reason` where the policy sets reason_required), " +
        "COUNTERSIGN_CALLBACK_NOT_ALLOWED (`callback_url` not https, or its host off the allow-list or resolving to a private address), " +
        "COUNTERSIGN_INVALID_APPROVAL_REQUEST. Nothing is stored.",
    ),
    "401": UNAUTHENTICATED,
    "408": error("COUNTERSIGN_REQUEST_TIMEOUT: the body did not arrive in full within server.body_timeout_ms; the connection is closed."),
    "413": error("COUNTERSIGN_PAYLOAD_TOO_LARGE: the body is larger than the configured limit."),
    "415": error("COUNTERSIGN_UNSUPPORTED_MEDIA_TYPE: the body is not application/json."),
    "422": error(
      "COUNTERSIGN_IDEMPOTENCY_KEY_REUSED: this caller used the idempotency_key for a different actor, action or resource (`details.approval_id`).",
    ),
    "500": error(
      "COUNTERSIGN_INTERNAL: an unexpected failure (never a policy failure, nor the approval store being down: those are a deny).",
    ),
  },
});

const UNAUTHENTICATED = {
  ...error(
    "COUNTERSIGN_UNAUTHENTICATED: no credentials, malformed credentials, an unknown API key or an invalid token. Nothing else is done.",
  ),
  headers: { "WWW-Authenticate": { schema: { type: "string" } } },
};

const json = (ref: string, description: string): object => ({
  description,
  content: { "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } },
});

const APPROVAL_ID = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string", pattern: "^[A-Za-z0-9_-]{1,128}$" },
  description: "The approval request's id (from the decision's `approval.id`).",
};

const UNAVAILABLE = error("COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE: Redis cannot be reached (or the service runs without one).");
const NOT_FOUND = error(
  "COUNTERSIGN_APPROVAL_NOT_FOUND: no such request, or the caller may not see it (only the creating caller and eligible reviewers may).",
);
const BODY_ERRORS = {
  "408": error("COUNTERSIGN_REQUEST_TIMEOUT: the body did not arrive in full within server.body_timeout_ms; the connection is closed."),
  "413": error("COUNTERSIGN_PAYLOAD_TOO_LARGE: the body is larger than the configured limit."),
  "415": error("COUNTERSIGN_UNSUPPORTED_MEDIA_TYPE: the body is not application/json."),
};

/** The approval workflow's routes. */
const approvalPaths = {
  "/v1/approvals/{id}": {
    get: {
      operationId: "getApproval",
      summary: "Read an approval request (long-poll with ?wait=)",
      description:
        "The creating caller sees the request whole and, once approved, the single-use `grant`; an eligible reviewer sees it with " +
        "the policy's `mask` fields and secret-named members as `[MASKED]`; anyone else gets 404. With `wait`, the answer comes as soon as the request changes " +
        "(on any instance) or is final, else after the wait with the current state.",
      tags: ["approvals"],
      security: [{ bearerAuth: [] }],
      parameters: [
        APPROVAL_ID,
        {
          name: "wait",
          in: "query",
          schema: { type: "number", minimum: 0 },
          description: "Seconds to wait for a change; capped to `approvals.max_wait_seconds` (default 60).",
        },
        {
          name: "since_version",
          in: "query",
          schema: { type: "integer", minimum: 0 },
          description: "Answer at once if the request's `version` is already above this; otherwise wait for the next change.",
        },
      ],
      responses: {
        "200": json("Approval", "The request as this caller sees it."),
        "400": error("COUNTERSIGN_INVALID_REQUEST: a query parameter is malformed (`details.parameter`)."),
        "401": UNAUTHENTICATED,
        "404": NOT_FOUND,
        "503": UNAVAILABLE,
      },
    },
  },
  "/v1/approvals/{id}/verdicts": {
    post: {
      operationId: "castVerdict",
      summary: "Approve or deny, as an authenticated reviewer",
      description:
        "Rules no policy can relax: the actor, the human it acts for (`on_behalf_of`), the caller and the caller's owner never count; " +
        "only people with an eligible role review; one verdict per person; one eligible deny denies. Refusals change nothing.",
      tags: ["approvals"],
      security: [{ bearerAuth: [] }],
      parameters: [APPROVAL_ID],
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: { $ref: "#/components/schemas/VerdictRequest" },
            example: { verdict: "approve", comment: "checked the ticket", scope: { count: 3 } },
          },
        },
      },
      responses: {
        "200": json("Approval", "The request after the verdict, as the reviewer sees it."),
        "400": error(
          "COUNTERSIGN_INVALID_VERDICT (verdict missing or not approve/deny), COUNTERSIGN_INVALID_REQUEST (unknown field, comment not a string, no body), " +
            "COUNTERSIGN_MALFORMED_JSON, COUNTERSIGN_COMMENT_TOO_LONG (`details.limit`), COUNTERSIGN_INVALID_APPROVAL_REQUEST (a malformed `scope`, or a scope with a deny).",
        ),
        "401": UNAUTHENTICATED,
        "403": error(
          "COUNTERSIGN_SELF_APPROVAL (a requester), COUNTERSIGN_NOT_ELIGIBLE (no eligible role, or not a person), COUNTERSIGN_REVIEWER_POLICY_REFUSED (the countersign/reviewer policy), " +
            "COUNTERSIGN_SCOPE_TOO_WIDE (a `scope` wider than the policy's `approval.max_scope`).",
        ),
        "404": NOT_FOUND,
        "409": error(
          "COUNTERSIGN_ALREADY_VOTED (this reviewer has a verdict on it), COUNTERSIGN_ALREADY_DECIDED (no longer pending), COUNTERSIGN_APPROVAL_CONFLICT (retry).",
        ),
        "410": error("COUNTERSIGN_EXPIRED: the request expired."),
        ...BODY_ERRORS,
        "503": UNAVAILABLE,
      },
    },
  },
  "/v1/approvals/{id}/cancel": {
    post: {
      operationId: "cancelApproval",
      summary: "Withdraw a pending request, as its creating caller",
      tags: ["approvals"],
      security: [{ bearerAuth: [] }],
      parameters: [APPROVAL_ID],
      requestBody: { required: false, content: { "application/json": { schema: { $ref: "#/components/schemas/CancelRequest" } } } },
      responses: {
        "200": json("Approval", "The cancelled request."),
        "400": error("COUNTERSIGN_INVALID_REQUEST, COUNTERSIGN_MALFORMED_JSON, COUNTERSIGN_COMMENT_TOO_LONG (the reason)."),
        "401": UNAUTHENTICATED,
        "403": error("COUNTERSIGN_NOT_REQUESTER: only the caller that created the request may cancel it."),
        "404": NOT_FOUND,
        "409": error("COUNTERSIGN_ALREADY_DECIDED: no longer pending."),
        "410": error("COUNTERSIGN_EXPIRED: the request expired."),
        ...BODY_ERRORS,
        "503": UNAVAILABLE,
      },
    },
  },
  "/v1/approvals": {
    get: {
      operationId: "listApprovals",
      summary: "Reviewer inbox: the pending requests the caller may decide",
      tags: ["approvals"],
      security: [{ bearerAuth: [] }],
      parameters: [
        { name: "status", in: "query", schema: { enum: ["pending"] }, description: "Only `pending` is listed (the default)." },
        {
          name: "limit",
          in: "query",
          schema: { type: "integer", minimum: 1, maximum: 100 },
          description: "At most this many (default 100).",
        },
        { name: "cursor", in: "query", schema: { type: "string", maxLength: 512 }, description: "`next_cursor` of the previous page." },
      ],
      responses: {
        "200": json(
          "ApprovalList",
          "Pending, unexpired requests this reviewer is eligible for and has not voted on, oldest first, masked, one page; the cost " +
            "follows the page, not the backlog.",
        ),
        "400": error(
          "COUNTERSIGN_INVALID_REQUEST: a query parameter is malformed (`details.parameter`); COUNTERSIGN_INVALID_APPROVAL_REQUEST: a cursor this inbox did not hand out.",
        ),
        "401": UNAUTHENTICATED,
        "503": UNAVAILABLE,
      },
    },
  },
  "/v1/grants/redeem": {
    post: {
      operationId: "redeemGrant",
      summary: "Spend a grant, as the executor of the approved action",
      description:
        "Single use: the grant must verify against the key in /.well-known/jwks.json, be unexpired and unspent, and have been issued " +
        "for exactly this actor, action and resource (RFC 8785 canonical JSON digest). The same grant presented to /v1/decide is spent there.",
      tags: ["approvals"],
      security: [{ bearerAuth: [] }],
      requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/GrantRedeemRequest" } } } },
      responses: {
        "200": json("RedeemedGrant", "The grant was valid and is now spent."),
        "400": error("COUNTERSIGN_INVALID_REQUEST, COUNTERSIGN_MALFORMED_JSON."),
        "401": {
          ...UNAUTHENTICATED,
          description:
            "COUNTERSIGN_UNAUTHENTICATED (the caller's credentials); COUNTERSIGN_GRANT_INVALID (not a Countersign grant: malformed, another key, tampered).",
        },
        "403": error("COUNTERSIGN_GRANT_MISMATCH: issued for a different actor, action or resource (the grant stays usable)."),
        "409": error("COUNTERSIGN_GRANT_REPLAYED: already used."),
        "410": error("COUNTERSIGN_GRANT_EXPIRED."),
        ...BODY_ERRORS,
        "503": error("COUNTERSIGN_GRANT_UNAVAILABLE or COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE: Redis cannot be reached."),
      },
    },
  },
  "/v1/mcp/hidden-tools": {
    post: {
      operationId: "mcpHiddenTools",
      summary: "Which MCP tools the policy denies this actor outright (the MCP gateway's tools/list)",
      description:
        "Read-only: evaluates the policy's optional countersign/mcp_hidden_tools entrypoint on {actor, tools, context, caller, now}; opens no " +
        "approval request, spends no grant, records nothing. Every tools/call is still a decision of its own. A policy without the rule " +
        "hides nothing (`rule: false`).",
      tags: ["decisions"],
      security: [{ bearerAuth: [] }],
      requestBody: { required: true, content: { "application/json": { schema: HIDDEN_TOOLS_REQUEST_SCHEMA } } },
      responses: {
        "200": {
          description: "The listed tools to hide, in listing order.",
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["hidden", "rule", "policy"],
                properties: {
                  hidden: { type: "array", items: { type: "string" } },
                  rule: { type: "boolean" },
                  policy: { type: ["object", "null"] },
                },
              },
            },
          },
        },
        "400": error("COUNTERSIGN_INVALID_REQUEST, COUNTERSIGN_MALFORMED_JSON, COUNTERSIGN_UNKNOWN_IDENTITY."),
        "401": UNAUTHENTICATED,
        ...BODY_ERRORS,
        "503": error(
          "COUNTERSIGN_POLICY_UNAVAILABLE: no policy loaded, the rule failed, or it answered something other than a set of tool ids.",
        ),
      },
    },
  },
  "/v1/whoami": {
    get: {
      operationId: "whoami",
      summary: "The authenticated caller's identity",
      description:
        "What a gateway that accepts callers' credentials (the MCP gateway's --listen) asks to learn which identity a credential names.",
      tags: ["operations"],
      security: [{ bearerAuth: [] }],
      responses: {
        "200": {
          description: "The identity, without credentials.",
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["id", "kind", "roles"],
                properties: {
                  id: { type: "string" },
                  kind: { enum: ["service", "human", "agent"] },
                  roles: { type: "array", items: { type: "string" } },
                  owner: { type: "string" },
                },
              },
            },
          },
        },
        "401": UNAUTHENTICATED,
      },
    },
  },
  "/v1/audit": {
    get: {
      operationId: "queryAudit",
      summary: "The audit trail (auditor identities only)",
      description:
        "Entries of the hash-chained, signed audit trail: every decision, approval event, grant event and bundle change, masked. " +
        "Only identities configured with `auditor: true` may read it. A page scans at most 10,000 entries and may come back short " +
        "with a `next_cursor`; pass it as `cursor` to go on.",
      tags: ["audit"],
      security: [{ bearerAuth: [] }],
      parameters: [
        {
          name: "from",
          in: "query",
          schema: { type: "string", format: "date-time" },
          description: "Entries at or after this time (RFC 3339).",
        },
        {
          name: "to",
          in: "query",
          schema: { type: "string", format: "date-time" },
          description: "Entries at or before this time (RFC 3339).",
        },
        { name: "actor", in: "query", schema: { type: "string" }, description: "The request's `actor.id`." },
        {
          name: "principal",
          in: "query",
          schema: { type: "string" },
          description: "Anyone involved: caller, actor, on_behalf_of, reviewer or canceller.",
        },
        { name: "action", in: "query", schema: { type: "string" }, description: "The request's `action.name`." },
        { name: "approval_id", in: "query", schema: { type: "string" } },
        { name: "decision_id", in: "query", schema: { type: "string" } },
        {
          name: "outcome",
          in: "query",
          schema: { type: "string" },
          description: "allow, deny, require_approval (decisions); approved, denied, expired, cancelled (final states).",
        },
        {
          name: "type",
          in: "query",
          schema: { type: "string" },
          description: "Event types, comma-separated or repeated (decision, approval.created, approval.verdict, …).",
        },
        { name: "order", in: "query", schema: { enum: ["newest", "oldest"] }, description: "Default newest first." },
        { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500 }, description: "Default 50." },
        { name: "cursor", in: "query", schema: { type: "string" }, description: "The `next_cursor` of the previous page." },
      ],
      responses: {
        "200": {
          description: "`{entries, next_cursor}`; next_cursor is null when the trail has no more matching entries.",
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["entries", "next_cursor"],
                properties: { entries: { type: "array", items: { type: "object" } }, next_cursor: { type: ["string", "null"] } },
              },
            },
          },
        },
        "400": error("COUNTERSIGN_AUDIT_BAD_QUERY (an unknown or malformed parameter), COUNTERSIGN_AUDIT_BAD_CURSOR."),
        "401": UNAUTHENTICATED,
        "403": error("COUNTERSIGN_FORBIDDEN: the caller is not an auditor identity."),
        "503": error("COUNTERSIGN_AUDIT_UNAVAILABLE: the trail cannot be read (Redis down, or the service runs without one)."),
      },
    },
  },
  "/v1/shadow": {
    get: {
      operationId: "shadowSummary",
      summary:
        "Shadow mode's summary (bundles.shadow): agreements and disagreements of the candidate bundle with the live one; auditor identities only",
      tags: ["audit"],
      security: [{ bearerAuth: [] }],
      responses: {
        "200": {
          description:
            '`{enabled: false}` without bundles.shadow; else `{enabled, candidate_bundle, candidate_loaded, since, live, candidate, compared, agreements, disagreements, by_transition: {"allow→require_approval": {count, examples}}, candidate_failures, dropped, skipped, recorded, unrecorded, queue}`.',
          content: {
            "application/json": { schema: { type: "object", required: ["enabled"], properties: { enabled: { type: "boolean" } } } },
          },
        },
        "401": UNAUTHENTICATED,
        "403": error("COUNTERSIGN_FORBIDDEN: the caller is not an auditor identity."),
      },
    },
  },
  "/.well-known/jwks.json": {
    get: {
      operationId: "jwks",
      summary: "The public keys grants are signed with (EdDSA, Ed25519); no authentication",
      tags: ["approvals"],
      responses: { "200": json("JWKS", "JSON Web Key Set."), "503": UNAVAILABLE },
    },
  },
};

/** The document (built once; it does not depend on configuration). */
export function openApiDocument(): object {
  return {
    openapi: "3.1.0",
    info: {
      title: "Countersign decision API",
      version: "1",
      description:
        "Policy-as-code approval gate: ask before a privileged action and get `allow`, `deny` or `require_approval`. " +
        'Every error body is `{ "error": { "code", "message", "details"? } }` with a stable code.',
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    paths: {
      "/v1/decide": { post: decideOperation("decide", "Decide on a privileged action") },
      "/decide": { post: decideOperation("decideAlias", "Alias of POST /v1/decide") },
      ...approvalPaths,
      "/healthz": {
        get: {
          operationId: "healthz",
          summary: "Liveness",
          tags: ["operations"],
          responses: {
            "200": {
              description: "The process is alive.",
              content: {
                "application/json": { schema: { type: "object", required: ["status"], properties: { status: { const: "ok" } } } },
              },
            },
          },
        },
      },
      "/readyz": {
        get: {
          operationId: "readyz",
          summary: "Readiness: a decision bundle is loaded, and Redis answers when configured",
          tags: ["operations"],
          responses: {
            "200": { description: "Ready.", content: { "application/json": { schema: { $ref: "#/components/schemas/Readiness" } } } },
            "503": error("Not ready: COUNTERSIGN_NOT_READY, with every check's result in `details.checks`."),
          },
        },
      },
      "/metrics": {
        get: {
          operationId: "metrics",
          summary: "Prometheus metrics",
          description:
            "countersign_decisions_total{outcome}, countersign_decision_failures_total{code}, countersign_policy_eval_seconds, " +
            "countersign_bundle_info{bundle,revision}, countersign_policy_ready, countersign_bundle_reload_failures_total, " +
            "and Node process metrics (countersign_ prefix).",
          tags: ["operations"],
          responses: { "200": { description: "Prometheus text format.", content: { "text/plain": { schema: { type: "string" } } } } },
        },
      },
      "/openapi.json": {
        get: {
          operationId: "openapi",
          summary: "This document",
          tags: ["operations"],
          responses: { "200": { description: "OpenAPI 3.1 document.", content: { "application/json": { schema: { type: "object" } } } } },
        },
      },
    },
    components: {
      schemas: {
        DecideRequest: DECIDE_REQUEST_SCHEMA,
        Decision: DECISION_SCHEMA,
        DecisionApproval: DECISION_APPROVAL_SCHEMA,
        ApprovalRequirements: APPROVAL_REQUIREMENTS_SCHEMA,
        Approval: APPROVAL_VIEW_SCHEMA,
        ApprovalList: APPROVAL_LIST_SCHEMA,
        VerdictRequest: VERDICT_REQUEST_SCHEMA,
        CancelRequest: CANCEL_REQUEST_SCHEMA,
        GrantRedeemRequest: GRANT_REDEEM_REQUEST_SCHEMA,
        RedeemedGrant: REDEEMED_GRANT_SCHEMA,
        JWKS: JWKS_SCHEMA,
        Error: ERROR_SCHEMA,
        Readiness: READINESS_SCHEMA,
      },
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description:
            "An API key issued to a configured identity (stored as its SHA-256), or, when `auth.jwt` is configured, a JWT " +
            "from that issuer whose `sub` is an identity id.",
        },
      },
    },
  };
}
