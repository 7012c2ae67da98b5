/**
 * JSON Schemas (2020-12) of the approval routes: the bodies ajv enforces (verdict, cancel, grant
 * redemption) and the answers the OpenAPI document describes (an approval request as a viewer sees it, the
 * reviewer inbox, a redeemed grant, the JWKS). Unknown fields in a body are refused.
 */

import { APPROVAL_REQUIREMENTS_SCHEMA, DECIDE_REQUEST_SCHEMA } from "./api-schemas";

/** The body of `POST /v1/approvals/{id}/verdicts`. */
export const VERDICT_REQUEST_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "VerdictRequest",
  type: "object",
  additionalProperties: false,
  required: ["verdict"],
  properties: {
    verdict: { enum: ["approve", "deny"], description: "One eligible deny denies the request." },
    comment: {
      type: "string",
      description: "Shown to the requester and the other reviewers; at most `approvals.comment_max_chars` characters (default 2000).",
    },
    scope: {
      description:
        'What an approval covers, within the policy\'s `approval.max_scope` (403 COUNTERSIGN_SCOPE_TOO_WIDE otherwise): "once" (the default), ' +
        "`{count: N}` (N uses), `{window_seconds: S}` (any number of uses for S seconds), or both. Always only the same actor, action, " +
        "parameters and resource. With a quorum, the grant gets the narrowest scope any approver chose.",
      oneOf: [
        { const: "once" },
        {
          type: "object",
          additionalProperties: false,
          minProperties: 1,
          properties: { count: { type: "integer", minimum: 1 }, window_seconds: { type: "integer", minimum: 1 } },
        },
      ],
    },
  },
} as const;

/** The body of `POST /v1/approvals/{id}/cancel` (optional). */
export const CANCEL_REQUEST_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "CancelRequest",
  type: "object",
  additionalProperties: false,
  properties: { reason: { type: "string", description: "Why the caller no longer needs the action." } },
} as const;

/** The body of `POST /v1/grants/redeem`. */
export const GRANT_REDEEM_REQUEST_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "GrantRedeemRequest",
  type: "object",
  additionalProperties: false,
  required: ["grant", "actor", "action", "resource"],
  properties: {
    grant: { type: "string", minLength: 1, maxLength: 8192, description: "The grant token." },
    actor: DECIDE_REQUEST_SCHEMA.properties.actor,
    action: DECIDE_REQUEST_SCHEMA.properties.action,
    resource: DECIDE_REQUEST_SCHEMA.properties.resource,
  },
} as const;

const ISO = { type: "string", format: "date-time" } as const;

/** An approval request as one viewer sees it. */
export const APPROVAL_VIEW_SCHEMA = {
  title: "Approval",
  type: "object",
  required: [
    "id",
    "status",
    "version",
    "created_at",
    "updated_at",
    "expires_at",
    "required",
    "progress",
    "verdicts",
    "request",
    "decision_id",
    "policy",
    "reasons",
    "action_digest",
  ],
  properties: {
    id: { type: "string" },
    status: { enum: ["pending", "approved", "denied", "expired", "cancelled"], description: "Every status but pending is final." },
    version: {
      type: "integer",
      minimum: 1,
      description: "Grows with every change; pass it as `since_version` to long-poll for the next one.",
    },
    created_at: ISO,
    updated_at: ISO,
    expires_at: ISO,
    decided_at: ISO,
    required: { ...APPROVAL_REQUIREMENTS_SCHEMA, description: "What the policy requires (its `approval` object)." },
    progress: {
      type: "object",
      required: ["approvals", "quorum", "groups"],
      properties: {
        approvals: { type: "integer", description: "Distinct approvers so far." },
        quorum: { type: "integer", description: "Distinct approvers needed." },
        groups: {
          type: "array",
          items: {
            type: "object",
            required: ["roles", "quorum", "count"],
            properties: { roles: { type: "array", items: { type: "string" } }, quorum: { type: "integer" }, count: { type: "integer" } },
          },
        },
      },
    },
    verdicts: {
      type: "array",
      items: {
        type: "object",
        required: ["reviewer_id", "verdict", "channel", "at"],
        properties: {
          reviewer_id: { type: "string" },
          verdict: { enum: ["approve", "deny"] },
          comment: { type: "string" },
          channel: { enum: ["api", "teams", "slack", "console"] },
          at: ISO,
          shown: {
            type: "object",
            description:
              "What the reviewer was shown (verdicts from a chat message or the web console; the console's digest is of its request page model): the request version, the SHA-256 of the rendered message (Slack: canonical JSON of {text, blocks}; Teams: canonical JSON of the Adaptive Card sent), and the JSON pointers of the request values it hid.",
            required: ["version", "digest"],
            properties: { version: { type: "integer" }, digest: { type: "string" }, hidden: { type: "array", items: { type: "string" } } },
          },
        },
      },
    },
    request: {
      type: "object",
      description:
        "The decide request (actor, action, resource, context); reviewers see the policy's `mask` fields and secret-named members as `[MASKED]`.",
    },
    decision_id: { type: "string" },
    policy: { oneOf: [{ type: "object", required: ["bundle", "revision"] }, { type: "null" }] },
    reasons: { type: "array", items: { type: "string" }, description: "The policy's reasons for requiring approval." },
    summary: {
      type: "string",
      description: "The policy's one-line summary for reviewers (decision field `summary`); masked values hidden for reviewers.",
    },
    risk: { enum: ["low", "medium", "high", "critical"], description: "The policy's risk rating (decision field `risk`)." },
    action_digest: { type: "string", description: "SHA-256 (hex) of the RFC 8785 canonical JSON of {actor, action, resource}." },
    cancellation: { type: "object", required: ["by"], properties: { by: { type: "string" }, reason: { type: "string" } } },
    grant: { type: "string", description: "The grant token: only for the creating caller, only once approved. Single use." },
    grant_expires_at: ISO,
  },
} as const;

/** The body of `GET /v1/approvals`. */
export const APPROVAL_LIST_SCHEMA = {
  title: "ApprovalList",
  type: "object",
  required: ["approvals", "next_cursor"],
  properties: {
    approvals: { type: "array", items: { $ref: "#/components/schemas/Approval" }, description: "Oldest first." },
    next_cursor: { type: ["string", "null"], description: "Pass as `cursor` for the next page; null at the end." },
  },
} as const;

/** The body of a 200 from `POST /v1/grants/redeem`. */
export const REDEEMED_GRANT_SCHEMA = {
  title: "RedeemedGrant",
  type: "object",
  required: ["redeemed", "approval_id", "jti", "actor_id", "approvers", "expires_at"],
  properties: {
    redeemed: { const: true },
    approval_id: { type: "string" },
    jti: { type: "string", description: "The grant's unique id; it is now spent." },
    actor_id: { type: "string" },
    approvers: { type: "array", items: { type: "string" } },
    expires_at: ISO,
    use: { type: "integer", minimum: 1, description: "Scoped grants only: which use this was." },
    uses_left: { type: ["integer", "null"], description: "Scoped grants only: uses left (null: any number until expires_at)." },
  },
} as const;

/** The body of `GET /.well-known/jwks.json`. */
export const JWKS_SCHEMA = {
  title: "JWKS",
  type: "object",
  required: ["keys"],
  properties: {
    keys: {
      type: "array",
      items: {
        type: "object",
        required: ["kty", "crv", "x", "kid", "alg", "use"],
        properties: {
          kty: { const: "OKP" },
          crv: { const: "Ed25519" },
          x: { type: "string" },
          kid: { type: "string" },
          alg: { const: "EdDSA" },
          use: { const: "sig" },
        },
      },
    },
  },
} as const;
