// Linker: generated code linked into small AssemblyScript runtimes and hand-made modules, then run.

import { SectionId } from "../../../src/compiler/wasm/binary-format";
import type { GeneratedFunction, Instr, LinkRequest } from "../../../src/compiler/wasm/instructions";
import {
  link,
  LinkError,
  linkModule,
  OPA_ABI_FUNCTION_EXPORTS,
  OPA_ABI_GLOBAL_EXPORTS,
  verifyLinked,
} from "../../../src/compiler/wasm/linker";
import { formatFuncType, readModule } from "../../../src/compiler/wasm/module-reader";
import type { WasmType } from "../../../src/compiler/wasm/runtime-contract";
import {
  compileAssemblyScript,
  DRIFTED_RUNTIME,
  fn,
  instantiate,
  MINI_RUNTIME,
  moduleBytes,
  RUNTIME_FLAGS,
  str,
  uleb,
  vec,
  wasm,
} from "./wasm-fixtures";

const get = (index: number): Instr => ({ op: "local.get", index });
const set = (index: number): Instr => ({ op: "local.set", index });
const i32 = (value: number): Instr => ({ op: "i32.const", value });
const call = (func: string): Instr => ({ op: "call", func });

function func(name: string, params: WasmType[], result: WasmType | null, body: Instr[], locals: WasmType[] = []): GeneratedFunction {
  return { name, params, result, locals, body };
}

function linkError(req: LinkRequest): LinkError {
  try {
    link(req);
  } catch (e) {
    if (e instanceof LinkError) return e;
    throw e;
  }
  throw new Error("expected a LinkError");
}

/** Runtime built like a debug build (with a name section), like a release build, and fully optimised. */
let runtime: Uint8Array;
let releaseRuntime: Uint8Array;
let optimisedRuntime: Uint8Array;
let driftedRuntime: Uint8Array;

beforeAll(() => {
  runtime = compileAssemblyScript(MINI_RUNTIME, [...RUNTIME_FLAGS, "--debug"]);
  releaseRuntime = compileAssemblyScript(MINI_RUNTIME, [...RUNTIME_FLAGS]);
  optimisedRuntime = compileAssemblyScript(MINI_RUNTIME, [...RUNTIME_FLAGS, "-O3", "--noAssert"]);
  driftedRuntime = compileAssemblyScript(DRIFTED_RUNTIME, [...RUNTIME_FLAGS]);
});

describe("linking generated code into the runtime", () => {
  it("runs a generated policy function that eval reaches through the cs_policy_eval hook", () => {
    // policy_eval(ctx, input, data): sums 0..input-1 in a loop, then adds cs_boolean(sum > 5).
    const [input, i, sum, flag] = [1, 3, 4, 5];
    const body: Instr[] = [
      i32(0),
      set(i),
      i32(0),
      set(sum),
      {
        op: "block",
        label: "done",
        body: [
          {
            op: "loop",
            label: "next",
            body: [
              get(i),
              get(input),
              { op: "i32.ge_u" },
              { op: "br_if", label: "done" },
              get(sum),
              get(i),
              { op: "i32.add" },
              set(sum),
              get(i),
              i32(1),
              { op: "i32.add" },
              set(i),
              { op: "br", label: "next" },
            ],
          },
        ],
      },
      get(sum),
      i32(5),
      { op: "i32.gt_s" },
      { op: "if", then: [i32(1), set(flag)], else: [i32(0), set(flag)] },
      get(sum),
      get(flag),
      call("cs_boolean"),
      { op: "i32.add" },
    ];
    const bytes = link({
      runtime,
      functions: [func("policy_eval", ["i32", "i32", "i32"], "i32", body, ["i32", "i32", "i32"])],
      hooks: { cs_policy_eval: "policy_eval" },
    });

    expect(wasm.validate(bytes)).toBe(true);
    const evalFn = fn(instantiate(bytes), "eval");
    expect(evalFn(4)).toBe(10 + 102); // input 5: 0+1+2+3+4, and true
    expect(evalFn(1)).toBe(1 + 101); // input 2: 0+1, and false
  });

  it("writes to linear memory with i32.store8, i32.store and i64.store", () => {
    const body: Instr[] = [
      get(0),
      i32(0xab),
      { op: "i32.store8", offset: 0 },
      get(0),
      i32(-2),
      { op: "i32.store", offset: 4 },
      get(0),
      { op: "i64.const", value: -(1n << 63n) },
      { op: "i64.store", offset: 8 },
      get(0),
      { op: "i64.const", value: 0x40n },
      { op: "i64.store", offset: 16 },
      get(0),
      { op: "i64.const", value: (1n << 63n) - 1n },
      { op: "i64.store", offset: 24 },
      get(0),
    ];
    const instance = instantiate(
      link({
        runtime,
        functions: [func("write_constants", ["i32"], "i32", body)],
        hooks: { cs_test1: "write_constants" },
        keepRuntimeExports: true,
      }),
    );
    expect(fn(instance, "cs_test1")(1024)).toBe(1024);
    const view = new DataView(instance.memory.buffer, 1024, 32);
    expect(view.getUint8(0)).toBe(0xab);
    expect(view.getInt32(4, true)).toBe(-2);
    expect(view.getBigInt64(8, true)).toBe(-(1n << 63n));
    expect(view.getBigInt64(16, true)).toBe(0x40n);
    expect(view.getBigInt64(24, true)).toBe((1n << 63n) - 1n);
  });

  it("passes f64 constants to runtime functions and returns them from generated ones", () => {
    const instance = instantiate(
      link({
        runtime,
        functions: [
          func("tenfold", [], "i32", [{ op: "f64.const", value: 12.34 }, call("cs_number_f64")]),
          func("constant_f64", ["f64"], "f64", [{ op: "f64.const", value: -0.1 }]),
        ],
        hooks: { cs_test0: "tenfold", cs_test_f64: "constant_f64" },
        keepRuntimeExports: true,
      }),
    );
    expect(fn(instance, "cs_test0")()).toBe(123);
    expect(fn(instance, "cs_test_f64")(7)).toBe(-0.1);
  });

  it("calls imported host builtins by their import field name", () => {
    const instance = instantiate(
      link({
        runtime,
        functions: [func("use_builtin", ["i32"], "i32", [i32(7), i32(0), get(0), call("opa_builtin1")])],
        hooks: { cs_test1: "use_builtin" },
        keepRuntimeExports: true,
      }),
    );
    expect(fn(instance, "cs_test1")(5)).toBe(5);
    expect(instance.builtinCalls).toEqual([[7, 0, 5]]);
  });

  it("calls generated functions from generated functions, including ones defined later", () => {
    const instance = instantiate(
      link({
        runtime,
        functions: [
          func("outer", ["i32", "i32"], "i32", [get(0), call("inner"), get(1), { op: "i32.sub" }]),
          func("inner", ["i32"], "i32", [get(0), call("cs_null"), { op: "i32.add" }]),
        ],
        hooks: { cs_test2: "outer" },
        keepRuntimeExports: true,
      }),
    );
    expect(fn(instance, "cs_test2")(5, 3)).toBe(102);
  });

  it("handles a function with many locals of mixed types", () => {
    // Params (i32); 40 locals alternating i32 and f64. i32 local k holds k, f64 local k holds k + 0.5;
    // the result is the sum of the i32 locals plus cs_number_f64 of the last f64 local (39.5 * 10).
    const locals: WasmType[] = Array.from({ length: 40 }, (_, k) => (k % 2 === 0 ? "i32" : "f64"));
    const body: Instr[] = [];
    locals.forEach((type, k) => {
      body.push(type === "i32" ? i32(k) : { op: "f64.const", value: k + 0.5 }, set(1 + k));
    });
    body.push(get(0));
    locals.forEach((type, k) => {
      if (type === "i32") body.push(get(1 + k), { op: "i32.add" });
    });
    body.push(get(40), call("cs_number_f64"), { op: "i32.add" });

    const linked = linkModule({
      runtime,
      functions: [func("many_locals", ["i32"], "i32", body, locals)],
      hooks: { cs_test1: "many_locals" },
      keepRuntimeExports: true,
    });
    const evenSum = locals.reduce((n, t, k) => (t === "i32" ? n + k : n), 0);
    expect(fn(instantiate(linked.bytes), "cs_test1")(1000)).toBe(1000 + evenSum + 395);

    // The locals are declared as two runs, one per type.
    const out = readModule(linked.bytes);
    const entry = out.code[linked.functionIndex.get("many_locals")! - out.importedFunctionCount]!;
    expect([...linked.bytes.subarray(entry.start, entry.start + 5)]).toEqual([2, 20, 0x7f, 20, 0x7c]);
  });

  it("adds generated globals after the runtime's and resolves global.get/global.set by name", () => {
    const instance = instantiate(
      link({
        runtime,
        globals: [
          { name: "g_count", type: "i32" },
          { name: "g_scale", type: "f64" },
        ],
        functions: [
          func("bump", ["i32"], "i32", [
            { op: "global.get", name: "g_count" },
            get(0),
            { op: "i32.add" },
            { op: "global.set", name: "g_count" },
            { op: "global.get", name: "g_count" },
          ]),
          func("scale", ["f64"], "f64", [{ op: "global.get", name: "g_scale" }, get(0), { op: "global.set", name: "g_scale" }]),
        ],
        hooks: { cs_test1: "bump", cs_test_f64: "scale" },
        keepRuntimeExports: true,
      }),
    );
    expect(fn(instance, "cs_test1")(3)).toBe(3);
    expect(fn(instance, "cs_test1")(4)).toBe(7);
    expect(fn(instance, "cs_test_f64")(2.5)).toBe(0);
    expect(fn(instance, "cs_test_f64")(1)).toBe(2.5);
  });
});

describe("call resolution", () => {
  it("rejects a call to a function that does not exist, naming the caller and the callee", () => {
    const e = linkError({ runtime, functions: [func("caller", [], null, [call("cs_nonexistent")])], hooks: {} });
    expect(e.code).toBe("COUNTERSIGN_LINK_UNKNOWN_FUNCTION");
    expect(e.functionName).toBe("caller");
    expect(e.message).toMatch(/"caller" calls "cs_nonexistent"/);
  });

  it("rejects generated names that repeat or clash with runtime exports or imports", () => {
    const f = (name: string): GeneratedFunction => func(name, [], null, []);
    expect(linkError({ runtime, functions: [f("a"), f("a")], hooks: {} }).message).toMatch(/another generated/);
    expect(linkError({ runtime, functions: [f("cs_null")], hooks: {} }).message).toMatch(/a runtime export/);
    expect(linkError({ runtime, functions: [f("opa_abort")], hooks: {} }).message).toMatch(/an imported function/);
    const globals = [
      { name: "g", type: "i32" as const },
      { name: "g", type: "f64" as const },
    ];
    const g = linkError({ runtime, functions: [], globals, hooks: {} });
    expect(g.code).toBe("COUNTERSIGN_LINK_DUPLICATE_GLOBAL");
  });

  it("rejects a call to a runtime function whose signature drifted from the contract", () => {
    const e = linkError({
      runtime: driftedRuntime,
      functions: [func("uses_null", [], "i32", [call("cs_null")])],
      hooks: {},
    });
    expect(e.code).toBe("COUNTERSIGN_LINK_SIGNATURE_DRIFT");
    expect(e.message).toBe(
      'COUNTERSIGN_LINK_SIGNATURE_DRIFT: runtime function "cs_null" has signature (i32) -> i32, but ' +
        "RUNTIME_FUNCTIONS in runtime-contract.ts says () -> i32; rebuild the runtime or update the contract",
    );
  });

  it("rejects a call to a runtime builtin that does not take and return values", () => {
    const e = linkError({
      runtime: driftedRuntime,
      functions: [func("uses_builtin", ["i32"], "i32", [get(0), call("cs_bi_strings__any")])],
      hooks: {},
    });
    expect(e.code).toBe("COUNTERSIGN_LINK_SIGNATURE_DRIFT");
    expect(e.message).toMatch(/runtime builtin "cs_bi_strings__any" has signature \(f64\) -> i32/);
  });

  it("calls runtime builtins by their export name", () => {
    const instance = instantiate(
      link({
        runtime,
        functions: [func("uses_builtin", ["i32"], "i32", [get(0), call("cs_bi_count")])],
        hooks: { cs_test1: "uses_builtin" },
        keepRuntimeExports: true,
      }),
    );
    expect(fn(instance, "cs_test1")(41)).toBe(42);
  });

  it("accepts contract functions whose signatures match, and does not check exports outside the contract", () => {
    const bytes = link({
      runtime: driftedRuntime,
      functions: [func("ok", [], "i32", [i32(1), call("cs_boolean")])],
      hooks: {},
    });
    expect(wasm.validate(bytes)).toBe(true);
  });
});

describe("hooks", () => {
  const evalHook = func("policy_eval", ["i32", "i32", "i32"], "i32", [get(2), i32(1000), { op: "i32.add" }]);

  it("replaces the placeholder's body with a call forwarding its parameters", () => {
    const instance = instantiate(
      link({ runtime, functions: [evalHook], hooks: { cs_policy_eval: "policy_eval" }, keepRuntimeExports: true }),
    );
    expect(fn(instance, "cs_policy_eval")(1, 2, 3)).toBe(1003);
    expect(fn(instance, "eval")(5)).toBe(1007);
    expect(fn(instance, "cs_eval_calls")()).toBe(1); // the rest of eval still runs
  });

  it("leaves every other runtime function body byte for byte", () => {
    const linked = linkModule({ runtime, functions: [evalHook], hooks: { cs_policy_eval: "policy_eval" } });
    const before = readModule(runtime);
    const after = readModule(linked.bytes);
    const hooked = before.exports.find((e) => e.name === "cs_policy_eval")!.index - before.importedFunctionCount;
    before.code.forEach((body, i) => {
      const original = runtime.subarray(body.start, body.end);
      const linkedBody = linked.bytes.subarray(after.code[i]!.start, after.code[i]!.end);
      if (i === hooked) expect(linkedBody).not.toEqual(original);
      else expect(linkedBody).toEqual(original);
    });
  });

  it("copies a runtime byte for byte when there is nothing to link", () => {
    expect(link({ runtime, functions: [], hooks: {}, keepRuntimeExports: true })).toEqual(runtime);
  });

  it("checks a policy hook's runtime signature against the contract", () => {
    const e = linkError({
      runtime: driftedRuntime,
      functions: [func("policy_eval", ["i32", "i32"], "i32", [i32(0)])],
      hooks: { cs_policy_eval: "policy_eval" },
    });
    expect(e.code).toBe("COUNTERSIGN_LINK_SIGNATURE_DRIFT");
    expect(e.message).toMatch(/"cs_policy_eval" has signature \(i32, i32\) -> i32, but POLICY_HOOKS/);
    expect(e.message).toMatch(/says \(i32, i32, i32\) -> i32/);
  });

  it("rejects a generated function whose signature differs from the placeholder's", () => {
    const e = linkError({ runtime, functions: [func("wrong", [], "i32", [i32(0)])], hooks: { cs_test1: "wrong" } });
    expect(e.code).toBe("COUNTERSIGN_LINK_SIGNATURE_MISMATCH");
    expect(e.message).toMatch(/hook "cs_test1" has signature \(i32\) -> i32, but generated function "wrong" has \(\)/);
  });

  it("rejects hooks naming a missing placeholder or a missing generated function", () => {
    expect(linkError({ runtime, functions: [evalHook], hooks: { cs_policy_nope: "policy_eval" } }).code).toBe(
      "COUNTERSIGN_LINK_UNKNOWN_HOOK",
    );
    const e = linkError({ runtime, functions: [], hooks: { cs_policy_eval: "policy_eval" } });
    expect(e.code).toBe("COUNTERSIGN_LINK_UNKNOWN_FUNCTION");
    expect(e.message).toMatch(/hook "cs_policy_eval" forwards to generated function "policy_eval", which does not exist/);
  });

  it("rejects a hook on an imported function", () => {
    const reexport = moduleBytes([
      [SectionId.Type, vec([[0x60, 0x00, 0x00]])],
      [SectionId.Import, vec([[...str("env"), ...str("host"), 0x00, 0x00]])],
      [SectionId.Export, vec([[...str("cs_policy_init"), 0x00, 0x00]])],
    ]);
    const e = linkError({ runtime: reexport, functions: [func("init", [], null, [])], hooks: { cs_policy_init: "init" } });
    expect(e.code).toBe("COUNTERSIGN_LINK_UNKNOWN_HOOK");
    expect(e.message).toMatch(/imported function/);
  });

  it("rejects a placeholder that an optimiser merged with another hook", () => {
    const merged = moduleBytes([
      [SectionId.Type, vec([[0x60, 0x00, 0x01, 0x7f]])],
      [SectionId.Function, vec([[0x00]])],
      [
        SectionId.Export,
        vec([
          [...str("cs_policy_builtins"), 0x00, 0x00],
          [...str("cs_policy_entrypoints"), 0x00, 0x00],
        ]),
      ],
      [SectionId.Code, vec([[0x04, 0x00, 0x41, 0x00, 0x0b]])],
    ]);
    const e = linkError({
      runtime: merged,
      functions: [func("b", [], "i32", [i32(1)])],
      hooks: { cs_policy_builtins: "b" },
    });
    expect(e.code).toBe("COUNTERSIGN_LINK_UNUSABLE_HOOK");
    expect(e.message).toMatch(/"cs_policy_builtins" is the same runtime function as "cs_policy_entrypoints"/);
  });

  it("rejects a policy hook the optimised runtime never calls because it was inlined", () => {
    const e = linkError({ runtime: optimisedRuntime, functions: [evalHook], hooks: { cs_policy_eval: "policy_eval" } });
    expect(e.code).toBe("COUNTERSIGN_LINK_UNUSABLE_HOOK");
    expect(e.message).toMatch(/never calls its placeholder "cs_policy_eval".*inlined/);
  });
});

describe("exports", () => {
  const exportsOf = (bytes: Uint8Array): string[] =>
    wasm.Module.exports(new wasm.Module(bytes))
      .map((e) => `${e.kind}:${e.name}`)
      .sort();

  it("keeps only OPA's ABI surface that the runtime has, plus its memory", () => {
    const bytes = link({ runtime, functions: [], hooks: {} });
    expect(exportsOf(bytes)).toEqual(
      [
        "global:opa_wasm_abi_version",
        "global:opa_wasm_abi_minor_version",
        "memory:memory",
        "function:opa_malloc",
        "function:opa_heap_ptr_get",
        "function:opa_heap_ptr_set",
        "function:eval",
        "function:builtins",
        "function:entrypoints",
      ].sort(),
    );
    for (const name of exportsOf(bytes)) {
      const [kind, bare] = name.split(":") as [string, string];
      const list = kind === "function" ? OPA_ABI_FUNCTION_EXPORTS : kind === "global" ? OPA_ABI_GLOBAL_EXPORTS : ["memory"];
      expect(list).toContain(bare);
    }
  });

  it("keeps every runtime export when asked to", () => {
    expect(exportsOf(link({ runtime, functions: [], hooks: {}, keepRuntimeExports: true }))).toEqual(exportsOf(runtime));
  });
});

describe("types", () => {
  it("reuses the runtime's types and adds each new signature once", () => {
    const noop = (name: string, params: WasmType[], result: WasmType | null): GeneratedFunction =>
      func(name, params, result, result === "f64" ? [{ op: "f64.const", value: 0 }] : result === "i32" ? [i32(0)] : []);
    const before = readModule(runtime);
    const linked = linkModule({
      runtime,
      functions: [
        noop("a1", ["i32"], "i32"),
        noop("b1", ["f64", "i32", "f64"], "f64"),
        noop("a2", ["i32"], "i32"),
        noop("c1", ["i32", "f64", "i32", "f64"], null),
        noop("b2", ["f64", "i32", "f64"], "f64"),
        noop("c2", ["i32", "f64", "i32", "f64"], null),
      ],
      hooks: {},
    });
    expect(wasm.validate(linked.bytes)).toBe(true);
    const after = readModule(linked.bytes);
    expect(after.types.slice(0, before.types.length)).toEqual(before.types);
    expect(after.types.slice(before.types.length).map(formatFuncType)).toEqual([
      "(f64, i32, f64) -> f64",
      "(i32, f64, i32, f64) -> nothing",
    ]);
    const typeOf = (name: string): number => after.functionTypeIndices[linked.functionIndex.get(name)! - after.importedFunctionCount]!;
    expect(typeOf("a1")).toBe(typeOf("a2"));
    expect(typeOf("a1")).toBeLessThan(before.types.length);
    expect(typeOf("b1")).toBe(typeOf("b2"));
  });
});

describe("names and diagnostics", () => {
  const trap = func("policy_trap", [], "i32", [{ op: "unreachable" }]);

  function stackOfTrap(base: Uint8Array): string {
    const instance = instantiate(link({ runtime: base, functions: [trap], hooks: { cs_test0: "policy_trap" }, keepRuntimeExports: true }));
    try {
      fn(instance, "cs_test0")();
    } catch (e) {
      return (e as Error).stack ?? "";
    }
    throw new Error("expected a trap");
  }

  it("names generated functions in stack traces, alongside the runtime's own names", () => {
    const stack = stackOfTrap(runtime);
    expect(stack).toMatch(/at policy_trap \(wasm:/);
    expect(stack).toMatch(/cs_test0/);
  });

  it("adds a name section for generated functions when the runtime has none", () => {
    const before = new wasm.Module(releaseRuntime);
    expect(wasm.Module.customSections(before, "name")).toHaveLength(0);
    expect(stackOfTrap(releaseRuntime)).toMatch(/at policy_trap \(wasm:/);
  });

  it("reports a module that does not compile against the generated function at fault", () => {
    const linked = linkModule({
      runtime,
      functions: [func("fine", [], null, []), func("ill_typed", [], "i32", [{ op: "f64.const", value: 1 }])],
      hooks: {},
    });
    expect(wasm.validate(linked.bytes)).toBe(false);
    let error: unknown;
    try {
      verifyLinked(linked);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LinkError);
    const e = error as LinkError;
    expect(e.code).toBe("COUNTERSIGN_LINK_INVALID_OUTPUT");
    expect(e.functionName).toBe("ill_typed");
    expect(e.message).toMatch(/generated function "ill_typed" \(#\d+\) does not compile: /);
    expect(linked.describeFunction(linked.functionIndex.get("ill_typed")!)).toMatch(/^generated function "ill_typed"/);
  });

  it("accepts a valid module in verifyLinked", () => {
    expect(() => verifyLinked(linkModule({ runtime, functions: [trap], hooks: {} }))).not.toThrow();
  });
});

describe("section layout", () => {
  /** A runtime with bulk memory: a data count section, a passive segment read by memory.init, a custom section. */
  const bulkMemoryRuntime = moduleBytes([
    [SectionId.Type, vec([[0x60, 0x00, 0x01, 0x7f]])],
    [SectionId.Custom, [...str("producers"), 1, 2, 3]],
    [SectionId.Function, vec([[0x00]])],
    [SectionId.Memory, vec([[0x00, 0x01]])],
    [
      SectionId.Export,
      vec([
        [...str("memory"), 0x02, 0x00],
        [...str("cs_read"), 0x00, 0x00],
      ]),
    ],
    [SectionId.DataCount, [0x01]],
    [
      SectionId.Code,
      vec([
        (() => {
          // memory.init 0 (dest 0, src 0, len 4), then i32.load 0
          const body = [
            ...[0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x04], // no locals; dest 0, src 0, len 4
            ...[0xfc, 0x08, 0x00, 0x00], // memory.init data 0, memory 0
            ...[0x41, 0x00, 0x28, 0x02, 0x00, 0x0b], // i32.load from 0; end
          ];
          return [...uleb(body.length), ...body];
        })(),
      ]),
    ],
    [SectionId.Data, vec([[0x01, 0x04, 0xde, 0xad, 0xbe, 0xef]])],
  ]);

  it("keeps the data count section and custom sections in a valid order while adding globals and code", () => {
    const bytes = link({
      runtime: bulkMemoryRuntime,
      globals: [{ name: "g", type: "i32" }],
      functions: [func("policy", ["i32"], "i32", [{ op: "global.get", name: "g" }, get(0), { op: "i32.add" }])],
      hooks: {},
      keepRuntimeExports: true,
    });
    const out = readModule(bytes);
    expect(out.sections.map((s) => s.customName ?? s.id)).toEqual([
      SectionId.Type,
      "producers",
      SectionId.Function,
      SectionId.Memory,
      SectionId.Global,
      SectionId.Export,
      SectionId.DataCount,
      SectionId.Code,
      SectionId.Data,
      "name",
    ]);
    const module = new wasm.Module(bytes);
    expect([...new Uint8Array(wasm.Module.customSections(module, "producers")[0]!)]).toEqual([1, 2, 3]);
    const instance = instantiate(bytes);
    expect(fn(instance, "cs_read")() >>> 0).toBe(0xefbeadde);
  });

  it("creates the type, function and code sections for a runtime that has none", () => {
    const bytes = link({
      runtime: moduleBytes([[SectionId.Memory, vec([[0x00, 0x01]])]]),
      functions: [func("only", [], "i32", [i32(42)])],
      hooks: {},
    });
    expect(wasm.validate(bytes)).toBe(true);
    expect(readModule(bytes).sections.map((s) => s.customName ?? s.id)).toEqual([
      SectionId.Type,
      SectionId.Function,
      SectionId.Memory,
      SectionId.Code,
      "name",
    ]);
  });
});

describe("speed", () => {
  it("links 1,000 small functions in a few milliseconds", () => {
    // f_0(x) = x + cs_null(); f_i(x) = f_{i-1}(x) + 1, each with a guarded block and two locals.
    const functions = Array.from({ length: 1000 }, (_, k) =>
      func(
        `f_${k}`,
        ["i32"],
        "i32",
        [
          {
            op: "block",
            label: "skip",
            body: [get(0), { op: "i32.eqz" }, { op: "br_if", label: "skip" }, { op: "f64.const", value: k }, set(2)],
          },
          get(0),
          k === 0 ? call("cs_null") : call(`f_${k - 1}`),
          k === 0 ? { op: "i32.add" } : i32(1),
          ...(k === 0 ? [] : [{ op: "i32.add" } as Instr]),
          { op: "local.tee", index: 1 },
        ],
        ["i32", "f64"],
      ),
    );
    const req: LinkRequest = { runtime, functions, hooks: { cs_test1: "f_999" }, keepRuntimeExports: true };

    const coldStart = process.hrtime.bigint();
    link(req);
    const cold = Number(process.hrtime.bigint() - coldStart) / 1e6;
    for (let i = 0; i < 30; i++) link(req); // warm up the JIT
    const times: number[] = [];
    let bytes: Uint8Array = new Uint8Array();
    for (let i = 0; i < 20; i++) {
      const start = process.hrtime.bigint();
      bytes = link(req);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    console.log(
      `linking 1,000 functions into a ${runtime.length}-byte runtime: first link ${cold.toFixed(2)} ms, then ` +
        `median ${times[10]!.toFixed(2)} ms, min ${times[0]!.toFixed(2)} ms; output ${bytes.length} bytes`,
    );
    expect(fn(instantiate(bytes), "cs_test1")(1)).toBe(1 + 100 + 999);
  });
});
