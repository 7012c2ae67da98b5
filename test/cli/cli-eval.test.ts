/**
 * `countersign eval` on bundles, and how the CLI reports failures: exit code 1, one clear line, no stack.
 */

import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { assembleBundle } from "../../src/bundle/bundle-assembly";
import { writeBundleFile } from "../../src/bundle/bundle-writer";
import { FAKE_ENTRYPOINTS, fakeOpaWasm } from "../bundle/fixtures/fake-opa-wasm";
import { countersign } from "./cli-helpers";

let tmp: string;
let bundle: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "countersign-cli-eval-"));
  bundle = path.join(tmp, "bundle.tar.gz");
  await writeBundleFile(
    bundle,
    assembleBundle({ wasm: fakeOpaWasm(), entrypoints: FAKE_ENTRYPOINTS, data: { stage: "prod" }, regoFiles: [] }),
  );
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const noStack = (text: string): void => expect(text).not.toMatch(/^\s+at /m);

describe("countersign eval <bundle>", () => {
  it("prints the result set as JSON", async () => {
    const run = await countersign(["eval", bundle, "-e", "fixed/allow"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([{ result: true }]);
  });

  it("accepts the entrypoint as data.pkg.rule", async () => {
    const run = await countersign(["eval", bundle, "-e", "data.fixed.allow"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([{ result: true }]);
  });

  it("reads the input from a JSON file, a YAML file, or standard input", async () => {
    const json = path.join(tmp, "in.json");
    const yaml = path.join(tmp, "in.yaml");
    await fs.writeFile(json, '{"user": "ana", "n": 12345678901234567890}');
    await fs.writeFile(yaml, "user: bo\n");
    const fromJson = await countersign(["eval", bundle, "-e", "fixed/input", "--input", json]);
    expect(fromJson.code).toBe(0);
    expect(fromJson.stdout).toContain("12345678901234567000");
    expect(JSON.parse(fromJson.stdout)).toEqual([{ user: "ana", n: 12345678901234567890 }]);
    const fromYaml = await countersign(["eval", bundle, "-e", "fixed/input", "-i", yaml]);
    expect(JSON.parse(fromYaml.stdout)).toEqual([{ user: "bo" }]);
    const fromStdin = await countersign(["eval", bundle, "-e", "fixed/input", "--input", "-"], { stdin: '{"user":"cy"}' });
    expect(JSON.parse(fromStdin.stdout)).toEqual([{ user: "cy" }]);
  });

  it("evaluates with the bundle's data, plus any --data file", async () => {
    const run = await countersign(["eval", bundle, "-e", "fixed/data"]);
    expect(JSON.parse(run.stdout)).toEqual([{ stage: "prod" }]);
    const extra = path.join(tmp, "extra.json");
    await fs.writeFile(extra, '{"region": "eu"}');
    const withData = await countersign(["eval", bundle, "-e", "fixed/data", "--data", extra]);
    expect(JSON.parse(withData.stdout)).toEqual([{ stage: "prod", region: "eu" }]);
  });

  it("reports an evaluation error in OPA's form, exit 1", async () => {
    const run = await countersign(["eval", bundle, "-e", "fixed/conflict"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim()).toBe(
      "error: policy evaluation failed: test-0.rego:4: eval_conflict_error: complete rules must not produce multiple outputs",
    );
  });

  it("reports an unknown entrypoint with the ones the policy has", async () => {
    const run = await countersign(["eval", bundle, "-e", "nope/rule"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("COUNTERSIGN_POLICY_UNKNOWN_ENTRYPOINT");
    expect(run.stderr).toContain("fixed/allow");
    noStack(run.stderr);
  });

  it("reports a missing bundle without a stack trace", async () => {
    const run = await countersign(["eval", path.join(tmp, "missing.tar.gz"), "-e", "a/b"]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `error: cannot read ${path.join(tmp, "missing.tar.gz")}: no such file or directory [COUNTERSIGN_BUNDLE_IO]`,
    );
  });

  it("reports a corrupt bundle with its code", async () => {
    const corrupt = path.join(tmp, "corrupt.tar.gz");
    await fs.writeFile(corrupt, "not gzip at all");
    const run = await countersign(["eval", corrupt, "-e", "a/b"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .*not a valid gzip stream.* \[COUNTERSIGN_BUNDLE_CORRUPT\]$/m);
    noStack(run.stderr);
  });

  it("reports bad input JSON", async () => {
    const bad = path.join(tmp, "bad.json");
    await fs.writeFile(bad, "{");
    const run = await countersign(["eval", bundle, "-e", "fixed/input", "--input", bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("COUNTERSIGN_CLI_BAD_INPUT");
    noStack(run.stderr);
  });

  it("requires -e", async () => {
    const run = await countersign(["eval", bundle]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("required option '-e, --entrypoint <pkg/rule>' not specified");
  });
});

describe("countersign", () => {
  it("lists its commands under --help, exit 0", async () => {
    const run = await countersign(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/build \[options\] <paths\.\.\.>/);
    expect(run.stdout).toMatch(/eval \[options\] <bundle-or-paths\.\.\.>/);
    expect(run.stdout).toMatch(/conformance \[options\] <dir>/);
  });

  it("rejects an unknown command with exit 1", async () => {
    const run = await countersign(["frobnicate"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("unknown command 'frobnicate'");
  });
});
