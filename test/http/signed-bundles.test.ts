/**
 * Signed bundles through the whole service: with `bundles.verification` configured (signatures required, as
 * in production) a signed bundle serves; a tampered one and an unsigned one are each refused while the last
 * good revision keeps answering, and every refusal is logged, counted by code in /metrics, shown in
 * /readyz and recorded in the audit trail. Also the configuration: keys from a file, the environment or
 * inline, and the rules the loader enforces.
 */

import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import request from "supertest";
import { signingKeyFrom, verificationKeyFrom } from "../../src/bundle/bundle-keys";
import { readBundleFile } from "../../src/bundle/bundle-reader";
import { signBundle } from "../../src/bundle/bundle-signing";
import { writeBundleFile, writeFileAtomic } from "../../src/bundle/bundle-writer";
import { parseServiceConfig } from "../../src/config/config-loader";
import { listTarGz, makeTarGz } from "../bundle/fixtures/tarball";
import {
  AUTH,
  decideBody,
  decisionModule,
  eventually,
  exampleConfig,
  removeTempDirs,
  tempDir,
  testService,
  writeBundle,
  type TestService,
} from "./service-harness";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PRIVATE_PEM = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const PUBLIC_PEM = publicKey.export({ type: "spki", format: "pem" }).toString();

let dir: string;
let service: TestService;

const policy = (reason: string) => ({ "p.rego": decisionModule(`decision := {"outcome": "allow", "reasons": ["${reason}"]}`) });
const decide = () => request(service.app).post("/v1/decide").set("Authorization", AUTH.caller).send(decideBody());

/** Writes a bundle compiled from `policy(reason)`, signed with the release key. */
async function writeSigned(reason: string, revision: string): Promise<Buffer> {
  const file = await writeBundle(dir, policy(reason), { revision });
  const signed = await signBundle(await readBundleFile(file), {
    key: signingKeyFrom(PRIVATE_PEM, "RS256", "test"),
    algorithm: "RS256",
    keyId: "release",
  });
  await writeBundleFile(file, signed);
  return fs.readFileSync(file);
}

beforeAll(async () => {
  dir = tempDir();
  await writeSigned("signed r1", "r1");
  const base = exampleConfig({}, dir);
  service = await testService({
    bundlesDir: dir,
    config: {
      ...base,
      bundles: {
        ...base.bundles,
        verification: {
          keys: new Map([["release", { key: verificationKeyFrom(PUBLIC_PEM, "RS256", "t"), algorithm: "RS256" }]]),
          excludeFiles: [],
          requireSignature: true,
        },
      },
    },
  });
});
afterAll(async () => {
  await service.close();
  removeTempDirs();
});

async function refusalsOf(code: string): Promise<number> {
  const metrics = await request(service.app).get("/metrics");
  const m = new RegExp(`^countersign_bundle_refusals_total\\{code="${code}"\\} (\\d+)$`, "m").exec(metrics.text);
  return m === null ? 0 : Number(m[1]);
}

async function auditRefusal(code: string): Promise<Record<string, unknown>> {
  return eventually(async () => {
    const entries = await service.audit!.readAscending(null, 1000);
    const hit = entries
      .map((e) => JSON.parse(e.line) as Record<string, unknown>)
      .find((e) => e["type"] === "bundle.refused" && (e["reason"] as { code: string }).code === code);
    return hit;
  }, `a bundle.refused ${code} audit entry`);
}

describe("signed bundles in the service", () => {
  it("serves a bundle signed with the configured key", async () => {
    const res = await decide();
    expect(res.body).toMatchObject({ outcome: "allow", reasons: ["signed r1"], policy: { revision: "r1" } });
    const ready = await request(service.app).get("/readyz");
    expect(ready.body.checks.policy).toMatchObject({ ok: true, detail: "serving countersign@r1" });
  });

  it("refuses a tampered bundle: the last good serves; logged, counted, in /readyz and in the trail", async () => {
    const entries = await listTarGz(await writeSigned("signed r2", "r2"));
    const tampered = await makeTarGz(
      entries.map((e) => ({ name: e.name, body: e.name === "/p.rego" ? e.body.toString().replace("signed r2", "forged") : e.body })),
    );
    await writeFileAtomic(path.join(dir, "countersign.tar.gz"), tampered);
    await service.source.reload();

    expect((await decide()).body).toMatchObject({ outcome: "allow", reasons: ["signed r1"], policy: { revision: "r1" } });
    expect(await refusalsOf("COUNTERSIGN_BUNDLE_BAD_SIGNATURE")).toBe(1);
    const ready = await request(service.app).get("/readyz");
    expect(ready.body.checks.policy.detail).toMatch(
      /serving countersign@r1; last refused: .*countersign\.tar\.gz: p\.rego: digest mismatch/,
    );
    expect(
      service.log
        .lines()
        .some((l) => l["level"] === "error" && /refused \(revision r1 keeps serving\).*digest mismatch/.test(String(l["message"]))),
    ).toBe(true);
    expect(await auditRefusal("COUNTERSIGN_BUNDLE_BAD_SIGNATURE")).toMatchObject({ bundle: "countersign", serving_revision: "r1" });
  });

  it("refuses an unsigned bundle the same way", async () => {
    await writeBundle(dir, policy("unsigned"), { revision: "r3" });
    await service.source.reload();
    expect((await decide()).body).toMatchObject({ reasons: ["signed r1"], policy: { revision: "r1" } });
    expect(await refusalsOf("COUNTERSIGN_BUNDLE_UNSIGNED")).toBe(1);
    expect(await auditRefusal("COUNTERSIGN_BUNDLE_UNSIGNED")).toMatchObject({ serving_revision: "r1" });
  });

  it("activates the next properly signed revision", async () => {
    await writeSigned("signed r4", "r4");
    await service.source.reload();
    expect((await decide()).body).toMatchObject({ reasons: ["signed r4"], policy: { revision: "r4" } });
  });
});

describe("bundles configuration", () => {
  const identities = "identities:\n  - id: svc:ci\n    kind: service\n    api_keys_sha256: ['" + "a".repeat(64) + "']\n";
  const parse = (yaml: string, env: Record<string, string> = {}, origin = path.join(tempDir(), "c.yaml")) =>
    parseServiceConfig(yaml + identities, origin, env);

  it("reads keys from a file (relative to the configuration), the environment or inline", () => {
    const cfgDir = tempDir();
    fs.writeFileSync(path.join(cfgDir, "release.pem"), PUBLIC_PEM);
    const config = parse(
      `bundles:\n  verification:\n    keys:\n      release: {key_file: release.pem, algorithm: RS256}\n      ci: {key_env: CI_KEY, algorithm: HS256, scope: write}\n      inline: {key: "${"s".repeat(32)}", algorithm: HS512}\n    exclude_files: ["*.md"]\n`,
      { CI_KEY: "shared-secret" },
      path.join(cfgDir, "c.yaml"),
    );
    const v = config.bundles.verification!;
    expect([...v.keys.keys()]).toEqual(["release", "ci", "inline"]);
    expect(v.keys.get("ci")).toMatchObject({ algorithm: "HS256", scope: "write" });
    expect(v).toMatchObject({ excludeFiles: ["*.md"], requireSignature: false });
    expect(
      parse("mode: development\nbundles:\n  verification:\n    key_id: inline\n    keys:\n      inline: {key: x, algorithm: HS256}\n")
        .bundles.verification!.requireSignature,
    ).toBe(true);
  });

  it("refuses bad keys, unknown algorithms, a key_id without its key, and unverified bundle servers in production", () => {
    expect(() => parse("bundles:\n  verification:\n    keys:\n      k: {key: not-pem, algorithm: RS256}\n")).toThrow(
      /bundles.verification.keys.k not a PEM public key/,
    );
    expect(() => parse("bundles:\n  verification:\n    keys:\n      k: {key: x, algorithm: RS007}\n")).toThrow(/algorithm must be one of/);
    expect(() => parse("bundles:\n  verification:\n    keys:\n      k: {key: x, key_env: Y, algorithm: HS256}\n")).toThrow(
      /exactly one of key, key_file and key_env/,
    );
    expect(() => parse("bundles:\n  verification:\n    key_id: other\n    keys:\n      k: {key: x, algorithm: HS256}\n")).toThrow(
      /key_id names other/,
    );
    expect(() => parse("mode: production\nbundles:\n  remote: {url: 'https://bundles.example.com/b.tar.gz'}\n")).toThrow(
      /needs bundles.verification in production/,
    );
  });

  it("resolves bundles.remote: poll bounds in milliseconds, the bearer token from the environment", () => {
    const config = parse(
      "bundles:\n  remote:\n    url: https://bundles.example.com/countersign.tar.gz\n    poll_min_seconds: 5\n    poll_max_seconds: 15\n    headers: {X-Tenant: acme}\n    credentials: {bearer: {token_env: BUNDLE_TOKEN}}\n",
      { BUNDLE_TOKEN: "t0k" },
    );
    expect(config.bundles.remote).toMatchObject({
      url: "https://bundles.example.com/countersign.tar.gz",
      pollMinMs: 5000,
      pollMaxMs: 15000,
      headers: { "X-Tenant": "acme", Authorization: "Bearer t0k" },
    });
    expect(() => parse("bundles:\n  remote: {url: 'https://b.example.com/x', credentials: {bearer: {token_env: NOPE}}}\n")).toThrow(
      /names NOPE, which is not set/,
    );
    expect(() => parse("bundles:\n  remote: {url: 'https://b.example.com/x', poll_min_seconds: 30, poll_max_seconds: 10}\n")).toThrow(
      /must not exceed poll_max_seconds/,
    );
  });
});
