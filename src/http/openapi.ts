/**
 * The OpenAPI 3.1 document served at `GET /openapi.json`: every route, its request and response schemas,
 * the shared error body and the bearer security scheme. The schemas are the objects ajv validates with.
 */

import { APPROVAL_REQUIREMENTS_SCHEMA, DECIDE_REQUEST_SCHEMA, DECISION_SCHEMA, ERROR_SCHEMA, READINESS_SCHEMA } from "./api-schemas";

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
    "(fail closed), never an error status.",
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
    "400": error("The body fails the schema (details name the field) or is not well-formed JSON."),
    "401": {
      ...error("No credentials, malformed credentials, an unknown API key or an invalid token. No policy is evaluated."),
      headers: { "WWW-Authenticate": { schema: { type: "string" } } },
    },
    "413": error("The body is larger than the configured limit."),
    "415": error("The body is not application/json."),
    "500": error("An unexpected failure (never a policy failure, which is a deny)."),
  },
});

/** The document (built once; it does not depend on configuration). */
export function openApiDocument(): object {
  return {
    openapi: "3.1.0",
    info: {
      title: "Countersign decision API",
      version: "1",
      description:
        "Policy-as-code approval gate: ask before a privileged action and get `allow`, `deny` or `require_approval`. " +
        "Every error body is `{ \"error\": { \"code\", \"message\", \"details\"? } }` with a stable code.",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    paths: {
      "/v1/decide": { post: decideOperation("decide", "Decide on a privileged action") },
      "/decide": { post: decideOperation("decideAlias", "Alias of POST /v1/decide") },
      "/healthz": {
        get: {
          operationId: "healthz",
          summary: "Liveness",
          tags: ["operations"],
          responses: {
            "200": {
              description: "The process is alive.",
              content: { "application/json": { schema: { type: "object", required: ["status"], properties: { status: { const: "ok" } } } } },
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
        ApprovalRequirements: APPROVAL_REQUIREMENTS_SCHEMA,
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
