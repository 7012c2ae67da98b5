/**
 * `countersign capabilities`, and `--capabilities FILE` / `--builtins FILE` on `build`, `eval` and `test`:
 * custom built-ins declared in a capabilities file and implemented by a JavaScript module.
 */

import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { countersign } from "./cli-helpers";

let tmp: string;
const file = (name: string): string => path.join(tmp, name);

const CAPS = {
  builtins: [
    { name: "assign", decl: { type: "function", args: [{ type: "any" }, { type: "any" }], result: { type: "boolean" } } },
    { name: "eq", decl: { type: "function", args: [{ type: "any" }, { type: "any" }], result: { type: "boolean" } } },
    { name: "equal", decl: { type: "function", args: [{ type: "any" }, { type: "any" }], result: { type: "boolean" } } },
    { name: "acme.role", decl: { type: "function", args: [{ type: "string" }], result: { type: "string" } } },
  ],
};

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "countersign-cli-caps-"));
  await fs.mkdir(file("policy"));
  await fs.writeFile(file("caps.json"), JSON.stringify(CAPS));
  await fs.writeFile(file("policy/p.rego"), 'package t\n\nrole := acme.role(input.user)\n\nadmin if acme.role(input.user) == "admin"\n');
  await fs.writeFile(
    file("policy/p_test.rego"),
    'package t\n\ntest_admin if admin with input as {"user": "alice"}\n\ntest_not_admin if not admin with input as {"user": "bob"}\n',
  );
  await fs.writeFile(file("builtins.js"), 'module.exports = { "acme.role": (user) => (user === "alice" ? "admin" : "dev") };\n');
  await fs.writeFile(file("input.json"), '{"user": "alice"}');
  await fs.writeFile(file("upper.rego"), "package u\n\np := upper(input.x)\n");
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

it("capabilities prints every supported built-in with its type, in OPA's format", async () => {
  const run = await countersign(["capabilities"]);
  expect(run.code).toBe(0);
  const caps = JSON.parse(run.stdout) as { builtins: { name: string; decl: unknown }[]; features: string[]; wasm_abi_versions: unknown[] };
  expect(caps.builtins.find((b) => b.name === "semver.compare")).toEqual({
    name: "semver.compare",
    decl: { args: [{ type: "string" }, { type: "string" }], result: { type: "number" }, type: "function" },
  });
  expect(caps.builtins.map((b) => b.name)).not.toContain("rego.parse_module");
  expect(caps.wasm_abi_versions).toContainEqual({ version: 1, minor_version: 2 });
  const refused = await countersign(["capabilities", "--refused"]);
  expect(JSON.parse(refused.stdout)).toContainEqual({ name: "rego.parse_module", reason: expect.stringContaining("AST") });
});

it("eval compiles a custom built-in under --capabilities and calls the --builtins implementation", async () => {
  const run = await countersign([
    "eval",
    file("policy/p.rego"),
    "-e",
    "t/role",
    "--capabilities",
    file("caps.json"),
    "--builtins",
    file("builtins.js"),
    "-i",
    file("input.json"),
  ]);
  expect(run.stderr).toContain("custom built-in acme.role");
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual([{ result: "admin" }]);
});

it("eval fails at load, not mid-decision, when no implementation is given", async () => {
  const run = await countersign([
    "eval",
    file("policy/p.rego"),
    "-e",
    "t/role",
    "--capabilities",
    file("caps.json"),
    "-i",
    file("input.json"),
  ]);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain("acme.role, which nothing implements");
  expect(run.stderr).toContain("COUNTERSIGN_POLICY_BUILTIN_MISSING");
});

it("build refuses a built-in the capabilities file does not list", async () => {
  const run = await countersign(["build", file("upper.rego"), "-e", "u/p", "-o", file("b.tar.gz"), "--capabilities", file("caps.json")]);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain("rego_type_error: undefined function upper");
});

it("test runs tests calling custom built-ins", async () => {
  const run = await countersign(["test", file("policy"), "--capabilities", file("caps.json"), "--builtins", file("builtins.js")]);
  expect(run.stdout).toContain("2 passed, 0 failed");
  expect(run.code).toBe(0);
});

it("rejects a capabilities file that is not one, naming it", async () => {
  await fs.writeFile(file("bad.json"), '{"builtins": [{"name": "x"}]}');
  const run = await countersign(["eval", file("policy/p.rego"), "-e", "t/role", "--capabilities", file("bad.json")]);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain(`capabilities ${file("bad.json")}: builtin x: "decl" must be`);
});
