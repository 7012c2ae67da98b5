/**
 * The compiler's entry point: Rego sources in, an OPA-ABI WebAssembly module (or diagnostics) out.
 *
 * Stages: parse → deprecated built-ins in v1 modules → rule tree (conflicting definitions) → plan (name resolution, safety, recursion, IR)
 * → emit (wasm functions) → link (into the prebuilt AssemblyScript runtime).
 */

import * as fs from "node:fs";
import * as path from "node:path";
import type { Body, Module } from "./ast";
import { builtinsUnder } from "./capabilities";
import type { CompileRequest, CompileResult } from "./compile-options";
import { checkDeprecatedBuiltins } from "./deprecated-builtins";
import { Diagnostics } from "./diagnostics";
import type { Plan } from "./ir";
import { parseModule, parseQuery } from "./parser";
import { plan } from "./planner";
import { buildRuleTree } from "./rule-tree";
import { emit } from "./wasm/emitter";
import { link } from "./wasm/linker";
import { builtinFromExportName } from "./wasm/runtime-contract";

/** The prebuilt runtime and the builtins it implements. */
interface Runtime {
  readonly bytes: Uint8Array;
  readonly builtins: ReadonlySet<string>;
}

let cachedRuntime: Runtime | null = null;

/** Where `npm run build:runtime` writes the runtime, found from this file's location. */
export function runtimePath(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json"))) return path.join(dir, "build", "runtime.wasm");
    const up = path.dirname(dir);
    if (up === dir) throw new Error("cannot find the Countersign package root (package.json)");
    dir = up;
  }
}

/** Loads (once) the runtime module; throws a clear error when it has not been built. */
export function loadRuntime(): Runtime {
  if (cachedRuntime) return cachedRuntime;
  const file = runtimePath();
  if (!fs.existsSync(file)) {
    throw new Error(`the policy runtime ${file} is missing: run \`npm run build\` first`);
  }
  const bytes = new Uint8Array(fs.readFileSync(file));
  const builtins = new Set<string>();
  for (const exp of WebAssembly.Module.exports(new WebAssembly.Module(bytes))) {
    const name = builtinFromExportName(exp.name);
    if (name !== null) builtins.add(name);
  }
  cachedRuntime = { bytes, builtins };
  return cachedRuntime;
}

/** Parses an entrypoint given as `pkg/rule` or `data.pkg.rule` into a path below data. */
export function entrypointPath(entrypoint: string): string[] {
  const trimmed = entrypoint.startsWith("data.") ? entrypoint.slice(5).split(".") : entrypoint.split("/");
  return trimmed.filter((s) => s.length > 0);
}

/** Parses, checks and plans; the IR is useful on its own (printing, tests). */
export function planProgram(req: CompileRequest, runtimeBuiltins: ReadonlySet<string>): { plan: Plan | null; diags: Diagnostics } {
  const diags = new Diagnostics();
  const modules: Module[] = [];
  for (const src of req.modules) {
    const m = parseModule(src.file, src.text, diags, { regoVersion: src.regoVersion ?? req.regoVersion ?? 1 });
    if (m) modules.push(m);
  }
  const queries: { name: string; body: Body; file: string }[] = [];
  for (const q of req.queries ?? []) {
    const body = parseQuery(`query:${q.name}`, q.query, diags);
    if (body) queries.push({ name: q.name, body, file: `query:${q.name}` });
  }
  if (diags.hasErrors) return { plan: null, diags };
  checkDeprecatedBuiltins(modules, queries, (req.regoVersion ?? 1) === 1, diags);
  if (diags.hasErrors) return { plan: null, diags };
  const tree = buildRuleTree(modules, diags);
  if (diags.hasErrors) return { plan: null, diags };
  const entrypoints = req.entrypoints.map((ep) => {
    const p = entrypointPath(ep);
    return { name: p.join("/"), path: p };
  });
  const builtins = req.capabilities === undefined ? undefined : builtinsUnder(req.capabilities);
  const p = plan(
    tree,
    {
      entrypoints,
      queries,
      strictBuiltinErrors: req.strictBuiltinErrors ?? false,
      runtimeBuiltins,
      ...(builtins === undefined ? {} : { builtins }),
      ...(req.coverage === true ? { coverage: true } : {}),
    },
    diags,
  );
  return { plan: p, diags };
}

/** Compiles Rego modules into a policy module. Problems in the sources come back as diagnostics. */
export function compile(req: CompileRequest): CompileResult {
  const runtime = loadRuntime();
  const { plan: p, diags } = planProgram(req, runtime.builtins);
  if (p === null || diags.hasErrors) return { ok: false, diagnostics: diags.items };
  const emitted = emit(p);
  const wasm = link({ runtime: runtime.bytes, ...emitted });
  return {
    ok: true,
    wasm,
    entrypoints: p.entrypoints.map((e) => e.name),
    hostBuiltins: p.hostBuiltins,
    warnings: [],
  };
}
