/**
 * What the service logs about decisions: one JSON line per decision carrying its id; no request body at
 * info level; and the values at the decision's mask pointers never in clear, at any level, even when the
 * masked field is one the info line would show.
 */

import request from "supertest";
import { AUTH, decideBody, decisionModule, removeTempDirs, tempDir, testService, writeBundle, type TestService } from "./service-harness";

const SECRET_QUERY = "select ssn, card_number from customers where vip";
const SECRET_TICKET = "OPS-SECRET-7781";
const SECRET_RESOURCE = "prod/hidden-customers-db";

let example: TestService;
let masking: TestService;

beforeAll(async () => {
  const dir = tempDir();
  await writeBundle(dir, "example");
  example = await testService({ bundlesDir: dir, logLevel: "debug" });
  const maskDir = tempDir();
  await writeBundle(maskDir, {
    "mask.rego": decisionModule(`
decision := {
  "outcome": "allow",
  "reasons": ["masked for the test"],
  "mask": ["/resource/id", "/context/ticket", "/action/params/query", "/context/not-there"],
}`),
  });
  masking = await testService({ bundlesDir: maskDir, logLevel: "debug" });
});
afterAll(async () => {
  await example.close();
  await masking.close();
  removeTempDirs();
});

describe("decision log lines", () => {
  it("logs one info line per deny or require_approval with its id, caller, actor, action, resource, outcome and policy", async () => {
    const res = await request(example.app)
      .post("/v1/decide")
      .set("Authorization", AUTH.caller)
      .send(decideBody({ action: { name: "db.drop", params: {} }, context: { reason: "look at me" } }));
    expect(res.body.outcome).toBe("deny");
    const line = example.log.lines().find((l) => l["message"] === "decision" && l["decision_id"] === res.body.decision_id);
    expect(line).toMatchObject({
      level: "info",
      caller: "svc:ci",
      actor: { id: "svc:ci", type: "ci" },
      action: "db.drop",
      resource: { type: "database", id: "prod/customers", environment: "production" },
      outcome: "deny",
      policy: { bundle: "countersign" },
    });
    expect(typeof line!["eval_ms"]).toBe("number");
    const info = example.log.lines().filter((l) => l["level"] === "info");
    expect(JSON.stringify(info)).not.toContain("look at me");
    expect(JSON.stringify(info)).not.toContain("params");
  });

  it("logs an allow at debug only (the audit trail records every decision), with the same fields", async () => {
    const res = await request(example.app)
      .post("/v1/decide")
      .set("Authorization", AUTH.caller)
      .send(decideBody({ context: { reason: "look at me" } }));
    expect(res.body.outcome).toBe("allow");
    const lines = example.log.lines().filter((l) => l["message"] === "decision" && l["decision_id"] === res.body.decision_id);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: "debug",
      caller: "svc:ci",
      actor: { id: "svc:ci", type: "ci" },
      action: "db.read",
      resource: { type: "database", id: "prod/customers", environment: "production" },
      outcome: "allow",
      policy: { bundle: "countersign" },
    });
  });

  it("keeps the example policy's masked query out of the logs, at debug level too", async () => {
    const res = await request(example.app)
      .post("/v1/decide")
      .set("Authorization", AUTH.caller)
      .send(
        decideBody({ action: { name: "db.export", params: { table: "customers", query: SECRET_QUERY } }, context: { reason: "audit" } }),
      );
    expect(res.body.mask).toEqual(["/action/params/query"]);
    expect(example.log.text()).not.toContain(SECRET_QUERY);
    const debug = example.log.lines().find((l) => l["level"] === "debug" && l["decision_id"] === res.body.decision_id);
    expect(debug).toMatchObject({ input: { action: { params: { table: "customers", query: "[MASKED]" } }, context: { reason: "audit" } } });
  });

  it("masks fields the info line itself shows, and ignores pointers to nothing", async () => {
    const res = await request(masking.app)
      .post("/v1/decide")
      .set("Authorization", AUTH.caller)
      .send(
        decideBody({
          action: { name: "db.query", params: { query: SECRET_QUERY } },
          resource: { type: "database", id: SECRET_RESOURCE, environment: "production" },
          context: { reason: "why not", ticket: SECRET_TICKET },
        }),
      );
    expect(res.status).toBe(200);
    const text = masking.log.text();
    for (const secret of [SECRET_QUERY, SECRET_TICKET, SECRET_RESOURCE]) expect(text).not.toContain(secret);
    const line = masking.log.lines().find((l) => l["message"] === "decision" && l["decision_id"] === res.body.decision_id);
    expect(line).toMatchObject({ resource: { id: "[MASKED]", type: "database" } });
  });
});
