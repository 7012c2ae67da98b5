/**
 * POST /v1/decide over the example policies of rego/, compiled by Countersign's compiler into a bundle
 * directory, with the approval workflow on a real redis-server: one test per scenario of the product, each
 * answer checked against the documented schema.
 */

import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import request from "supertest";
import { DECISION_SCHEMA } from "../../src/http/api-schemas";
import { useRedisServer } from "../support/redis-server";
import { AUTH, decideBody, exampleConfig, removeTempDirs, tempDir, testService, writeBundle, type TestService } from "./service-harness";

const redis = useRedisServer();
let service: TestService;
const validDecision = addFormats(new Ajv2020({ strict: false })).compile(DECISION_SCHEMA);

beforeAll(async () => {
  const dir = tempDir();
  await writeBundle(dir, "example", { revision: "example-1" });
  service = await testService({ bundlesDir: dir, config: exampleConfig({ REDIS_URL: redis.url }, dir) });
});
afterAll(async () => {
  await service.close();
  removeTempDirs();
});

async function decide(body: Record<string, unknown>, path = "/v1/decide"): Promise<Record<string, unknown>> {
  const res = await request(service.app).post(path).set("Authorization", AUTH.caller).send(body);
  expect(res.status).toBe(200);
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
  if (!validDecision(res.body)) throw new Error(`answer does not match the Decision schema: ${JSON.stringify(validDecision.errors)}`);
  return res.body as unknown as Record<string, unknown>;
}

describe("POST /v1/decide with the example policies", () => {
  it("allows a routine read, naming the bundle and revision that answered", async () => {
    const d = await decide(decideBody({ action: { name: "db.read", params: { table: "customers" } } }));
    expect(d).toMatchObject({ outcome: "allow", mask: [], policy: { bundle: "countersign", revision: "example-1" } });
    expect(d["reasons"]).toEqual([expect.any(String)]);
    expect(d["approval"]).toBeUndefined();
    expect(d["decision_id"]).toBe("decision-1");
  });

  it("requires one dba to export production data, and masks the query", async () => {
    const d = await decide(
      decideBody({
        actor: { id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: "user:alice" },
        action: { name: "db.export", params: { table: "customers", rows: 10000, query: "select * from customers" } },
        resource: { type: "database", id: "prod/customers", environment: "production" },
        context: { reason: "quarterly report", ticket: "OPS-1234" },
      }),
    );
    expect(d["outcome"]).toBe("require_approval");
    expect(d["approval"]).toMatchObject({
      quorum: 1,
      reviewers: { roles: ["dba"] },
      reason_required: true,
      status: "pending",
      created: true,
    });
    const approval = d["approval"] as Record<string, string>;
    expect(approval["status_url"]).toBe(`/v1/approvals/${approval["id"]}`);
    expect(d["mask"]).toEqual(["/action/params/query"]);
  });

  it("requires two distinct security approvers for an IAM change", async () => {
    const d = await decide(
      decideBody({
        action: { name: "iam.role.grant", params: { role: "admin", to: "user:mallory" } },
        resource: { type: "iam", id: "roles/admin" },
      }),
    );
    expect(d["outcome"]).toBe("require_approval");
    expect(d["approval"]).toMatchObject({ quorum: 2, reviewers: { roles: ["security"] } });
  });

  it("requires a release manager when an AI agent deploys to production", async () => {
    const d = await decide(
      decideBody({
        actor: { id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: "user:bob" },
        action: { name: "deploy.release", params: { service: "payments-api", version: "2026.11.21-3" } },
        resource: { type: "service", id: "prod/payments-api", environment: "production" },
      }),
    );
    expect(d["outcome"]).toBe("require_approval");
    expect(d["approval"]).toMatchObject({ quorum: 1, reviewers: { roles: ["release-manager"] } });
  });

  it("lets a CI pipeline deploy to production on its own", async () => {
    const d = await decide(
      decideBody({
        action: { name: "deploy.release", params: {} },
        resource: { type: "service", id: "prod/payments-api", environment: "production" },
      }),
    );
    expect(d["outcome"]).toBe("allow");
  });

  it("denies dropping a production database outright", async () => {
    const d = await decide(decideBody({ action: { name: "db.drop", params: {} } }));
    expect(d["outcome"]).toBe("deny");
    expect((d["reasons"] as string[]).join(" ")).toMatch(/destructive|not allowed/i);
    expect(d["approval"]).toBeUndefined();
  });

  it("denies an action no rule knows, by default", async () => {
    const d = await decide(decideBody({ action: { name: "rocket.launch", params: {} } }));
    expect(d["outcome"]).toBe("deny");
    expect(d["reasons"]).toEqual([expect.any(String)]);
  });

  it("answers the same on the /decide alias", async () => {
    const d = await decide(decideBody({ action: { name: "db.drop", params: {} } }), "/decide");
    expect(d["outcome"]).toBe("deny");
    const a = await decide(decideBody(), "/decide");
    expect(a["outcome"]).toBe("allow");
  });

  it("gives every decision its own id and marks the answer uncacheable", async () => {
    const first = await request(service.app).post("/v1/decide").set("Authorization", AUTH.caller).send(decideBody());
    const second = await request(service.app).post("/v1/decide").set("Authorization", AUTH.caller).send(decideBody());
    expect(first.body.decision_id).not.toBe(second.body.decision_id);
    expect(first.headers["cache-control"]).toBe("no-store");
  });

  it("accepts the optional fields: on_behalf_of, extra resource attributes, idempotency_key, grant", async () => {
    const d = await decide(
      decideBody({
        actor: { id: "agent:reader", type: "ai_agent", on_behalf_of: "user:carol" },
        resource: { type: "database", id: "prod/customers", environment: "production", labels: { team: "payments" } },
        idempotency_key: "k".repeat(200),
        grant: "reserved-for-the-approval-workflow",
      }),
    );
    expect(d["outcome"]).toBe("allow");
  });
});
