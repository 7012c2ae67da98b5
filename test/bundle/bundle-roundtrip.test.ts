/**
 * Bundles we write: OPA's layout, byte-for-byte determinism, content revisions, and reading them back.
 */

import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { assembleBundle, type BundleContents } from "../../src/bundle/bundle-assembly";
import { decodeBundle, readBundleFile } from "../../src/bundle/bundle-reader";
import { encodeBundle, writeBundleFile } from "../../src/bundle/bundle-writer";
import { loadCompiledPolicy } from "../../src/policy/compiled-policy";
import { fakeOpaWasm } from "./fixtures/fake-opa-wasm";
import { listTarGz } from "./fixtures/tarball";

const contents = (over: Partial<BundleContents> = {}): BundleContents => ({
  wasm: fakeOpaWasm(),
  entrypoints: ["fixed/allow", "fixed/data"],
  data: { teams: { payments: { approvers: ["ana", "bo"] } }, limits: { max: 3 } },
  regoFiles: [
    { path: "countersign/decision.rego", text: 'package countersign\n\ndecision := "allow"\n' },
    { path: "lib/util.rego", text: "package lib\n" },
  ],
  ...over,
});

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "countersign-bundle-"));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("bundle writer", () => {
  it("lays entries out as opa build -t wasm does: leading slash, OPA's order, mode 0600, mtime 0", async () => {
    const entries = await listTarGz(await encodeBundle(assembleBundle(contents())));
    expect(entries.map((e) => e.name)).toEqual([
      "/data.json",
      "/countersign/decision.rego",
      "/lib/util.rego",
      "/policy.wasm",
      "/.manifest",
    ]);
    for (const e of entries) {
      expect(e.mode).toBe(0o600);
      expect(e.mtime).toBe(0);
    }
  });

  it("writes a manifest in OPA's shape", async () => {
    const bundle = assembleBundle(contents({ revision: "r1" }));
    const entries = await listTarGz(await encodeBundle(bundle));
    const manifest = JSON.parse(entries.find((e) => e.name === "/.manifest")!.body.toString());
    expect(manifest).toEqual({
      revision: "r1",
      roots: [""],
      wasm: [
        { entrypoint: "fixed/allow", module: "/policy.wasm" },
        { entrypoint: "fixed/data", module: "/policy.wasm" },
      ],
      rego_version: 1,
    });
    expect(Object.keys(manifest)).toEqual(["revision", "roots", "wasm", "rego_version"]);
  });

  it("writes data.json with sorted keys and a trailing newline, as Go's encoder does", async () => {
    const entries = await listTarGz(await encodeBundle(assembleBundle(contents())));
    expect(entries[0]!.body.toString()).toBe('{"limits":{"max":3},"teams":{"payments":{"approvers":["ana","bo"]}}}\n');
  });

  it("gives byte-identical archives for the same sources", async () => {
    const a = await encodeBundle(assembleBundle(contents()));
    const b = await encodeBundle(assembleBundle(contents({ regoFiles: [...contents().regoFiles].reverse() })));
    expect(Buffer.compare(a, b)).toBe(0);
    await writeBundleFile(path.join(tmp, "a.tar.gz"), assembleBundle(contents()));
    await writeBundleFile(path.join(tmp, "b.tar.gz"), assembleBundle(contents()));
    expect(Buffer.compare(await fs.readFile(path.join(tmp, "a.tar.gz")), await fs.readFile(path.join(tmp, "b.tar.gz")))).toBe(0);
  });

  it("derives the revision from the contents unless one is given", () => {
    const r1 = assembleBundle(contents()).manifest.revision;
    expect(r1).toMatch(/^[0-9a-f]{64}$/);
    expect(assembleBundle(contents()).manifest.revision).toBe(r1);
    expect(assembleBundle(contents({ data: { limits: { max: 4 } } })).manifest.revision).not.toBe(r1);
    expect(assembleBundle(contents({ wasm: fakeOpaWasm({ memoryMaximum: 9 }) })).manifest.revision).not.toBe(r1);
    expect(assembleBundle(contents({ regoFiles: [] })).manifest.revision).not.toBe(r1);
    expect(assembleBundle(contents({ revision: "v42" })).manifest.revision).toBe("v42");
  });

  it("replaces an existing bundle atomically and leaves no temporary files", async () => {
    const file = path.join(tmp, "out", "bundle.tar.gz");
    await writeBundleFile(file, assembleBundle(contents({ revision: "one" })));
    await writeBundleFile(file, assembleBundle(contents({ revision: "two" })));
    expect((await readBundleFile(file)).manifest.revision).toBe("two");
    expect(await fs.readdir(path.dirname(file))).toEqual(["bundle.tar.gz"]);
  });

  it("fails with COUNTERSIGN_BUNDLE_IO and writes nothing when the target cannot be written", async () => {
    await fs.writeFile(path.join(tmp, "blocker"), "a file, not a directory");
    const file = path.join(tmp, "blocker", "bundle.tar.gz");
    await expect(writeBundleFile(file, assembleBundle(contents()))).rejects.toMatchObject({
      code: "COUNTERSIGN_BUNDLE_IO",
    });
    expect(await fs.readdir(tmp)).toEqual(["blocker"]);
  });
});

describe("bundle round trip", () => {
  it("reads back what it wrote", async () => {
    const bundle = assembleBundle(contents());
    const read = await decodeBundle(await encodeBundle(bundle));
    expect(read.manifest).toEqual(bundle.manifest);
    expect(read.data).toEqual(bundle.data);
    expect(read.regoFiles).toEqual(bundle.regoFiles);
    expect(read.wasmModules).toHaveLength(1);
    expect(read.wasmModules[0]!.path).toBe("/policy.wasm");
    expect(Buffer.from(read.wasmModules[0]!.wasm)).toEqual(Buffer.from(fakeOpaWasm()));
    expect(read.wasmModules[0]!.entrypoints).toEqual(["fixed/allow", "fixed/data"]);
  });

  it("evaluates the module of a bundle read back, with the bundle's data", async () => {
    const read = await decodeBundle(await encodeBundle(assembleBundle(contents())));
    const policy = await loadCompiledPolicy(read.wasmModules[0]!.wasm, read.data);
    expect(policy.evaluate("fixed/data")).toEqual([contents().data]);
  });
});
