/**
 * Bundle signatures as OPA writes and checks them: file digests (OPA's vectors), tokens OPA signed verifying
 * here, bundles we sign verifying (and every kind of tampering refused), and the canonical JSON digest being
 * independent of whitespace and key order.
 */

import { generateKeyPairSync } from "node:crypto";
import * as fc from "fast-check";
import { decodeJwt, decodeProtectedHeader } from "jose";
import type { Bundle } from "../../src/bundle/bundle";
import { BundleError } from "../../src/bundle/bundle-error";
import { signingKeyFrom, verificationKeyFrom, type SigningAlgorithm } from "../../src/bundle/bundle-keys";
import { decodeBundle, decodeVerifiedBundle } from "../../src/bundle/bundle-reader";
import { signBundle, signedFilesOf } from "../../src/bundle/bundle-signing";
import { globMatch, verifyBundleFiles, type VerificationConfig, type VerificationKey } from "../../src/bundle/bundle-verification";
import { encodeBundle } from "../../src/bundle/bundle-writer";
import { fileDigest } from "../../src/bundle/file-digest";
import { bundleFrom, constantDecision } from "../engine/engine-fixtures";
import { makeTarGz, listTarGz } from "./fixtures/tarball";
import {
  OPA_BASEDIR_FILES,
  OPA_BASEDIR_TOKEN,
  OPA_FILE_DIGESTS,
  OPA_HS256_SECRET,
  OPA_OTHER_RSA_PUBLIC_KEY,
  OPA_RS256_TOKEN,
  OPA_RSA_PRIVATE_KEY,
  OPA_RSA_PUBLIC_KEY,
} from "./fixtures/opa-signing-vectors";

const files = (list: readonly { path: string; body: string }[]) => list.map((f) => ({ path: f.path, body: Buffer.from(f.body) }));
const sigs = (token: string) => Buffer.from(JSON.stringify({ signatures: [token] }));

function config(keys: Record<string, VerificationKey>, more: Partial<VerificationConfig> = {}): VerificationConfig {
  return { keys: new Map(Object.entries(keys)), excludeFiles: [], requireSignature: true, ...more };
}
const hs = (secret: string): VerificationKey => ({ key: verificationKeyFrom(secret, "HS256", "test"), algorithm: "HS256" });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof BundleError) return err.code;
    throw err;
  }
  return "verified";
}

describe("file digests", () => {
  it.each(OPA_FILE_DIGESTS)("gives OPA's $algorithm digest of $path", ({ path, body, algorithm, hash }) => {
    expect(fileDigest(path.slice(1), Buffer.from(body), algorithm)).toBe(hash);
  });

  it("hashes structured files independently of whitespace and key order (property)", () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(json, (v) => {
        const compact = fileDigest("data.json", Buffer.from(JSON.stringify(v)), "SHA-256");
        const pretty = fileDigest("x/data.json", Buffer.from(JSON.stringify(v, null, 3)), "SHA-256");
        const reordered = fileDigest("data.json", Buffer.from(JSON.stringify(reverseKeys(v))), "SHA-256");
        expect(pretty).toBe(compact);
        expect(reordered).toBe(compact);
      }),
      { numRuns: 200 },
    );
  });

  it("keeps number literals as written, as OPA's json.Number does", () => {
    expect(fileDigest("data.json", Buffer.from("[1.0]"), "SHA-256")).not.toBe(fileDigest("data.json", Buffer.from("[1]"), "SHA-256"));
    expect(fileDigest("data.json", Buffer.from('{"n":123.45678911111111111111111111}'), "SHA-256")).toBe(
      fileDigest("data.json", Buffer.from('{ "n" : 123.45678911111111111111111111 }'), "SHA-256"),
    );
  });

  it("hashes data.yml and every other file as bytes", () => {
    expect(fileDigest("data.yml", Buffer.from("a: 1"), "SHA-256")).not.toBe(fileDigest("data.yml", Buffer.from("a:  1"), "SHA-256"));
  });

  it("matches exclude_files patterns as Go's path.Match does (OPA's cases)", () => {
    expect(globMatch("data.json", "data.json")).toBe(true);
    expect(globMatch(".*", ".manifest")).toBe(true);
    expect(globMatch(".*", "data.json")).toBe(false);
    expect(globMatch("/a/b/*", "/a/b/data.json")).toBe(true);
    expect(globMatch("/a/b/*", "/a/b/c/data.json")).toBe(false);
    expect(globMatch("a/[^x]/?.rego", "a/b/c.rego")).toBe(true);
  });
});

describe("tokens OPA signed", () => {
  it("verifies OPA's HS256-signed bundle files (kid foo, scope write)", async () => {
    const outcome = await verifyBundleFiles(
      files(OPA_BASEDIR_FILES),
      sigs(OPA_BASEDIR_TOKEN),
      config({ foo: hs(OPA_HS256_SECRET) }, { scope: "write" }),
    );
    expect(outcome).toEqual({ signed: true, keyId: "foo", files: 3, excluded: [] });
  });

  it("refuses OPA's bundle when a file changed, one is missing, one is added, the key or the scope is wrong", async () => {
    const good = config({ foo: hs(OPA_HS256_SECRET) }, { scope: "write" });
    const tampered = files(OPA_BASEDIR_FILES).map((f) => (f.path.endsWith("data.json") ? { ...f, body: Buffer.from("[1,2,4]") } : f));
    await expect(verifyBundleFiles(tampered, sigs(OPA_BASEDIR_TOKEN), good)).rejects.toThrow(/a\/b\/c\/data.json: digest mismatch/);
    await expect(verifyBundleFiles(files(OPA_BASEDIR_FILES).slice(1), sigs(OPA_BASEDIR_TOKEN), good)).rejects.toThrow(
      /foo\/bar\/.manifest listed in the bundle signature but not found/,
    );
    const extra = [...files(OPA_BASEDIR_FILES), { path: "/foo/bar/evil.rego", body: Buffer.from("package evil") }];
    await expect(verifyBundleFiles(extra, sigs(OPA_BASEDIR_TOKEN), good)).rejects.toThrow(
      /foo\/bar\/evil.rego is not included in the bundle signature/,
    );
    await expect(
      verifyBundleFiles(files(OPA_BASEDIR_FILES), sigs(OPA_BASEDIR_TOKEN), config({ foo: hs("bad_secret") }, { scope: "write" })),
    ).rejects.toThrow(/does not verify with key 'foo'/);
    await expect(
      verifyBundleFiles(files(OPA_BASEDIR_FILES), sigs(OPA_BASEDIR_TOKEN), config({ foo: hs(OPA_HS256_SECRET) }, { scope: "bad_scope" })),
    ).rejects.toThrow(/scope mismatch/);
    await expect(
      verifyBundleFiles(files(OPA_BASEDIR_FILES), sigs(OPA_BASEDIR_TOKEN), config({ bar: hs(OPA_HS256_SECRET) }, { scope: "write" })),
    ).rejects.toThrow(/key 'foo' is not configured/);
  });

  it("verifies OPA's RS256 token with its public key, and not with another", async () => {
    // The token lists two files whose contents OPA's test does not give, so they are excluded by pattern.
    const listed = [
      { path: "/db/uam2/entitlements/data.json", body: Buffer.from("{}") },
      { path: "/db/uam2/policy/opa-policy.rego", body: Buffer.from("package x") },
    ];
    const rsa = (pem: string): VerificationKey => ({ key: verificationKeyFrom(pem, "RS256", "test"), algorithm: "RS256" });
    const cfg = (pem: string) => config({ foo: rsa(pem) }, { scope: "write", excludeFiles: ["db/uam2/*/*"] });
    expect(await verifyBundleFiles(listed, sigs(OPA_RS256_TOKEN), cfg(OPA_RSA_PUBLIC_KEY))).toMatchObject({
      signed: true,
      keyId: "foo",
      excluded: listed.map((f) => f.path.slice(1)),
    });
    expect(await codeOf(verifyBundleFiles(listed, sigs(OPA_RS256_TOKEN), cfg(OPA_OTHER_RSA_PUBLIC_KEY)))).toBe(
      "COUNTERSIGN_BUNDLE_BAD_SIGNATURE",
    );
  });

  it("refuses what OPA refuses in .signatures.json itself", async () => {
    const cfg = config({ foo: hs(OPA_HS256_SECRET) }, { scope: "write" });
    await expect(verifyBundleFiles([], Buffer.from('{"signatures": []}'), cfg)).rejects.toThrow(/missing JWT \(expected exactly one\)/);
    await expect(verifyBundleFiles([], sigs(OPA_BASEDIR_TOKEN).subarray(0, 0), cfg)).rejects.toThrow(/not JSON/);
    await expect(
      verifyBundleFiles([], Buffer.from(JSON.stringify({ signatures: [OPA_BASEDIR_TOKEN, OPA_BASEDIR_TOKEN] })), cfg),
    ).rejects.toThrow(/multiple JWTs/);
    await expect(
      verifyBundleFiles([], Buffer.from(JSON.stringify({ signatures: [OPA_BASEDIR_TOKEN], plugin: "custom" })), cfg),
    ).rejects.toThrow(/plugin 'custom' is not supported/);
    await expect(verifyBundleFiles([], sigs("a.b"), cfg)).rejects.toThrow(/compact form/);
    // Signed, but nothing to verify it with: refused, as OPA refuses it.
    expect(await codeOf(verifyBundleFiles(files(OPA_BASEDIR_FILES), sigs(OPA_BASEDIR_TOKEN), undefined))).toBe(
      "COUNTERSIGN_BUNDLE_BAD_SIGNATURE",
    );
  });
});

describe("bundles we sign", () => {
  let bundle: Bundle;
  beforeAll(async () => {
    bundle = await bundleFrom(
      { "p.rego": constantDecision({ outcome: "allow", reasons: ["signed"] }) },
      { revision: "r1", data: { team: ["ana"], n: 1.5 } },
    );
  });

  const pairs: [SigningAlgorithm, () => { priv: string; pub: string }][] = [
    ["RS256", () => pemPair("rsa", { modulusLength: 2048 })],
    ["PS384", () => pemPair("rsa", { modulusLength: 2048 })],
    ["ES256", () => pemPair("ec", { namedCurve: "P-256" })],
    ["EdDSA", () => pemPair("ed25519", {})],
    ["HS256", () => ({ priv: "shared-secret-of-32-bytes-or-so!", pub: "shared-secret-of-32-bytes-or-so!" })],
  ];

  it.each(pairs)("signs with %s as opa build does, and the archive verifies", async (alg, make) => {
    const { priv, pub } = make();
    const signed = await signBundle(bundle, { key: signingKeyFrom(priv, alg, "k"), algorithm: alg, keyId: "release" });
    const bytes = await encodeBundle(signed);
    const names = (await listTarGz(bytes)).map((e) => e.name);
    expect(names).toEqual(["/data.json", "/p.rego", "/policy.wasm", "/.signatures.json", "/.manifest"]);

    const token = (signed.signatures as { signatures: string[] }).signatures[0]!;
    expect(decodeProtectedHeader(token)).toEqual({ alg, kid: "release" });
    const claims = decodeJwt(token) as { files: { name: string; algorithm: string }[]; keyid: string };
    expect(claims.keyid).toBe("release");
    expect(claims.files.map((f) => f.name).sort()).toEqual([".manifest", "data.json", "p.rego", "policy.wasm"]);
    expect(new Set(claims.files.map((f) => f.algorithm))).toEqual(new Set(["SHA-256"]));

    const key: VerificationKey = { key: verificationKeyFrom(pub, alg, "k"), algorithm: alg };
    const { bundle: read, verification } = await decodeVerifiedBundle(bytes, config({ release: key }));
    expect(verification).toEqual({ signed: true, keyId: "release", files: 4, excluded: [] });
    expect(read.manifest.revision).toBe("r1");
  });

  it("signs with OPA's RSA test key into a token OPA's public key verifies, with claims from a claims file", async () => {
    const signed = await signBundle(bundle, {
      key: signingKeyFrom(OPA_RSA_PRIVATE_KEY, "RS256", "k"),
      algorithm: "RS256",
      keyId: "foo",
      claims: { scope: "write", iss: "ci" },
    });
    const token = (signed.signatures as { signatures: string[] }).signatures[0]!;
    expect(decodeJwt(token)).toMatchObject({ scope: "write", iss: "ci" });
    expect(decodeJwt(token)["keyid"]).toBeUndefined();
    const cfg = config({ foo: { key: verificationKeyFrom(OPA_RSA_PUBLIC_KEY, "RS256", "k"), algorithm: "RS256" } }, { scope: "write" });
    await expect(decodeVerifiedBundle(await encodeBundle(signed), cfg)).resolves.toMatchObject({
      verification: { signed: true, keyId: "foo" },
    });
  });

  it("refuses a tampered file, a wrong key, a missing signature; excluded files pass unverified", async () => {
    const { priv, pub } = pemPair("ec", { namedCurve: "P-256" });
    const signed = await signBundle(bundle, { key: signingKeyFrom(priv, "ES256", "k"), algorithm: "ES256", keyId: "k1" });
    const cfg = config({ k1: { key: verificationKeyFrom(pub, "ES256", "k"), algorithm: "ES256" } });

    // Rewrite data.json inside the signed archive: a signed bundle whose data someone changed.
    const entries = await listTarGz(await encodeBundle(signed));
    const tampered = await makeTarGz(
      entries.map((e) =>
        e.name === "/data.json" ? { name: e.name, body: '{"n":1.5,"team":["mallory"]}\n' } : { name: e.name, body: e.body },
      ),
    );
    expect(await codeOf(decodeVerifiedBundle(tampered, cfg))).toBe("COUNTERSIGN_BUNDLE_BAD_SIGNATURE");
    await expect(decodeVerifiedBundle(tampered, cfg)).rejects.toThrow(/data.json: digest mismatch/);
    // The same change passes when data.json is excluded from verification.
    await expect(decodeVerifiedBundle(tampered, { ...cfg, excludeFiles: ["data.json"] })).resolves.toMatchObject({
      verification: { excluded: ["data.json"] },
    });

    const other = pemPair("ec", { namedCurve: "P-256" });
    const wrong = config({ k1: { key: verificationKeyFrom(other.pub, "ES256", "k"), algorithm: "ES256" } });
    expect(await codeOf(decodeVerifiedBundle(await encodeBundle(signed), wrong))).toBe("COUNTERSIGN_BUNDLE_BAD_SIGNATURE");

    const unsigned = await encodeBundle(bundle);
    expect(await codeOf(decodeVerifiedBundle(unsigned, cfg))).toBe("COUNTERSIGN_BUNDLE_UNSIGNED");
    await expect(decodeVerifiedBundle(unsigned, { ...cfg, requireSignature: false })).resolves.toMatchObject({
      verification: { signed: false },
    });
    // Reading without verification (eval, inspection) still accepts both.
    await expect(decodeBundle(tampered)).resolves.toBeDefined();
  });

  it("lists the same files and digests for a bundle as its archive holds", async () => {
    const listed = signedFilesOf(bundle);
    const entries = (await listTarGz(await encodeBundle(bundle))).filter((e) => e.name !== "/.signatures.json");
    expect(listed.map((f) => f.name)).toEqual(entries.map((e) => e.name.slice(1)));
    for (const e of entries) expect(listed.find((f) => f.name === e.name.slice(1))!.hash).toBe(fileDigest(e.name, e.body, "SHA-256"));
  });
});

function pemPair(type: "rsa" | "ec" | "ed25519", opts: object): { priv: string; pub: string } {
  const { privateKey, publicKey } = generateKeyPairSync(type as "rsa", opts as { modulusLength: number });
  return {
    priv: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    pub: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .reverse()
        .map(([k, x]) => [k, reverseKeys(x)]),
    );
  }
  return v;
}
