/**
 * Gathering build sources: recursive walk, test files left out, data merged at directory paths.
 */

import * as path from "node:path";
import { loadSourceSet } from "../../src/bundle/source-set";
import { useTempTree } from "../support/temp-tree";

const tree = useTempTree("countersign-src-");
const write = tree.write;

describe("loadSourceSet", () => {
  it("walks directories in sorted order, leaving out *_test.rego and hidden entries", async () => {
    await write("rego/b.rego", "package b\n");
    await write("rego/a/a.rego", "package a\n");
    await write("rego/a/a_test.rego", "package a_test\n");
    await write("rego/.git/x.rego", "package hidden\n");
    await write("rego/notes.txt", "ignored");
    const set = await loadSourceSet([path.join(tree.dir, "rego")]);
    expect(set.modules.map((m) => m.bundlePath)).toEqual(["/a/a.rego", "/b.rego"]);
    expect(set.modules[0]!.file).toBe(path.join(tree.dir, "rego", "a", "a.rego"));
  });

  it("merges data files at their directory path below the argument, and named files at the root", async () => {
    await write("rego/teams/payments/data.json", '{"approvers": ["ana"]}');
    await write("rego/teams/limits.yaml", "max: 3\n");
    await write("rego/data.json", '{"stage": "prod"}');
    const extra = await write("extra.yaml", "region: eu\n");
    const set = await loadSourceSet([path.join(tree.dir, "rego"), extra]);
    expect(set.data).toEqual({ stage: "prod", region: "eu", teams: { max: 3, payments: { approvers: ["ana"] } } });
  });

  it("stores a named .rego file at its base name", async () => {
    const f = await write("deep/dir/policy.rego", "package p\n");
    const set = await loadSourceSet([f]);
    expect(set.modules.map((m) => [m.file, m.bundlePath])).toEqual([[f, "/policy.rego"]]);
  });

  it("refuses two files that would land at the same bundle path", async () => {
    const a = await write("x/policy.rego", "package a\n");
    const b = await write("y/policy.rego", "package b\n");
    await expect(loadSourceSet([a, b])).rejects.toMatchObject({ code: "COUNTERSIGN_BUNDLE_DUPLICATE_PATH" });
  });

  it("refuses data files that set the same value differently", async () => {
    const a = await write("a.json", '{"x": 1}');
    const b = await write("b.json", '{"x": 2}');
    await expect(loadSourceSet([a, b])).rejects.toMatchObject({ code: "COUNTERSIGN_BUNDLE_DATA_CONFLICT" });
  });

  it("reports missing paths, bad data and unknown file kinds with stable codes", async () => {
    await expect(loadSourceSet([path.join(tree.dir, "nope")])).rejects.toMatchObject({ code: "COUNTERSIGN_BUNDLE_IO" });
    const bad = await write("bad.json", "{");
    await expect(loadSourceSet([bad])).rejects.toMatchObject({ code: "COUNTERSIGN_BUNDLE_BAD_JSON" });
    const txt = await write("x.txt", "");
    await expect(loadSourceSet([txt])).rejects.toMatchObject({ code: "COUNTERSIGN_BUNDLE_IO" });
  });
});
