/**
 * Rego v0 syntax, as OPA 1.x reads it with `--v0-compatible`: realistic v0 policy libraries run with their
 * own v0 test suites through `countersign test --v0-compatible`, a v0 admission policy evaluated against many
 * generated inputs on one policy instance, `future.keywords` and `rego.v1` imports, bundle manifests
 * (`rego_version`, `file_rego_versions`), `build`/`eval`/`serve --watch-rego`, and the errors a v0 module
 * gets without the flag (and a v0 module using v1 words without importing them).
 */

import { promises as fs } from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { readBundleFile } from "../../src/bundle/bundle-reader";
import { runBuildCommand } from "../../src/cli/build-command";
import { CliError } from "../../src/cli/cli-error";
import type { CliIo } from "../../src/cli/cli-io";
import { runEvalCommand } from "../../src/cli/eval-command";
import { main } from "../../src/cli/main";
import { runTestCommand, type TestCommandOptions } from "../../src/cli/test-command";
import { compile } from "../../src/compiler/compile";
import type { CompileRequest } from "../../src/compiler/compile-options";
import { Diagnostics, formatDiagnostic } from "../../src/compiler/diagnostics";
import { parseModule } from "../../src/compiler/parser";
import { PolicyEngine } from "../../src/engine/policy-engine";
import { RegoDirectorySource } from "../../src/engine/rego-directory-source";
import { loadCompiledPolicy, type CompiledPolicy } from "../../src/policy/compiled-policy";
import { useTempTree } from "../support/temp-tree";

const FIXTURES = path.join(__dirname, "fixtures", "v0");
const tree = useTempTree("countersign-rego-v0-");

/** An in-memory CLI io. */
function memoryIo(): CliIo & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return { out_, err_, out: (l) => void out_.push(l), err: (l) => void err_.push(l), readStdin: async () => "" };
}

async function runTests(paths: readonly string[], opts: TestCommandOptions): Promise<{ out: string[]; err: string[]; error?: unknown }> {
  const io = memoryIo();
  try {
    await runTestCommand(paths, opts, io);
    return { out: io.out_, err: io.err_ };
  } catch (error) {
    return { out: io.out_, err: io.err_, error };
  }
}

/** Compiles modules (v0 by default) and loads the policy once; fails the test on diagnostics. */
async function load(
  modules: Record<string, string>,
  entrypoints: string[],
  req: Partial<CompileRequest> = { regoVersion: 0 },
): Promise<CompiledPolicy> {
  const result = compile({ modules: Object.entries(modules).map(([file, text]) => ({ file, text })), entrypoints, ...req });
  if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join("\n"));
  return loadCompiledPolicy(result.wasm, {});
}

/** The diagnostics of modules that must not compile. */
function compileErrors(modules: Record<string, string>, req: Partial<CompileRequest> = { regoVersion: 0 }): string[] {
  const result = compile({ modules: Object.entries(modules).map(([file, text]) => ({ file, text })), entrypoints: ["p/x"], ...req });
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.diagnostics.map(formatDiagnostic);
}

const value = (policy: CompiledPolicy, entrypoint: string, input?: unknown): unknown => policy.evaluate(entrypoint, input)[0]?.["result"];

// ---------------------------------------------------------------------------------------------------------

describe("v0 policy libraries with their own v0 tests (countersign test --v0-compatible)", () => {
  it("passes every test of the admission-controller-style library", async () => {
    const r = await runTests([path.join(FIXTURES, "gatekeeper")], { v0Compatible: true });
    expect(r.error).toBeUndefined();
    expect(r.out.slice(0, -1)).toHaveLength(6);
    for (const line of r.out.slice(0, -1)) expect(line).toMatch(/^PASS data\.k8s\.containerpolicy\.test_\w+ \(/);
    expect(r.out.at(-1)).toBe("6 passed, 0 failed");
  });

  it("passes every test of the configuration-checker-style library, across packages and a body-less ref head", async () => {
    const r = await runTests([path.join(FIXTURES, "conftest")], { v0Compatible: true });
    expect(r.error).toBeUndefined();
    expect(r.out.at(-1)).toBe("6 passed, 0 failed");
    expect(r.out).toContainEqual(expect.stringMatching(/^PASS data\.main\.test_known_kinds /));
  });

  it("still fails a v0 test whose expectation is wrong: v0 bodies are checked, not skipped", async () => {
    const gk = path.join(FIXTURES, "gatekeeper");
    await tree.write("gk/container_policy.rego", await fs.readFile(path.join(gk, "container_policy.rego"), "utf8"));
    await tree.write(
      "gk/wrong_test.rego",
      'package k8s.containerpolicy\n\ntest_wrong {\n\tmax_memory == 2048 with input as {"parameters": {}}\n}\n',
    );
    const r = await runTests([path.join(tree.dir, "gk")], { v0Compatible: true });
    expect(r.error).toMatchObject({ code: "COUNTERSIGN_TEST_FAILED" });
    expect(r.out).toContainEqual(expect.stringMatching(/^FAIL data\.k8s\.containerpolicy\.test_wrong /));
  });

  it("refuses the v0 library without the flag, at file:line:col, naming the v1 spelling and the flag", async () => {
    const r = await runTests([path.join(FIXTURES, "conftest")], {});
    expect(r.error).toBeInstanceOf(CliError);
    expect(r.error).toMatchObject({ code: "COUNTERSIGN_CLI_COMPILE_FAILED" });
    const file = path.join(FIXTURES, "conftest", "deployment.rego");
    expect(r.err[0]!.split("\n")[0]).toBe(
      `${file}:8:11: rego_parse_error: \`if\` keyword is required before rule body: 'deny[msg] { … }' is a Rego v0 partial set rule, ` +
        "'deny contains msg if { … }' in v1; or read the module as Rego v0 (--v0-compatible)",
    );
    expect(r.err.join("\n")).toContain("lib/k8s.rego:12:1: rego_parse_error: rule must have value assignment and/or body declaration");
  });
});

// ---------------------------------------------------------------------------------------------------------

interface Container {
  name: string;
  image: string;
  privileged: boolean;
  memory: string;
}

/** What the admission policy should say, computed independently of Rego. */
function expectedViolations(labels: string[], containers: Container[], init: Container[], maxMemoryMi: number | undefined): string[] {
  const required = ["owner", "team"];
  const msgs: string[] = [];
  const missing = required.filter((l) => !labels.includes(l)).sort();
  if (missing.length > 0) msgs.push(`you must provide labels: [${missing.map((m) => JSON.stringify(m)).join(", ")}]`);
  const max = maxMemoryMi ?? 1024;
  for (const c of [...containers, ...init]) {
    if (!c.image.startsWith("registry.example.com/")) {
      msgs.push(`container <${c.name}> has an invalid image repo <${c.image}>, allowed repos are ["registry.example.com/"]`);
    }
    if (c.privileged) msgs.push(`privileged container is not allowed: ${c.name}`);
    const mi = c.memory.endsWith("Mi") ? Number(c.memory.slice(0, -2)) : Number(c.memory.slice(0, -2)) * 1024;
    if (mi > max) msgs.push(`container <${c.name}> memory limit <${mi}> is higher than the maximum allowed of <${max}>`);
  }
  return [...new Set(msgs)].sort();
}

const containerArb: fc.Arbitrary<Container> = fc.record({
  name: fc.constantFrom("app", "sidecar", "init", "proxy"),
  image: fc.constantFrom("registry.example.com/app:1", "registry.example.com/proxy:2", "docker.io/evil:latest", "quay.io/x:3"),
  privileged: fc.boolean(),
  memory: fc.oneof(
    fc.integer({ min: 1, max: 4096 }).map((n) => `${n}Mi`),
    fc.integer({ min: 1, max: 4 }).map((n) => `${n}Gi`),
  ),
});

describe("a v0 admission policy on one reused instance", () => {
  let policy: CompiledPolicy;
  beforeAll(async () => {
    const text = await fs.readFile(path.join(FIXTURES, "gatekeeper", "container_policy.rego"), "utf8");
    policy = await load({ "container_policy.rego": text }, ["k8s/containerpolicy/violation", "k8s/containerpolicy/severity"]);
  });

  it("answers as an independent model does for many generated pods, evaluated on the same instance", () => {
    let evaluations = 0;
    fc.assert(
      fc.property(
        fc.subarray(["owner", "team", "app"]),
        fc.array(containerArb, { maxLength: 3 }),
        fc.array(containerArb, { maxLength: 2 }),
        fc.option(fc.integer({ min: 256, max: 4096 }), { nil: undefined }),
        (labels, containers, init, maxMemoryMi) => {
          const toSpec = (c: Container) => ({
            name: c.name,
            image: c.image,
            resources: { limits: { memory: c.memory } },
            ...(c.privileged ? { securityContext: { privileged: true } } : {}),
          });
          const input = {
            review: {
              object: {
                metadata: { labels: Object.fromEntries(labels.map((l) => [l, "x"])) },
                spec: { containers: containers.map(toSpec), initContainers: init.map(toSpec) },
              },
            },
            parameters: {
              labels: ["owner", "team"],
              repos: ["registry.example.com/"],
              ...(maxMemoryMi === undefined ? {} : { maxMemoryMi }),
            },
          };
          const violations = value(policy, "k8s/containerpolicy/violation", input) as { msg: string }[];
          const want = expectedViolations(labels, containers, init, maxMemoryMi);
          expect([...new Set(violations.map((v) => v.msg))].sort()).toEqual(want);
          const severity = value(policy, "k8s/containerpolicy/severity", input);
          const privileged = containers.some((c) => c.privileged);
          expect(severity).toBe(privileged ? "critical" : want.length > 0 ? "high" : "none");
          evaluations += 2;
        },
      ),
      { numRuns: 300 },
    );
    expect(evaluations).toBe(600);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe("keywords and imports in a v0 run", () => {
  it("reads a module importing rego.v1 as v1 and the others as v0, in one compilation", async () => {
    const policy = await load(
      {
        "legacy.rego": 'package p\n\nnames[n] { n := input.users[_].name }\n\nadmin { input.users[_].role == "admin" }\n',
        "modern.rego": "package q\n\nimport rego.v1\n\nshout contains upper(n) if some n in data.p.names\n\nok if data.p.admin\n",
      },
      ["p/names", "q/shout", "q/ok"],
    );
    const input = {
      users: [
        { name: "ana", role: "admin" },
        { name: "bo", role: "dev" },
      ],
    };
    expect(value(policy, "p/names", input)).toEqual(["ana", "bo"]);
    expect(value(policy, "q/shout", input)).toEqual(["ANA", "BO"]);
    expect(value(policy, "q/ok", input)).toBe(true);
  });

  it("makes in, every, if and contains keywords only where future.keywords imports them", async () => {
    const policy = await load(
      {
        "kw.rego": [
          "package p",
          "import future.keywords.in",
          "import future.keywords.every",
          "member { 2 in input.xs }",
          "all_small { every x in input.xs { x < 10 } }",
        ].join("\n"),
        "plain.rego": [
          "package r",
          "if = 1",
          "contains = 2",
          "in = 3 { true }",
          "every(x) = x { true }",
          "sum_words = s { s := if + contains + in + every(4) }",
        ].join("\n"),
        "all.rego": "package s\nimport future.keywords\nbig contains x if { some x in input.xs; x > 2 }\n",
      },
      ["p/member", "p/all_small", "r/sum_words", "s/big"],
    );
    for (const xs of [[1, 2, 3], [5, 12], [], [2]]) {
      expect(value(policy, "p/member", { xs })).toBe(xs.includes(2) ? true : undefined);
      expect(value(policy, "p/all_small", { xs })).toBe(xs.every((x) => x < 10) ? true : undefined);
      expect(value(policy, "s/big", { xs })).toEqual(xs.filter((x) => x > 2));
    }
    expect(value(policy, "r/sum_words")).toBe(10);
  });

  it("runs v0 rule forms as OPA does: chained bodies, else = v, default =, partial objects, functions with = y", async () => {
    const policy = await load(
      {
        "forms.rego": [
          "package p",
          'default level = "low"',
          'level = "high" { input.n > 10 } else = "mid" { input.n > 5 }',
          "either { input.n == 1 } { input.n == 2 }",
          "by_name[name] = count(roles) { some name; roles := input.roles[name] }",
          "double(x) = y { y := x * 2 }",
          "doubled = double(input.n)",
          'tags["fixed"]',
          "flags.audit.enabled",
        ].join("\n"),
      },
      ["p/level", "p/either", "p/by_name", "p/doubled", "p/tags", "p/flags"],
    );
    for (const n of [0, 1, 2, 6, 11]) {
      const input = { n, roles: { ana: ["a", "b"], bo: [] } };
      expect(value(policy, "p/level", input)).toBe(n > 10 ? "high" : n > 5 ? "mid" : "low");
      expect(value(policy, "p/either", input)).toBe(n === 1 || n === 2 ? true : undefined);
      expect(value(policy, "p/by_name", input)).toEqual({ ana: 2, bo: 0 });
      expect(value(policy, "p/doubled", input)).toBe(n * 2);
    }
    expect(value(policy, "p/tags")).toEqual(["fixed"]);
    expect(value(policy, "p/flags")).toEqual({ audit: { enabled: true } });
  });
});

describe("errors in v0 modules", () => {
  const cases: [string, string, string][] = [
    [
      "contains without its import",
      "package p\n\nx contains 1 if { true }\n",
      "m.rego:3:3: rego_parse_error: unexpected identifier 'contains' after rule head 'x': 'contains' is not a keyword in Rego v0 unless imported: add `import future.keywords.contains` or `import rego.v1`",
    ],
    [
      "if without its import",
      "package p\n\nx if { true }\n",
      "m.rego:3:3: rego_parse_error: unexpected identifier 'if' after rule head 'x': 'if' is not a keyword in Rego v0 unless imported: add `import future.keywords.if` or `import rego.v1`",
    ],
    [
      "every without its import",
      "package p\n\nx {\n\tevery v in [1] { v > 0 }\n}\n",
      "m.rego:4:2: rego_parse_error: unexpected identifier 'every': 'every' is not a keyword in Rego v0 unless imported: add `import future.keywords.every` or `import rego.v1`",
    ],
    [
      "in without its import",
      "package p\n\nx { 1 in [1] }\n",
      "m.rego:3:7: rego_parse_error: unexpected identifier 'in' ('in' is not a keyword in Rego v0 unless imported: add `import future.keywords.in` or `import rego.v1`), expected ';', a new line or '}'",
    ],
    [
      "rego.v1 together with future.keywords",
      "package p\n\nimport future.keywords.in\nimport rego.v1\n\nx := 1\n",
      "m.rego:4:8: rego_parse_error: the rego.v1 import implies future.keywords: a v0 module cannot import both",
    ],
    [
      "a v0 body in a module importing rego.v1",
      "package p\n\nimport rego.v1\n\nx { true }\n",
      "m.rego:5:3: rego_parse_error: `if` keyword is required before rule body: 'x { … }' is Rego v0 syntax, 'x if { … }' in v1; or read the module as Rego v0 (--v0-compatible)",
    ],
    [
      "a bare name, which OPA refuses in v0 too",
      "package p\n\nx\n",
      "m.rego:3:1: rego_parse_error: rule head 'x' must be followed by '=', ':=' or a body in braces",
    ],
  ];
  it.each(cases)("reports %s at file:line:col", (_what, text, message) => {
    expect(compileErrors({ "m.rego": text })).toEqual([message]);
  });

  it("explains that there is no rego.v0 import", () => {
    expect(compileErrors({ "m.rego": "package p\n\nimport rego.v0\n\nx := 1\n" }, {})).toEqual([
      "m.rego:3:8: rego_parse_error: invalid import 'rego.v0': the only rego import is rego.v1; a module is read as Rego v0 with --v0-compatible, or with rego_version 0 in the bundle's .manifest",
    ]);
  });

  it("records the version each module was read with", () => {
    const d = new Diagnostics();
    expect(parseModule("a.rego", "package p\nx { true }", d, { regoVersion: 0 })?.regoVersion).toBe(0);
    expect(parseModule("b.rego", "package p\nimport rego.v1\nx if { true }", d, { regoVersion: 0 })?.regoVersion).toBe(1);
    expect(parseModule("c.rego", "package p\nx if { true }", d)?.regoVersion).toBe(1);
    expect(d.items).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------

const V0_DECISION =
  'package countersign\n\ndefault decision = {"outcome": "deny"}\n\ndecision = {"outcome": "allow"} {\n\tinput.actor.id == data.owners[_]\n}\n';

describe("bundles and the other commands", () => {
  it("build --v0-compatible compiles v0 sources and writes rego_version 0 in the manifest", async () => {
    await tree.write("rego/decision.rego", V0_DECISION);
    await tree.write("rego/data.json", '{"owners": ["ana"]}');
    const out = path.join(tree.dir, "b.tar.gz");
    await runBuildCommand([path.join(tree.dir, "rego")], { entrypoint: [], output: out, v0Compatible: true }, memoryIo());
    const bundle = await readBundleFile(out);
    expect(bundle.manifest.rego_version).toBe(0);
    expect(bundle.manifest.file_rego_versions).toBeUndefined();
  });

  it("reads rego_version and file_rego_versions from a source directory's .manifest, and writes per-file exceptions", async () => {
    await tree.write("rego/.manifest", JSON.stringify({ rego_version: 0, file_rego_versions: { "/modern/*.rego": 1 } }));
    await tree.write("rego/decision.rego", V0_DECISION);
    await tree.write("rego/modern/extra.rego", "package countersign.extra\n\nflag if input.flag\n");
    await tree.write("rego/data.json", '{"owners": ["ana"]}');
    const out = path.join(tree.dir, "b.tar.gz");
    await runBuildCommand(
      [path.join(tree.dir, "rego")],
      { entrypoint: ["countersign/decision", "countersign/extra/flag"], output: out },
      memoryIo(),
    );
    const bundle = await readBundleFile(out);
    expect(bundle.manifest.rego_version).toBe(1);
    expect(bundle.manifest.file_rego_versions).toEqual({ "/decision.rego": 0 });
  });

  it("refuses a source .manifest with an unknown rego_version", async () => {
    await tree.write("rego/.manifest", '{"rego_version": 2}');
    await tree.write("rego/decision.rego", V0_DECISION);
    await expect(
      runBuildCommand([path.join(tree.dir, "rego")], { entrypoint: [], output: path.join(tree.dir, "b.tar.gz") }, memoryIo()),
    ).rejects.toMatchObject({
      code: "COUNTERSIGN_BUNDLE_BAD_MANIFEST",
      message: expect.stringContaining('"rego_version" must be 0 or 1 (Rego v0 or v1), not 2'),
    });
  });

  it("eval --v0-compatible evaluates v0 sources compiled on the fly", async () => {
    await tree.write("rego/decision.rego", V0_DECISION);
    await tree.write("rego/data.json", '{"owners": ["ana"]}');
    const input = await tree.write("input.json", '{"actor": {"id": "ana"}}');
    const io = memoryIo();
    await runEvalCommand([path.join(tree.dir, "rego")], { entrypoint: "countersign/decision", input, v0Compatible: true }, io);
    expect(JSON.parse(io.out_.join("\n"))).toEqual([{ result: { outcome: "allow" } }]);
  });

  it("serve --watch-rego compiles v0 sources with the v0 setting, and serve refuses --v0-compatible without --watch-rego", async () => {
    const dir = path.join(tree.dir, "rego");
    await tree.write("rego/decision.rego", V0_DECISION);
    await tree.write("rego/data.json", '{"owners": ["ana"]}');
    const source = new RegoDirectorySource({ dir, watch: false, regoVersion: 0 });
    try {
      await source.start();
      const engine = new PolicyEngine(source);
      for (const [id, outcome] of [
        ["ana", "allow"],
        ["bo", "deny"],
        ["ana", "allow"],
      ] as const) {
        expect(engine.decide({ actor: { id } })).toMatchObject({ outcome });
      }
    } finally {
      await source.close();
    }
    const io = memoryIo();
    expect(await main(["serve", "--v0-compatible"], io)).toBe(1);
    expect(io.err_.join("\n")).toContain("--v0-compatible applies to the Rego sources of --watch-rego");
  });
});
