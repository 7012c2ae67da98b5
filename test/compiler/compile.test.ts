/**
 * End-to-end tests of the compiler through the unmodified OPA SDK: bundle shape, both evaluation paths,
 * data, host builtins, and diagnostics.
 */

import * as zlib from "node:zlib";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import * as tarStream from "tar-stream";
import { buildBundle } from "../../src/bundle/bundle-build";
import { encodeBundle } from "../../src/bundle/bundle-writer";
import { compile, planProgram } from "../../src/compiler/compile";
import { formatDiagnostic } from "../../src/compiler/diagnostics";
import { printPlan } from "../../src/compiler/ir-printer";

const policy = `package app.rbac
import rego.v1

default allow := false

allow if {
	some role in data.bindings[input.user]
	input.action in data.permissions[role]
}

denied_actions contains a if {
	some a in input.requested
	not allowed_action(a)
}

allowed_action(a) if {
	some role in data.bindings[input.user]
	a in data.permissions[role]
}
`;

const data = { bindings: { alice: ["admin"], bob: ["viewer"] }, permissions: { admin: ["read", "write"], viewer: ["read"] } };

/** Lists a .tar.gz's entries as name → bytes. */
async function untar(bytes: Uint8Array): Promise<Map<string, Buffer>> {
  const entries = new Map<string, Buffer>();
  const extract = tarStream.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => void chunks.push(c as Buffer));
      stream.on("end", () => {
        entries.set(header.name, Buffer.concat(chunks));
        next();
      });
      stream.resume();
    });
    extract.on("finish", resolve);
    extract.on("error", reject);
  });
  extract.end(zlib.gunzipSync(bytes));
  await done;
  return entries;
}

describe("compiled modules in the unmodified SDK", () => {
  const result = compile({ modules: [{ file: "rbac.rego", text: policy }], entrypoints: ["app/rbac/allow", "app/rbac/denied_actions"] });
  if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join("\n"));

  it("lists its entrypoints by path", async () => {
    const p = await loadPolicy(result.wasm);
    expect(p.entrypoints).toEqual({ "app/rbac/allow": 0, "app/rbac/denied_actions": 1 });
  });

  it("evaluates through the opa_eval fast path and the eval path alike", async () => {
    const p = await loadPolicy(result.wasm);
    p.setData(data);
    const fast = [
      p.evaluate({ user: "alice", action: "write" }, "app/rbac/allow"),
      p.evaluate({ user: "bob", action: "write" }, "app/rbac/allow"),
    ];
    expect(fast).toEqual([[{ result: true }], [{ result: false }]]);
    (p as unknown as { minorVersion: number }).minorVersion = 1;
    const slow = [
      p.evaluate({ user: "alice", action: "write" }, "app/rbac/allow"),
      p.evaluate({ user: "bob", action: "write" }, "app/rbac/allow"),
    ];
    expect(slow).toEqual(fast);
  });

  it("computes partial sets with negation over functions", async () => {
    const p = await loadPolicy(result.wasm);
    p.setData(data);
    const rs = p.evaluate({ user: "bob", requested: ["read", "write", "delete"] }, "app/rbac/denied_actions");
    expect(rs).toEqual([{ result: ["delete", "write"] }]);
  });

  it("keeps answering correctly across many evaluations (heap reset between them)", async () => {
    const p = await loadPolicy(result.wasm);
    p.setData(data);
    for (let i = 0; i < 2000; i++) {
      const user = i % 2 === 0 ? "alice" : "bob";
      expect(p.evaluate({ user, action: "write" }, "app/rbac/allow")).toEqual([{ result: user === "alice" }]);
    }
  });
});

describe("bundles", () => {
  it("have OPA's layout and a manifest naming each wasm entrypoint, and load in the SDK", async () => {
    const built = await buildBundle({
      sources: { modules: [{ file: "rbac.rego", bundlePath: "/rbac.rego", text: policy }], data, dataFiles: [] },
      entrypoints: ["app/rbac/allow"],
    });
    if (!built.ok) throw new Error(built.diagnostics.map(formatDiagnostic).join("\n"));
    const bytes = await encodeBundle(built.bundle);
    const entries = await untar(bytes);
    expect([...entries.keys()].sort()).toEqual(["/.manifest", "/data.json", "/policy.wasm", "/rbac.rego"]);
    const manifest = JSON.parse(entries.get("/.manifest")!.toString("utf8"));
    expect(manifest.roots).toEqual([""]);
    expect(typeof manifest.revision).toBe("string");
    expect(manifest.wasm).toEqual([{ entrypoint: "app/rbac/allow", module: "/policy.wasm" }]);
    const p = await loadPolicy(entries.get("/policy.wasm")!);
    p.setData(JSON.parse(entries.get("/data.json")!.toString("utf8")));
    expect(p.evaluate({ user: "alice", action: "read" }, "app/rbac/allow")).toEqual([{ result: true }]);
  });
});

describe("host builtins", () => {
  it("compile to opa_builtinN and reach the function the host supplies", async () => {
    const r = compile({
      modules: [{ file: "h.rego", text: "package h\nimport rego.v1\nhashed := crypto.sha256(input.s)\n" }],
      entrypoints: ["h/hashed"],
    });
    if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join("\n"));
    expect(r.hostBuiltins).toEqual(["crypto.sha256"]);
    const p = await loadPolicy(r.wasm, undefined, { "crypto.sha256": (s: string) => `sha:${s}` });
    expect(p.evaluate({ s: "abc" }, "h/hashed")).toEqual([{ result: "sha:abc" }]);
  });
});

describe("print", () => {
  it("writes one line through opa_println: strings raw, other values as Rego, undefined as <undefined>", async () => {
    const r = compile({
      modules: [
        { file: "p.rego", text: 'package p\nimport rego.v1\nx if {\n\tprint("user", input.user, {1}, [input.n], input.missing)\n}\n' },
      ],
      entrypoints: ["p/x"],
    });
    if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join("\n"));
    const p = await loadPolicy(r.wasm);
    const lines: string[] = [];
    const spy = jest.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
    try {
      expect(p.evaluate({ user: "bob", n: 2 }, "p/x")).toEqual([{ result: true }]);
    } finally {
      spy.mockRestore();
    }
    expect(lines).toEqual(["user bob {1} [2] <undefined>"]);
  });
});

describe("diagnostics", () => {
  it("reports several problems in one run, each with file, line, column and code", () => {
    const r = compile({
      modules: [
        { file: "a.rego", text: "package a\nimport rego.v1\np if { no_such_fn(1) }\nq if { x > 1 }\n" },
        { file: "b.rego", text: "package b\nimport rego.v1\nr if { r2 }\nr2 if { r }\n" },
      ],
      entrypoints: ["a/p", "a/q", "b/r"],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.diagnostics.map(formatDiagnostic);
    expect(lines).toEqual(
      expect.arrayContaining([
        "a.rego:3:8: rego_type_error: undefined function no_such_fn",
        expect.stringMatching(/^a\.rego:4:8: rego_unsafe_var_error: var x is unsafe$/),
        expect.stringMatching(/^b\.rego:\d+:1: rego_recursion_error: rule data\.b\.r2? is recursive/),
      ]),
    );
  });

  it("plans into a printable IR", () => {
    const { plan } = planProgram(
      { modules: [{ file: "rbac.rego", text: policy }], entrypoints: ["app/rbac/allow"] },
      new Set(["internal.member_2"]),
    );
    const text = printPlan(plan!);
    expect(text).toContain("func data.app.rbac.allow(l0, l1)");
    expect(text).toContain("runtime internal.member_2(");
    expect(text).toContain("scan ");
  });
});
