/**
 * Hot reload seen through HTTP: a new bundle revision written into the watched directory is served
 * without a restart, and a corrupt one is refused while the last good revision keeps answering.
 */

import * as path from "node:path";
import request from "supertest";
import { writeFileAtomic } from "../../src/bundle/bundle-writer";
import {
  AUTH,
  decideBody,
  decisionModule,
  eventually,
  removeTempDirs,
  tempDir,
  testService,
  writeBundle,
  type TestService,
} from "./service-harness";

let dir: string;
let service: TestService;

const policyAnswering = (outcome: string, reason: string): Record<string, string> => ({
  "p.rego": decisionModule(`decision := {"outcome": "${outcome}", "reasons": ["${reason}"]}`),
});

const decide = () => request(service.app).post("/v1/decide").set("Authorization", AUTH.caller).send(decideBody());

beforeAll(async () => {
  dir = tempDir();
  await writeBundle(dir, policyAnswering("deny", "first revision"), { revision: "rev-1" });
  service = await testService({ bundlesDir: dir, watch: true });
});
afterAll(async () => {
  await service.close();
  removeTempDirs();
});

describe("hot reload over HTTP", () => {
  it("serves a new bundle revision without a restart", async () => {
    const before = await decide();
    expect(before.body).toMatchObject({ outcome: "deny", reasons: ["first revision"], policy: { revision: "rev-1" } });

    await writeBundle(dir, policyAnswering("allow", "second revision"), { revision: "rev-2" });
    const after = await eventually(async () => {
      const res = await decide();
      return res.body.policy?.revision === "rev-2" ? res : undefined;
    }, "revision rev-2 to be served");
    expect(after.body).toMatchObject({ outcome: "allow", reasons: ["second revision"] });
    const metrics = await request(service.app).get("/metrics");
    expect(metrics.text).toMatch(/^countersign_bundle_info\{bundle="countersign",revision="rev-2"\} 1$/m);
    expect(metrics.text).not.toMatch(/revision="rev-1"/);
  });

  it("keeps serving the last good revision when a corrupt bundle replaces it, and counts the refusal", async () => {
    await writeFileAtomic(path.join(dir, "countersign.tar.gz"), Buffer.from("this is not a gzipped tar archive"));
    await eventually(async () => {
      const metrics = await request(service.app).get("/metrics");
      return /^countersign_bundle_reload_failures_total 1$/m.test(metrics.text) ? true : undefined;
    }, "the corrupt bundle to be refused");
    const res = await decide();
    expect(res.body).toMatchObject({ outcome: "allow", policy: { revision: "rev-2" } });
    const ready = await request(service.app).get("/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body.checks.policy.detail).toMatch(/serving countersign@rev-2; last refused: .*countersign\.tar\.gz/);
    expect(service.log.lines().some((l) => l["level"] === "error" || l["level"] === "warn")).toBe(true);
  });
});
