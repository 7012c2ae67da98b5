/**
 * Reading bundles other tools wrote (OPA's own layout and `tar`-made variants) and refusing broken ones
 * with stable codes.
 */

import { gzipSync } from "node:zlib";
import { wasmModuleFor } from "../../src/bundle/bundle";
import { decodeBundle } from "../../src/bundle/bundle-reader";
import { BundleError } from "../../src/bundle/bundle-error";
import { fakeOpaWasm } from "./fixtures/fake-opa-wasm";
import { makeTarGz, type TarEntry } from "./fixtures/tarball";

// What `opa build -t wasm -e example/allow example.rego` writes: names with a leading "/", the manifest
// last, data.json first, a trailing newline after each JSON document.
const OPA_MANIFEST = '{"revision":"","roots":[""],"wasm":[{"entrypoint":"example/allow","module":"/policy.wasm"}],"rego_version":1}\n';
const opaLayout = (): TarEntry[] => [
  { name: "/data.json", body: '{"roles":{"admin":["ana"]}}\n', mode: 0o600 },
  { name: "/example.rego", body: 'package example\n\nallow if input.user == "ana"\n', mode: 0o600 },
  { name: "/policy.wasm", body: fakeOpaWasm(), mode: 0o600 },
  { name: "/.manifest", body: OPA_MANIFEST, mode: 0o600 },
];

async function codeOf(bytes: Uint8Array): Promise<string> {
  try {
    await decodeBundle(bytes);
  } catch (err) {
    if (err instanceof BundleError) return err.code;
    throw err;
  }
  return "no error";
}

describe("reading OPA-built bundles", () => {
  it("reads the layout opa build -t wasm writes", async () => {
    const b = await decodeBundle(await makeTarGz(opaLayout()));
    expect(b.manifest).toEqual({
      revision: "",
      roots: [""],
      wasm: [{ entrypoint: "example/allow", module: "/policy.wasm" }],
      rego_version: 1,
    });
    expect(b.data).toEqual({ roles: { admin: ["ana"] } });
    expect(b.regoFiles).toEqual([{ path: "/example.rego", text: 'package example\n\nallow if input.user == "ana"\n' }]);
    expect(b.wasmModules.map((m) => [m.path, m.entrypoints])).toEqual([["/policy.wasm", ["example/allow"]]]);
    expect(wasmModuleFor(b, "data.example.allow")?.path).toBe("/policy.wasm");
  });

  it("accepts ./ prefixes and directory entries, as `tar -C dir -czf b.tar.gz .` writes", async () => {
    const entries: TarEntry[] = [
      { name: "./", type: "directory" },
      { name: "./roles/", type: "directory" },
      { name: "./roles/data.json", body: '{"admin":["ana"]}' },
      { name: "./policy.wasm", body: fakeOpaWasm() },
      { name: "./.manifest", body: OPA_MANIFEST },
    ];
    const b = await decodeBundle(await makeTarGz(entries));
    expect(b.data).toEqual({ roles: { admin: ["ana"] } });
    expect(b.wasmModules[0]!.path).toBe("/policy.wasm");
  });

  it("accepts names without any prefix", async () => {
    const entries = opaLayout().map((e) => ({ ...e, name: e.name.slice(1) }));
    const b = await decodeBundle(await makeTarGz(entries));
    expect(b.regoFiles[0]!.path).toBe("/example.rego");
  });

  it("tolerates a missing data.json, signatures, extra files and YAML data", async () => {
    const entries: TarEntry[] = [
      { name: "/policy.wasm", body: fakeOpaWasm() },
      { name: "/.signatures.json", body: '{"signatures":["eyJhbGciOiJSUzI1NiJ9.e30.c2ln"]}' },
      { name: "/README.md", body: "# bundle" },
      { name: "/plan.json", body: "{}" },
      { name: "/limits/data.yaml", body: "max: 3\n" },
      { name: "/.manifest", body: OPA_MANIFEST },
    ];
    const b = await decodeBundle(await makeTarGz(entries));
    expect(b.data).toEqual({ limits: { max: 3 } });
    expect(b.signatures).toEqual({ signatures: ["eyJhbGciOiJSUzI1NiJ9.e30.c2ln"] });
    expect(b.otherFiles).toEqual(["/README.md", "/plan.json"]);
  });

  it("fills OPA's defaults for a minimal manifest", async () => {
    const entries: TarEntry[] = [
      { name: "/policy.wasm", body: fakeOpaWasm() },
      { name: "/.manifest", body: "{}" },
    ];
    const b = await decodeBundle(await makeTarGz(entries));
    expect(b.manifest).toEqual({ revision: "", roots: [""], wasm: [] });
  });

  it("maps entrypoints to each of several wasm modules", async () => {
    const manifest = {
      revision: "7",
      roots: ["a", "b"],
      wasm: [
        { entrypoint: "a/allow", module: "/a/policy.wasm" },
        { entrypoint: "b/allow", module: "b/policy.wasm" },
        { entrypoint: "b/deny", module: "/b/policy.wasm" },
      ],
    };
    const entries: TarEntry[] = [
      { name: "/a/policy.wasm", body: fakeOpaWasm() },
      { name: "/b/policy.wasm", body: fakeOpaWasm({ memoryMaximum: 9 }) },
      { name: "/.manifest", body: JSON.stringify(manifest) },
    ];
    const b = await decodeBundle(await makeTarGz(entries));
    expect(b.wasmModules.map((m) => [m.path, m.entrypoints])).toEqual([
      ["/a/policy.wasm", ["a/allow"]],
      ["/b/policy.wasm", ["b/allow", "b/deny"]],
    ]);
    expect(wasmModuleFor(b, "b/deny")?.path).toBe("/b/policy.wasm");
    expect(wasmModuleFor(b, "c/x")).toBeUndefined();
  });

  it("merges several data files at their directories", async () => {
    const entries: TarEntry[] = [
      { name: "/data.json", body: '{"a":{"x":1}}' },
      { name: "/a/data.json", body: '{"y":2}' },
      { name: "/a/b/data.json", body: "[1,2]" },
      { name: "/policy.wasm", body: fakeOpaWasm() },
      { name: "/.manifest", body: OPA_MANIFEST },
    ];
    const b = await decodeBundle(await makeTarGz(entries));
    expect(b.data).toEqual({ a: { x: 1, y: 2, b: [1, 2] } });
  });
});

describe("refusing broken bundles", () => {
  it("reports bytes that are not gzip as COUNTERSIGN_BUNDLE_CORRUPT", async () => {
    expect(await codeOf(Buffer.from("this is not a bundle"))).toBe("COUNTERSIGN_BUNDLE_CORRUPT");
  });

  it("reports a truncated archive as COUNTERSIGN_BUNDLE_CORRUPT", async () => {
    const whole = await makeTarGz(opaLayout());
    expect(await codeOf(whole.subarray(0, Math.floor(whole.length / 2)))).toBe("COUNTERSIGN_BUNDLE_CORRUPT");
  });

  it("reports gzip that holds no tar as COUNTERSIGN_BUNDLE_CORRUPT", async () => {
    expect(await codeOf(gzipSync(Buffer.alloc(1024, 0x41)))).toBe("COUNTERSIGN_BUNDLE_CORRUPT");
  });

  it("reports a missing manifest as COUNTERSIGN_BUNDLE_NO_MANIFEST", async () => {
    const entries = opaLayout().filter((e) => e.name !== "/.manifest");
    expect(await codeOf(await makeTarGz(entries))).toBe("COUNTERSIGN_BUNDLE_NO_MANIFEST");
  });

  it("reports a bundle without wasm (a plain rego bundle) as COUNTERSIGN_BUNDLE_NO_WASM", async () => {
    const entries = opaLayout().filter((e) => e.name !== "/policy.wasm");
    entries[entries.length - 1] = { name: "/.manifest", body: '{"revision":"x","roots":[""]}' };
    expect(await codeOf(await makeTarGz(entries))).toBe("COUNTERSIGN_BUNDLE_NO_WASM");
  });

  it("reports a manifest that is not JSON as COUNTERSIGN_BUNDLE_BAD_JSON", async () => {
    const entries = opaLayout().map((e) => (e.name === "/.manifest" ? { ...e, body: "{revision:" } : e));
    expect(await codeOf(await makeTarGz(entries))).toBe("COUNTERSIGN_BUNDLE_BAD_JSON");
  });

  it("reports data.json that is not JSON as COUNTERSIGN_BUNDLE_BAD_JSON", async () => {
    const entries = opaLayout().map((e) => (e.name === "/data.json" ? { ...e, body: "{" } : e));
    expect(await codeOf(await makeTarGz(entries))).toBe("COUNTERSIGN_BUNDLE_BAD_JSON");
  });

  it("reports a manifest of the wrong shape as COUNTERSIGN_BUNDLE_BAD_MANIFEST", async () => {
    for (const body of ['{"wasm":{}}', '{"revision":7}', '{"wasm":[{"entrypoint":"a"}]}', "[]"]) {
      const entries = opaLayout().map((e) => (e.name === "/.manifest" ? { ...e, body } : e));
      expect(await codeOf(await makeTarGz(entries))).toBe("COUNTERSIGN_BUNDLE_BAD_MANIFEST");
    }
  });

  it("reports a manifest naming a module that is not there as COUNTERSIGN_BUNDLE_BAD_MANIFEST", async () => {
    const body = '{"wasm":[{"entrypoint":"a/b","module":"/missing/policy.wasm"}]}';
    const entries = opaLayout().map((e) => (e.name === "/.manifest" ? { ...e, body } : e));
    expect(await codeOf(await makeTarGz(entries))).toBe("COUNTERSIGN_BUNDLE_BAD_MANIFEST");
  });

  it("refuses entries that climb out of the bundle", async () => {
    const entries = [...opaLayout(), { name: "../../etc/evil.rego", body: "package evil" }];
    expect(await codeOf(await makeTarGz(entries))).toBe("COUNTERSIGN_BUNDLE_CORRUPT");
  });

  it("refuses an archive holding the same path twice", async () => {
    const entries = [...opaLayout(), { name: "./policy.wasm", body: fakeOpaWasm() }];
    expect(await codeOf(await makeTarGz(entries))).toBe("COUNTERSIGN_BUNDLE_CORRUPT");
  });

  it("refuses data files that disagree as COUNTERSIGN_BUNDLE_DATA_CONFLICT", async () => {
    const entries = [...opaLayout(), { name: "/roles/data.json", body: '{"admin":"bo"}' }];
    expect(await codeOf(await makeTarGz(entries))).toBe("COUNTERSIGN_BUNDLE_DATA_CONFLICT");
  });

  it("stops at the size limit with COUNTERSIGN_BUNDLE_TOO_LARGE", async () => {
    const big = await makeTarGz([...opaLayout(), { name: "/big.bin", body: Buffer.alloc(200_000) }]);
    await expect(decodeBundle(big, { maxBytes: 100_000 })).rejects.toMatchObject({
      code: "COUNTERSIGN_BUNDLE_TOO_LARGE",
    });
  });
});
