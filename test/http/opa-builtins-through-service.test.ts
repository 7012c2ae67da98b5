/**
 * Issue 18's done-when check: a policy calling `io.jwt.decode_verify`, `semver.compare`,
 * `units.parse_bytes` and a template string, built by the CLI (`countersign build`, a real bundle in a
 * bundle directory) and evaluated through the service (POST /v1/decide on one service, so one reused policy
 * instance for every input), answers what OPA answers.
 *
 * Where each expected value comes from (OPA's documented semantics and its conformance cases):
 * - io.jwt.decode_verify(token, constraints): `[true, header, payload]` when the signature verifies with
 *   `secret`, `iss` equals the constraint, and `exp`/`nbf` hold at the evaluation's time (time.now_ns,
 *   here the service's fixed clock); otherwise `[false, {}, {}]` (OPA policy reference, "Token
 *   Verification"; conformance category jwtdecodeverify).
 * - semver.compare(a, b): -1, 0 or 1 by SemVer 2.0.0 precedence, a pre-release below its release
 *   (OPA policy reference, "Semantic Versions"; conformance category semvercompare).
 * - units.parse_bytes(s): decimal suffixes (K, M, G… with or without B) are powers of 1000 and binary ones
 *   (Ki, Mi… with or without B) powers of 1024, case-insensitive, fractions allowed, an integer result
 *   (OPA policy reference, "Units"; conformance category unitsparsebytes).
 * - $"…{expr}…": each expression's value, strings as they are, numbers and booleans in their JSON form, an
 *   undefined expression as <undefined> (OPA policy reference, "Template Strings"; conformance category
 *   stringinterpolation).
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { SignJWT } from "jose";
import request from "supertest";
import { countersign } from "../cli/cli-helpers";
import { useRedisServer } from "../support/redis-server";
import { AUTH, NOW_NS, decideBody, exampleConfig, removeTempDirs, tempDir, testService, type TestService } from "./service-harness";

const SECRET = "countersign-done-when-secret";

const POLICY = `package countersign

import rego.v1

verified := io.jwt.decode_verify(input.context.token, {"secret": "${SECRET}", "iss": "ci"})

version_cmp := semver.compare(input.action.params.version, "2.0.0")

size_bytes := units.parse_bytes(input.action.params.size)

allowed if {
	verified[0]
	version_cmp >= 0
	size_bytes <= 104857600
}

default decision := {"outcome": "deny", "reasons": ["no matching rule"]}

decision := {"outcome": "allow", "reasons": [$"{verified[2].sub} deploys {input.action.params.version} ({size_bytes} bytes, semver.compare {version_cmp})"]} if allowed

decision := {"outcome": "deny", "reasons": [$"refused: token valid {verified[0]}, semver.compare {version_cmp}, {size_bytes} bytes"]} if not allowed
`;

const redis = useRedisServer();
let service: TestService;
const nowSeconds = Number(NOW_NS / 1_000_000_000n);

/** An HS256 token made by jose (an implementation independent of Countersign's). */
async function token(claims: { sub?: string; iss?: string; exp?: number; nbf?: number }, secret = SECRET): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(secret));
}

beforeAll(async () => {
  const src = tempDir("countersign-done-when-src-");
  fs.writeFileSync(path.join(src, "policy.rego"), POLICY);
  const bundles = tempDir("countersign-done-when-bundles-");
  const run = await countersign(["build", src, "-o", path.join(bundles, "countersign.tar.gz")]);
  if (run.code !== 0) throw new Error(`countersign build failed: ${run.stderr}`);
  service = await testService({ bundlesDir: bundles, config: exampleConfig({ REDIS_URL: redis.url }, bundles) });
}, 60_000);

afterAll(async () => {
  await service.close();
  removeTempDirs();
});

async function decide(tokenText: string, version: string, size: string): Promise<{ outcome: string; reasons: string[] }> {
  const res = await request(service.app)
    .post("/v1/decide")
    .set("Authorization", AUTH.caller)
    .send(decideBody({ action: { name: "deploy.release", params: { version, size } }, context: { reason: "release", token: tokenText } }));
  expect(res.status).toBe(200);
  return res.body as { outcome: string; reasons: string[] };
}

describe("a CLI-built bundle using io.jwt.decode_verify, semver.compare, units.parse_bytes and a template string, through POST /v1/decide", () => {
  it("answers as OPA does for many inputs on one policy instance", async () => {
    const valid = await token({ sub: "alice", iss: "ci", exp: nowSeconds + 3600 });
    const cases: [string, string, string, string, string][] = [
      // token, version, size → outcome, reason
      [valid, "2.1.0", "10MiB", "allow", "alice deploys 2.1.0 (10485760 bytes, semver.compare 1)"],
      [valid, "2.0.0", "100MiB", "allow", "alice deploys 2.0.0 (104857600 bytes, semver.compare 0)"],
      [valid, "2.0.0", "1.5GB", "deny", "refused: token valid true, semver.compare 0, 1500000000 bytes"],
      [valid, "1.9.9", "512KB", "deny", "refused: token valid true, semver.compare -1, 512000 bytes"],
      [valid, "2.0.0-rc.1", "2kib", "deny", "refused: token valid true, semver.compare -1, 2048 bytes"],
      [valid, "10.0.0", "0.5Ki", "allow", "alice deploys 10.0.0 (512 bytes, semver.compare 1)"],
      [
        await token({ sub: "alice", iss: "ci", exp: nowSeconds + 3600 }, "another-secret"),
        "2.1.0",
        "10MiB",
        "deny",
        "refused: token valid false, semver.compare 1, 10485760 bytes",
      ],
      [
        await token({ sub: "alice", iss: "ci", exp: nowSeconds - 60 }),
        "2.1.0",
        "10MiB",
        "deny",
        "refused: token valid false, semver.compare 1, 10485760 bytes",
      ],
      [
        await token({ sub: "alice", iss: "ci", nbf: nowSeconds + 60 }),
        "2.1.0",
        "10MiB",
        "deny",
        "refused: token valid false, semver.compare 1, 10485760 bytes",
      ],
      [
        await token({ sub: "alice", iss: "someone-else" }),
        "2.1.0",
        "10MiB",
        "deny",
        "refused: token valid false, semver.compare 1, 10485760 bytes",
      ],
      [await token({ sub: "bob", iss: "ci" }), "3.0.0", "42", "allow", "bob deploys 3.0.0 (42 bytes, semver.compare 1)"],
    ];
    // Twice over, in order, so every answer also comes from an instance that has already answered others.
    for (let round = 0; round < 2; round++) {
      for (const [t, version, size, outcome, reason] of cases) {
        const d = await decide(t, version, size);
        expect({ version, size, outcome: d.outcome, reasons: d.reasons }).toEqual({ version, size, outcome, reasons: [reason] });
      }
    }
  });

  it("renders what an erring built-in leaves undefined as <undefined>, and still denies", async () => {
    const valid = await token({ sub: "alice", iss: "ci" });
    // semver.compare("not-a-version", …), units.parse_bytes("ten") and decode_verify of a token that does not
    // decode are errors in OPA, so each call is undefined (no strict built-in errors); a template string
    // renders an undefined expression as <undefined> (conformance category stringinterpolation).
    expect(await decide(valid, "not-a-version", "10MiB")).toMatchObject({
      outcome: "deny",
      reasons: ["refused: token valid true, semver.compare <undefined>, 10485760 bytes"],
    });
    expect(await decide(valid, "2.1.0", "ten")).toMatchObject({
      outcome: "deny",
      reasons: ["refused: token valid true, semver.compare 1, <undefined> bytes"],
    });
    expect(await decide("not.a.token", "2.1.0", "10MiB")).toMatchObject({
      outcome: "deny",
      reasons: ["refused: token valid <undefined>, semver.compare 1, 10485760 bytes"],
    });
  });
});
