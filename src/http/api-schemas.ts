/**
 * The API's JSON Schemas (2020-12): the decide request, which ajv enforces, and the answers, which the
 * OpenAPI document describes. One source for both, so the document cannot drift from the validation.
 *
 * Unknown fields are refused at the top level and in `actor` and `action` (a misspelt `on_behalf_of` must
 * not silently disable a rule); `resource` may carry extra attributes for the policy, and `context` and
 * `action.params` are free-form.
 */

import { HTTP_ERRORS } from "./http-error";

const NAME = { type: "string", minLength: 1, maxLength: 256 } as const;

/** The body of `POST /v1/decide`. */
export const DECIDE_REQUEST_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "DecideRequest",
  type: "object",
  additionalProperties: false,
  required: ["actor", "action", "resource"],
  properties: {
    actor: {
      description: "Who is about to act.",
      type: "object",
      additionalProperties: false,
      required: ["id", "type"],
      properties: {
        id: {
          ...NAME,
          description:
            "The actor's identity id, kind:name, e.g. `agent:deploy-bot`, `user:alice`: letters and digits of one script per word, " +
            "separated by . _ - : @ + /; no spaces, controls, invisible or bidi characters (400 otherwise). A human actor's id must " +
            "name a configured identity when identities.require_known_humans is on.",
        },
        type: { enum: ["service", "human", "ai_agent", "ci"] },
        on_behalf_of: {
          ...NAME,
          description:
            "The human an agent or service acts for, e.g. `user:alice`; an identity id as for `id`, and a configured human when " +
            "identities.require_known_humans is on (default in production). That person never reviews the request.",
        },
      },
    },
    action: {
      description: "What the actor is about to do.",
      type: "object",
      additionalProperties: false,
      required: ["name"],
      properties: {
        name: { type: "string", minLength: 1, maxLength: 200, pattern: "^[A-Za-z0-9][A-Za-z0-9._:/-]*$", description: "e.g. `db.export`." },
        params: { type: "object", description: "The action's arguments, for the policy (free-form)." },
      },
    },
    resource: {
      description: "What the action touches. Extra attributes are passed to the policy as they are.",
      type: "object",
      required: ["type", "id"],
      properties: {
        type: NAME,
        id: { type: "string", minLength: 1, maxLength: 1024 },
        environment: { type: "string", minLength: 1, maxLength: 64, description: "e.g. `production`." },
      },
    },
    context: { type: "object", description: "Why, and anything else the caller knows: `reason`, `ticket`, … (free-form)." },
    idempotency_key: {
      type: "string",
      minLength: 1,
      maxLength: 200,
      description: "Caller-chosen; a retry with the same key returns the same approval request (approval workflow).",
    },
    grant: {
      type: "string",
      minLength: 1,
      maxLength: 8192,
      description:
        "A grant token (from GET /v1/approvals/{id} once approved) redeemed with this request. The policy is evaluated " +
        "first: only when it still answers require_approval is the grant redeemed, once, for exactly this actor, action " +
        "and resource (allow); a refused grant answers deny with `code`. An allow or deny of the policy wins, and the " +
        "grant is then left unspent.",
    },
    break_glass: {
      type: "object",
      additionalProperties: false,
      required: ["justification"],
      description:
        "Break-glass: when the policy answers require_approval and allows it (`approval.break_glass_allowed`), the answer is allow with " +
        "`break_glass`, recorded loudly (trail, warn log, metric, reviewers told at once), and a post-hoc review request is opened that " +
        "reviewers must acknowledge. Where the policy does not allow it: deny, COUNTERSIGN_BREAK_GLASS_NOT_ALLOWED. Ignored with `grant`.",
      properties: {
        justification: {
          type: "string",
          minLength: 10,
          maxLength: 2000,
          pattern: "\\S",
          description: "Why this cannot wait; shown to the reviewers.",
        },
      },
    },
    callback_url: {
      type: "string",
      minLength: 1,
      maxLength: 2048,
      description:
        "When the decision opens an approval request: POSTed (signed, X-Countersign-Signature: sha256=<HMAC>) when the " +
        "request reaches its final state. Its host must be on the configured allow-list (400 COUNTERSIGN_CALLBACK_NOT_ALLOWED).",
    },
  },
} as const;

/** What a require_approval decision asks for. */
export const APPROVAL_REQUIREMENTS_SCHEMA = {
  type: "object",
  required: ["quorum", "reviewers", "ttl_seconds", "grant_ttl_seconds", "reason_required"],
  properties: {
    quorum: { type: "integer", minimum: 1, description: "Distinct approvers needed in total." },
    reviewers: {
      type: "object",
      description: "Eligible reviewers: any of `roles`, or every group of `groups` with its own quorum.",
      properties: {
        roles: { type: "array", items: { type: "string" } },
        groups: {
          type: "array",
          items: {
            type: "object",
            required: ["roles", "quorum"],
            properties: { roles: { type: "array", items: { type: "string" } }, quorum: { type: "integer", minimum: 1 } },
          },
        },
      },
    },
    ttl_seconds: { type: "integer", minimum: 1, description: "How long the pending request lives." },
    grant_ttl_seconds: { type: "integer", minimum: 1, description: "How long a grant issued on approval lives." },
    channel: { type: "string", description: "Notification channel the request is routed to." },
    reason_required: { type: "boolean", description: "Requests without `context.reason` are refused." },
    comment_required: { type: "boolean", description: "Every verdict must carry a comment (COUNTERSIGN_COMMENT_REQUIRED otherwise)." },
    remind_after_seconds: {
      type: "integer",
      minimum: 1,
      description: "Reviewers who have not voted are reminded every this many seconds.",
    },
    escalate: {
      type: "array",
      description:
        "The escalation ladder: after `after_seconds`, more `roles` may review and/or `channel` is told. Self-approval rules never relax.",
      items: {
        type: "object",
        required: ["after_seconds"],
        properties: {
          after_seconds: { type: "integer", minimum: 1 },
          roles: { type: "array", items: { type: "string" } },
          channel: { type: "string" },
        },
      },
    },
    max_scope: {
      type: "object",
      description: "The widest scope a reviewer may grant (absent: once): `count` uses and/or a `window_seconds`.",
      properties: { count: { type: "integer", minimum: 1 }, window_seconds: { type: "integer", minimum: 1 } },
    },
    break_glass_allowed: { type: "boolean", description: "The caller may proceed without approval with `break_glass.justification`." },
  },
} as const;

/** The approval request a require_approval decision opened (or found), with the policy's requirements. */
export const DECISION_APPROVAL_SCHEMA = {
  ...APPROVAL_REQUIREMENTS_SCHEMA,
  description: "Present exactly when outcome is require_approval: the approval request, and what the policy requires of it.",
  required: [...APPROVAL_REQUIREMENTS_SCHEMA.required, "id", "status", "status_url", "created", "created_at", "expires_at"],
  properties: {
    id: { type: "string", description: "The approval request's id." },
    status: { enum: ["pending", "approved", "denied", "expired", "cancelled"] },
    status_url: {
      type: "string",
      description: "`/v1/approvals/{id}`: read it (with `?wait=` to long-poll); the grant appears there once approved.",
    },
    created: {
      type: "boolean",
      description: "False when the caller's existing request was returned (same idempotency_key, or the same action still pending).",
    },
    created_at: { type: "string", format: "date-time" },
    expires_at: { type: "string", format: "date-time", description: "Undecided by then, the request expires (treated as denied)." },
    ...APPROVAL_REQUIREMENTS_SCHEMA.properties,
  },
} as const;

/** The body of a 200 from `POST /v1/decide`. */
export const DECISION_SCHEMA = {
  title: "Decision",
  type: "object",
  required: ["decision_id", "outcome", "reasons", "mask", "policy"],
  properties: {
    decision_id: { type: "string", description: "Unique id of this decision (UUIDv7, time-ordered); it appears in the logs." },
    outcome: { enum: ["allow", "deny", "require_approval"] },
    reasons: {
      type: "array",
      items: { type: "string" },
      description:
        "Why, in the policy's words (or the failure's, for a fail-closed deny; `approved by <approvers>` for an allow by grant).",
    },
    approval: DECISION_APPROVAL_SCHEMA,
    grant: {
      type: "object",
      description: "Present when the outcome is allow because the request's grant was redeemed (it is now spent).",
      required: ["approval_id", "jti", "approvers"],
      properties: {
        approval_id: { type: "string" },
        jti: { type: "string" },
        approvers: { type: "array", items: { type: "string" } },
        use: { type: "integer", minimum: 1, description: "Scoped grants only: which use this was." },
        uses_left: { type: ["integer", "null"], description: "Scoped grants only: uses left (null: any number until the grant expires)." },
      },
    },
    break_glass: {
      type: "object",
      description: "Present when the outcome is allow by break-glass: the post-hoc review request reviewers must acknowledge.",
      required: ["review_id", "status_url"],
      properties: { review_id: { type: "string" }, status_url: { type: "string" } },
    },
    code: {
      type: "string",
      description:
        "Set when Countersign itself turned the policy's require_approval into a deny: a refused grant (COUNTERSIGN_GRANT_INVALID, " +
        "COUNTERSIGN_GRANT_EXPIRED, COUNTERSIGN_GRANT_MISMATCH, COUNTERSIGN_GRANT_REPLAYED, COUNTERSIGN_GRANT_UNAVAILABLE), the approval " +
        "store unreachable (COUNTERSIGN_APPROVAL_STORE_UNAVAILABLE), unusable requirements (COUNTERSIGN_APPROVAL_REQUIREMENTS_INVALID), " +
        "a break-glass the policy does not allow (COUNTERSIGN_BREAK_GLASS_NOT_ALLOWED).",
    },
    mask: {
      type: "array",
      items: { type: "string" },
      description: "JSON pointers (RFC 6901) into the request whose values are sensitive; Countersign never logs them in clear.",
    },
    policy: {
      description: "The bundle that answered; null when none is loaded (the outcome is then deny).",
      oneOf: [
        { type: "object", required: ["bundle", "revision"], properties: { bundle: { type: "string" }, revision: { type: "string" } } },
        { type: "null" },
      ],
    },
  },
} as const;

/** The body of every error. */
export const ERROR_SCHEMA = {
  title: "Error",
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { enum: Object.keys(HTTP_ERRORS), description: "Stable code; the message is for people and may change." },
        message: { type: "string" },
        details: {
          description:
            "Code-specific: for COUNTERSIGN_INVALID_REQUEST `{field, problems: [{field, message}]}` with JSON pointers (or " +
            "`{parameter}` for a query parameter); for COUNTERSIGN_UNAUTHENTICATED `{reason}`; for COUNTERSIGN_NOT_READY " +
            "`{checks}`; for approval refusals the field or limit concerned (`{field}`, `{field, limit}`).",
        },
      },
    },
  },
} as const;

/** The body of a 200 from `GET /readyz`. */
export const READINESS_SCHEMA = {
  title: "Readiness",
  type: "object",
  required: ["status", "checks"],
  properties: {
    status: { const: "ready" },
    checks: {
      type: "object",
      additionalProperties: {
        type: "object",
        required: ["ok", "detail"],
        properties: { ok: { type: "boolean" }, detail: { type: "string" } },
      },
    },
  },
} as const;
