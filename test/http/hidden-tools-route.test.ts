/**
 * `POST /v1/mcp/hidden-tools`, the read-only policy query behind the MCP gateway's `tools/list`: the example
 * policy's `countersign/mcp_hidden_tools` names the tools it denies outright; the query is authenticated and
 * validated like a decision, opens no approval request and records nothing; a policy without the rule hides
 * nothing (`rule: false`); a rule that fails or answers the wrong shape is a 503, never an empty answer.
 */

import request from "supertest";
import { approvalTestService, AUTH, decisionModule, removeTempDirs, tempDir, writeBundle, type TestService } from "./service-harness";
import { useRedisServer } from "../support/redis-server";

const redis = useRedisServer({ flushBetweenTests: true });
const services: TestService[] = [];

afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
});
afterAll(() => removeTempDirs());

const HIDDEN = ["countersign/decision", "countersign/mcp_hidden_tools"];

async function serviceWith(sources: "example" | Record<string, string>, entrypoints: string[]): Promise<TestService> {
  const dir = tempDir();
  await writeBundle(dir, sources, { revision: "hidden-tools", entrypoints });
  const service = await approvalTestService({ bundlesDir: dir, redisUrl: redis.url });
  services.push(service);
  return service;
}

const tool = (id: string, annotations: Record<string, unknown> = {}) => ({ type: "mcp_tool", id, annotations, environment: "production" });
const body = {
  actor: { id: "agent:coder", type: "ai_agent", on_behalf_of: "user:dana" },
  tools: [
    tool("fs/read_file", { readOnlyHint: true }),
    tool("fs/format_disk", { destructiveHint: true }),
    tool("fs/delete_file"),
    tool("shell/exec"),
  ],
};

function ask(service: TestService, payload: unknown, auth: string = AUTH.caller) {
  return request(service.app)
    .post("/v1/mcp/hidden-tools")
    .set("authorization", auth)
    .set("content-type", "application/json")
    .send(JSON.stringify(payload));
}

it("names the listed tools the policy denies outright, in listing order, opening no request and recording nothing", async () => {
  const service = await serviceWith("example", HIDDEN);
  const admin = redis.connect();
  const trail = await admin.xlen("countersign:audit");
  const res = await ask(service, body);
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    hidden: ["fs/format_disk", "shell/exec"],
    rule: true,
    policy: { bundle: expect.any(String), revision: "hidden-tools" },
  });
  expect(res.headers["cache-control"]).toBe("no-store");
  expect(await admin.xlen("countersign:audit")).toBe(trail);
  expect(await admin.zcard("countersign:approvals:pending")).toBe(0);

  // A hidden tool called all the same is denied by the decision.
  const decided = await request(service.app)
    .post("/v1/decide")
    .set("authorization", AUTH.caller)
    .send({
      actor: body.actor,
      action: { name: "mcp:fs/format_disk", params: {} },
      resource: tool("fs/format_disk", { destructiveHint: true }),
    });
  expect(decided.body.outcome).toBe("deny");
});

it("is authenticated and validated like a decision", async () => {
  const service = await serviceWith("example", HIDDEN);
  expect((await ask(service, body, "Bearer not-a-key")).status).toBe(401);
  const noTools = await ask(service, { actor: body.actor });
  expect(noTools.status).toBe(400);
  expect(noTools.body.error.code).toBe("COUNTERSIGN_INVALID_REQUEST");
  const badActor = await ask(service, { ...body, actor: { id: "agent coder", type: "ai_agent" } });
  expect(badActor.status).toBe(400);
  const tooMany = await ask(service, { ...body, tools: Array.from({ length: 1001 }, (_, i) => ({ type: "mcp_tool", id: `t${i}` })) });
  expect(tooMany.status).toBe(400);
  expect((await request(service.app).get("/v1/mcp/hidden-tools").set("authorization", AUTH.caller)).status).toBe(405);
});

it("hides nothing when the policy has no such rule", async () => {
  const service = await serviceWith("example", ["countersign/decision"]);
  const res = await ask(service, body);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ hidden: [], rule: false });
});

it("answers 503 COUNTERSIGN_POLICY_UNAVAILABLE when the rule answers something other than a set of ids", async () => {
  const rego = decisionModule(
    `default decision := {"outcome": "allow", "reasons": ["ok"]}\n\nmcp_hidden_tools := {"fs/format_disk": true}`,
  );
  const service = await serviceWith({ "policy.rego": rego }, HIDDEN);
  const res = await ask(service, body);
  expect(res.status).toBe(503);
  expect(res.body.error).toMatchObject({
    code: "COUNTERSIGN_POLICY_UNAVAILABLE",
    message: expect.stringContaining("must be a set of tool ids"),
  });
});
