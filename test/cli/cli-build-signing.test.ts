/**
 * `countersign build --signing-key`: the bundle carries `/.signatures.json` as `opa build` writes it (a JWS
 * with kid and claims over every file's digest), it verifies with the public key, and bad signing options
 * fail clearly without writing a bundle.
 */

import { generateKeyPairSync } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { verificationKeyFrom } from "../../src/bundle/bundle-keys";
import { decodeVerifiedBundle } from "../../src/bundle/bundle-reader";
import { countersign } from "./cli-helpers";
import { useTempTree } from "../support/temp-tree";

const tree = useTempTree("countersign-cli-sign-");
const DECISION = 'package countersign\n\ndecision := {"outcome": "allow", "reasons": ["ok"]}\n';

describe("countersign build --signing-key", () => {
  it("signs with ES256, a key id and a claims file; the bundle verifies with the public key", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const keyFile = await tree.write("keys/private.pem", privateKey.export({ type: "pkcs8", format: "pem" }).toString());
    const claims = await tree.write("claims.json", '{"scope": "write", "iss": "release-pipeline"}');
    await tree.write("rego/decision.rego", DECISION);
    const out = path.join(tree.dir, "signed.tar.gz");
    const run = await countersign([
      "build",
      path.join(tree.dir, "rego"),
      "-o",
      out,
      "--signing-key",
      keyFile,
      "--signing-alg",
      "ES256",
      "--signing-key-id",
      "release",
      "--claims-file",
      claims,
    ]);
    expect(run.stderr).toMatch(/signed ES256, key id release\)$/m);
    expect(run.code).toBe(0);

    const cfg = {
      keys: new Map([
        [
          "release",
          {
            key: verificationKeyFrom(publicKey.export({ type: "spki", format: "pem" }).toString(), "ES256", "t"),
            algorithm: "ES256" as const,
          },
        ],
      ]),
      scope: "write",
      excludeFiles: [],
      requireSignature: true,
    };
    const { bundle, verification } = await decodeVerifiedBundle(await fs.readFile(out), cfg);
    expect(verification).toEqual({ signed: true, keyId: "release", files: 4, excluded: [] });
    const token = (bundle.signatures as { signatures: string[] }).signatures[0]!;
    expect(decodeProtectedHeader(token)).toEqual({ alg: "ES256", kid: "release" });
    expect(decodeJwt(token)).toMatchObject({ scope: "write", iss: "release-pipeline" });
  });

  it("signs with RS256 and key id `default` unless told otherwise, and HS256 takes the secret itself", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const keyFile = await tree.write("k.pem", privateKey.export({ type: "pkcs1", format: "pem" }).toString());
    await tree.write("rego/decision.rego", DECISION);
    const rs = path.join(tree.dir, "rs.tar.gz");
    expect((await countersign(["build", path.join(tree.dir, "rego"), "-o", rs, "--signing-key", keyFile])).code).toBe(0);
    const hs = path.join(tree.dir, "hs.tar.gz");
    expect(
      (await countersign(["build", path.join(tree.dir, "rego"), "-o", hs, "--signing-key", "a-shared-secret", "--signing-alg", "HS256"]))
        .code,
    ).toBe(0);
    const hsCfg = {
      keys: new Map([["default", { key: verificationKeyFrom("a-shared-secret", "HS256", "t"), algorithm: "HS256" as const }]]),
      excludeFiles: [],
      requireSignature: true,
    };
    await expect(decodeVerifiedBundle(await fs.readFile(hs), hsCfg)).resolves.toMatchObject({
      verification: { signed: true, keyId: "default" },
    });
    const { bundle } = await decodeVerifiedBundle(await fs.readFile(rs), { ...hsCfg, keys: new Map() }).catch(() => ({ bundle: null }));
    expect(bundle).toBeNull(); // RS256-signed: no key "default" configured here, so refused
  });

  it("fails clearly on an unknown algorithm, an unreadable key, a bad claims file, or options without a key", async () => {
    await tree.write("rego/decision.rego", DECISION);
    const out = path.join(tree.dir, "x.tar.gz");
    const src = path.join(tree.dir, "rego");
    const alg = await countersign(["build", src, "-o", out, "--signing-key", "k", "--signing-alg", "RS007"]);
    expect(alg.stderr).toContain("--signing-alg RS007 is not supported");
    const missing = await countersign(["build", src, "-o", out, "--signing-key", path.join(tree.dir, "nope.pem")]);
    expect(missing.stderr).toContain("[COUNTERSIGN_BUNDLE_IO]");
    const notPem = await countersign(["build", src, "-o", out, "--signing-key", await tree.write("bad.pem", "not a key")]);
    expect(notPem.stderr).toContain("[COUNTERSIGN_BUNDLE_BAD_KEY]");
    const claims = await countersign([
      "build",
      src,
      "-o",
      out,
      "--signing-key",
      "s",
      "--signing-alg",
      "HS256",
      "--claims-file",
      await tree.write("c.json", "[1]"),
    ]);
    expect(claims.stderr).toContain("the claims must be a JSON object");
    const noKey = await countersign(["build", src, "-o", out, "--claims-file", "c.json"]);
    expect(noKey.stderr).toContain("need --signing-key");
    for (const r of [alg, missing, notPem, claims, noKey]) expect(r.code).toBe(1);
    await expect(fs.stat(out)).rejects.toMatchObject({ code: "ENOENT" });
  });
});
