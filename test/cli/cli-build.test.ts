/**
 * `countersign build` and `countersign eval <sources>`: bundles from Rego sources, diagnostics with source
 * lines on failure, and no bundle left behind by a failed build.
 *
 * Tests marked "needs the compiler" pass once `compile()` produces modules.
 */

import { promises as fs } from "node:fs";
import * as path from "node:path";
import { readBundleFile } from "../../src/bundle/bundle-reader";
import { countersign } from "./cli-helpers";
import { useTempTree } from "../support/temp-tree";

const tree = useTempTree("countersign-cli-build-");
const write = tree.write;

const DECISION = `package countersign

default decision := "deny"

decision := "allow" if input.user in data.approvers
`;

describe("countersign build, failures", () => {
  it("prints parse errors with the source line and a caret, exit 1, and writes no bundle", async () => {
    await write("rego/broken.rego", "package countersign\n\ndecision := \n");
    const out = path.join(tree.dir, "out.tar.gz");
    const run = await countersign(["build", path.join(tree.dir, "rego"), "-o", out]);
    expect(run.code).toBe(1);
    const file = path.join(tree.dir, "rego", "broken.rego");
    expect(run.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:\\d+:\\d+: rego_parse_error: `, "m"));
    expect(run.stderr).toMatch(/\n {2}.*\n {2}\s*\^/);
    expect(run.stderr).toContain("[COUNTERSIGN_CLI_COMPILE_FAILED]");
    expect(run.stderr).not.toMatch(/^\s+at /m);
    await expect(fs.stat(out)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("leaves an existing bundle untouched when a build fails", async () => {
    await write("rego/broken.rego", "package countersign\n\ndecision := \n");
    const out = await write("out.tar.gz", "previous bundle");
    const run = await countersign(["build", path.join(tree.dir, "rego"), "-o", out]);
    expect(run.code).toBe(1);
    expect(await fs.readFile(out, "utf8")).toBe("previous bundle");
  });

  it("requires -e when the sources do not define countersign/decision", async () => {
    await write("rego/p.rego", "package other\n\nallow := true\n");
    const run = await countersign(["build", path.join(tree.dir, "rego"), "-o", path.join(tree.dir, "b.tar.gz")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("no entrypoint given and the sources do not define countersign/decision");
    expect(run.stderr).toContain("[COUNTERSIGN_BUNDLE_NO_ENTRYPOINT]");
  });

  it("refuses an empty source tree and missing paths", async () => {
    await fs.mkdir(path.join(tree.dir, "empty"));
    const empty = await countersign(["build", path.join(tree.dir, "empty")]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("no .rego policy files found");
    const missing = await countersign(["build", path.join(tree.dir, "missing")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no such file or directory [COUNTERSIGN_BUNDLE_IO]");
  });
});

describe("countersign build (needs the compiler)", () => {
  it("builds countersign/decision by default, with data, leaving out tests", async () => {
    await write("rego/countersign/decision.rego", DECISION);
    await write("rego/countersign/decision_test.rego", "package countersign_test\n\ntest_x if true\n");
    await write("rego/data.json", '{"approvers": ["ana"]}');
    const out = path.join(tree.dir, "dist", "bundle.tar.gz");
    const run = await countersign(["build", path.join(tree.dir, "rego"), "-o", out]);
    expect(run.stderr).toMatch(/^wrote .*bundle\.tar\.gz \(revision [0-9a-f]{64}; entrypoints: countersign\/decision\)$/m);
    expect(run.code).toBe(0);
    const bundle = await readBundleFile(out);
    expect(bundle.manifest.wasm).toEqual([{ entrypoint: "countersign/decision", module: "/policy.wasm" }]);
    expect(bundle.regoFiles.map((f) => f.path)).toEqual(["/countersign/decision.rego"]);
    expect(bundle.data).toEqual({ approvers: ["ana"] });
  });

  it("builds byte-identical bundles from the same sources", async () => {
    await write("rego/countersign/decision.rego", DECISION);
    const a = path.join(tree.dir, "a.tar.gz");
    const b = path.join(tree.dir, "b.tar.gz");
    expect((await countersign(["build", path.join(tree.dir, "rego"), "-o", a])).code).toBe(0);
    expect((await countersign(["build", path.join(tree.dir, "rego"), "-o", b])).code).toBe(0);
    expect(Buffer.compare(await fs.readFile(a), await fs.readFile(b))).toBe(0);
  });

  it("records explicit entrypoints and revision", async () => {
    await write("p.rego", 'package app.rbac\n\nallow if input.role == "admin"\n\ndeny if not allow\n');
    const out = path.join(tree.dir, "b.tar.gz");
    const run = await countersign([
      "build",
      path.join(tree.dir, "p.rego"),
      "-e",
      "app/rbac/allow",
      "-e",
      "data.app.rbac.deny",
      "--revision",
      "v7",
      "-o",
      out,
    ]);
    expect(run.code).toBe(0);
    const bundle = await readBundleFile(out);
    expect(bundle.manifest.revision).toBe("v7");
    expect(bundle.manifest.wasm.map((w) => w.entrypoint)).toEqual(["app/rbac/allow", "app/rbac/deny"]);
  });

  it("builds a bundle that eval evaluates", async () => {
    await write("rego/countersign/decision.rego", DECISION);
    await write("rego/data.json", '{"approvers": ["ana"]}');
    const input = await write("in.json", '{"user": "ana"}');
    const out = path.join(tree.dir, "b.tar.gz");
    expect((await countersign(["build", path.join(tree.dir, "rego"), "-o", out])).code).toBe(0);
    const run = await countersign(["eval", out, "-e", "countersign/decision", "--input", input]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([{ result: "allow" }]);
  });

  it("evaluates sources directly", async () => {
    await write("rego/countersign/decision.rego", DECISION);
    await write("rego/data.json", '{"approvers": ["ana"]}');
    const run = await countersign(["eval", path.join(tree.dir, "rego"), "-e", "countersign/decision", "--input", "-"], {
      stdin: '{"user": "bo"}',
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([{ result: "deny" }]);
  });
});
