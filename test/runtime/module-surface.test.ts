/**
 * The runtime module's imports and exports: what the SDK, the linker and the code generator rely on.
 */

import { readFileSync } from "node:fs";
import { POLICY_HOOKS, RUNTIME_FUNCTIONS } from "../../src/compiler/wasm/runtime-contract";
import { RUNTIME_PATH } from "./harness";
import { WasmBinary } from "./wasm-binary";

const binary = new WasmBinary(readFileSync(RUNTIME_PATH));

function signatureOf(name: string): string {
  const sig = binary.signature(binary.exportedFunction(name));
  return `(${sig.params.join(",")})->${sig.results.join(",") || "void"}`;
}

function expected(params: readonly string[], result: string | null): string {
  return `(${params.join(",")})->${result ?? "void"}`;
}

describe("runtime module surface", () => {
  it("imports only memory, opa_abort, opa_println and opa_builtin0..4 from env", () => {
    const allowed = new Set(["opa_abort", "opa_println", "opa_builtin0", "opa_builtin1", "opa_builtin2", "opa_builtin3", "opa_builtin4"]);
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(RUNTIME_PATH)));
    for (const imp of imports) {
      expect(imp.module).toBe("env");
      if (imp.kind === "memory") expect(imp.name).toBe("memory");
      else expect(allowed.has(imp.name)).toBe(true);
    }
    const names = imports.map((i) => i.name);
    for (const required of ["memory", "opa_abort", "opa_builtin0", "opa_builtin1", "opa_builtin2", "opa_builtin3", "opa_builtin4"]) {
      expect(names).toContain(required);
    }
  });

  it("asks for no more initial memory than the SDK's default 5 pages", () => {
    expect(binary.importedMemoryMinimum).toBeDefined();
    expect(binary.importedMemoryMinimum!).toBeLessThanOrEqual(5);
  });

  it("imports the host builtins with OPA's signatures", () => {
    for (const f of binary.importedFunctions) {
      const sig = binary.types[f.type]!;
      const arity = /^opa_builtin(\d)$/.exec(f.name);
      if (arity) {
        expect(sig.params).toEqual(Array(2 + Number(arity[1])).fill("i32"));
        expect(sig.results).toEqual(["i32"]);
      } else {
        expect(sig).toEqual({ params: ["i32"], results: [] });
      }
    }
  });

  it("exports every runtime function of the contract with its exact signature", () => {
    for (const [name, f] of Object.entries(RUNTIME_FUNCTIONS)) {
      expect([name, signatureOf(name)]).toEqual([name, expected(f.params, f.result)]);
    }
  });

  it("exports every policy hook with its exact signature", () => {
    for (const [name, f] of Object.entries(POLICY_HOOKS)) {
      expect([name, signatureOf(name)]).toEqual([name, expected(f.params, f.result)]);
    }
  });

  it("exports OPA's ABI 1.2 functions with their signatures", () => {
    const abi: Record<string, string> = {
      opa_malloc: "(i32)->i32",
      opa_free: "(i32)->void",
      opa_json_parse: "(i32,i32)->i32",
      opa_value_parse: "(i32,i32)->i32",
      opa_json_dump: "(i32)->i32",
      opa_value_dump: "(i32)->i32",
      opa_heap_ptr_get: "()->i32",
      opa_heap_ptr_set: "(i32)->void",
      opa_eval_ctx_new: "()->i32",
      opa_eval_ctx_set_input: "(i32,i32)->void",
      opa_eval_ctx_set_data: "(i32,i32)->void",
      opa_eval_ctx_set_entrypoint: "(i32,i32)->void",
      opa_eval_ctx_get_result: "(i32)->i32",
      eval: "(i32)->i32",
      builtins: "()->i32",
      entrypoints: "()->i32",
      opa_eval: "(i32,i32,i32,i32,i32,i32,i32)->i32",
      opa_value_add_path: "(i32,i32,i32)->i32",
      opa_value_remove_path: "(i32,i32)->i32",
    };
    for (const [name, sig] of Object.entries(abi)) expect([name, signatureOf(name)]).toEqual([name, sig]);
  });

  it("exports the ABI version globals 1 and 2", () => {
    const instanceExports = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(RUNTIME_PATH)));
    const globals = instanceExports
      .filter((e) => e.kind === "global")
      .map((e) => e.name)
      .sort();
    expect(globals).toEqual(["opa_wasm_abi_minor_version", "opa_wasm_abi_version"]);
  });

  it("exports the core operator builtins under their cs_bi_ names", () => {
    for (const name of [
      "internal__member_2",
      "internal__member_3",
      "equal",
      "neq",
      "lt",
      "lte",
      "gt",
      "gte",
      "plus",
      "minus",
      "mul",
      "div",
      "rem",
      "and",
      "or",
    ]) {
      expect(binary.exports.has(`cs_bi_${name}`)).toBe(true);
    }
  });
});
