/**
 * The policy hooks stay real call targets after optimisation: replacing their bodies, as the linker does,
 * changes what the runtime's own callers (start, eval, opa_eval, builtins, entrypoints) see.
 */

import { readFileSync } from "node:fs";
import { POLICY_HOOKS } from "../../src/compiler/wasm/runtime-contract";
import { RUNTIME_PATH, Runtime } from "./harness";
import { WasmBinary } from "./wasm-binary";

const binary = new WasmBinary(readFileSync(RUNTIME_PATH));
const UNREACHABLE = [0x00, 0x0b];

function callOf(functionName: string): number[] {
  const index = binary.exportedFunction(functionName);
  const leb: number[] = [];
  let n = index;
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    leb.push(b);
  } while (n);
  return [0x10, ...leb];
}

/** A runtime whose hook bodies are replaced; each body is the instructions after the locals, ending in 0x0b. */
function patched(bodies: Record<string, number[]>): Runtime {
  const map = new Map<number, number[]>();
  for (const [hook, body] of Object.entries(bodies)) map.set(binary.exportedFunction(hook), body);
  return new Runtime({ module: new WebAssembly.Module(binary.withBodies(map)) });
}

describe("policy hooks", () => {
  it("are four distinct functions", () => {
    const indices = Object.keys(POLICY_HOOKS).map((name) => binary.exportedFunction(name));
    expect(new Set(indices).size).toBe(4);
  });

  it("leave the module unchanged when their bodies are swapped for equivalent ones", () => {
    const rt = patched({});
    expect(rt.js(rt.exports.builtins())).toEqual({});
  });

  it("calls cs_policy_init from the start function", () => {
    expect(binary.start).toBeDefined();
    expect(() => patched({ cs_policy_init: UNREACHABLE })).toThrow(WebAssembly.RuntimeError);
  });

  it("routes eval and opa_eval through cs_policy_eval", () => {
    const rt = patched({ cs_policy_eval: [...callOf("cs_null"), 0x0b] });
    const ctx = rt.exports.opa_eval_ctx_new();
    rt.exports.eval(ctx);
    expect(rt.jsonText(rt.exports.opa_eval_ctx_get_result(ctx))).toBe("null");
    const heap = rt.exports.opa_heap_ptr_get();
    expect(rt.cString(rt.exports.opa_eval(0, 0, 0, 0, 0, heap, 0))).toBe("null");
  });

  it("routes builtins() through cs_policy_builtins and entrypoints() through cs_policy_entrypoints", () => {
    const rt = patched({
      cs_policy_builtins: [...callOf("cs_null"), 0x0b],
      cs_policy_entrypoints: [...callOf("cs_set"), 0x0b],
    });
    expect(rt.jsonText(rt.exports.builtins())).toBe("null");
    expect(rt.regoText(rt.exports.entrypoints())).toBe("set()");
  });

  it("keeps each hook separate from the others when one is replaced", () => {
    const rt = patched({ cs_policy_builtins: UNREACHABLE });
    expect(() => rt.exports.builtins()).toThrow(WebAssembly.RuntimeError);
    expect(rt.js(rt.exports.entrypoints())).toEqual({});
    const ctx = rt.exports.opa_eval_ctx_new();
    rt.exports.eval(ctx);
    expect(rt.js(rt.exports.opa_eval_ctx_get_result(ctx))).toEqual([]);
  });
});
