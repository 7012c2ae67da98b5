// Module reader: an AssemblyScript-built runtime, hand-made modules, and malformed input.

import { SectionId } from "../../../src/compiler/wasm/binary-format";
import { LinkError } from "../../../src/compiler/wasm/link-error";
import { customSection, findSection, formatFuncType, functionType, readModule } from "../../../src/compiler/wasm/module-reader";
import { compileAssemblyScript, MINI_RUNTIME, moduleBytes, RUNTIME_FLAGS, str, vec } from "./wasm-fixtures";

describe("module reader on an AssemblyScript runtime", () => {
  const bytes = compileAssemblyScript(MINI_RUNTIME, [...RUNTIME_FLAGS, "--debug"]);
  const info = readModule(bytes);

  it("lists the imports with the function imports first in the function index space", () => {
    expect(info.imports.map((i) => `${i.module}.${i.field}:${i.kind}`)).toEqual(
      expect.arrayContaining(["env.opa_abort:func", "env.opa_builtin1:func", "env.memory:memory"]),
    );
    expect(info.importedFunctionCount).toBe(2);
    const abort = info.imports.findIndex((i) => i.field === "opa_abort");
    expect(formatFuncType(functionType(info, abort)!)).toBe("(i32) -> nothing");
  });

  it("maps export names to indices and signatures", () => {
    const index = (name: string): number => info.exports.find((e) => e.name === name && e.kind === "func")!.index;
    expect(formatFuncType(functionType(info, index("cs_policy_eval"))!)).toBe("(i32, i32, i32) -> i32");
    expect(formatFuncType(functionType(info, index("cs_test_f64"))!)).toBe("(f64) -> f64");
    expect(index("cs_null")).toBeGreaterThanOrEqual(info.importedFunctionCount);
    expect(info.exports.find((e) => e.name === "opa_wasm_abi_version")?.kind).toBe("global");
    expect(info.exports.find((e) => e.name === "memory")?.kind).toBe("memory");
  });

  it("finds one code body per defined function, inside the code section", () => {
    const code = findSection(info, SectionId.Code)!;
    expect(info.code).toHaveLength(info.functionTypeIndices.length);
    for (const body of info.code) {
      expect(body.entryStart).toBeGreaterThanOrEqual(code.payloadStart);
      expect(body.end).toBeLessThanOrEqual(code.end);
      expect(bytes[body.end - 1]).toBe(0x0b);
    }
  });

  it("decodes the globals and keeps custom sections by name", () => {
    expect(info.globals.filter((g) => !g.mutable).map((g) => g.type)).toEqual(["i32", "i32"]);
    expect(customSection(info, "name")).toBeDefined();
    expect(info.start).toBeNull();
  });
});

describe("module reader on hand-made modules", () => {
  it("decodes constant expressions of every kind a global may use", () => {
    const info = readModule(
      moduleBytes([
        [SectionId.Import, vec([[...str("env"), ...str("g"), 0x03, 0x7f, 0x00]])],
        [
          SectionId.Global,
          vec([
            [0x7e, 0x01, 0x42, 0x80, 0x80, 0x80, 0x80, 0x10, 0x0b], // mut i64 = 1 << 32
            [0x7c, 0x00, 0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x0b], // f64 = 1.0
            [0x7f, 0x00, 0x23, 0x00, 0x41, 0x01, 0x6a, 0x0b], // i32 = g + 1 (extended const)
            [0x70, 0x00, 0xd0, 0x70, 0x0b], // funcref = ref.null func
          ]),
        ],
        [SectionId.Start, [0x00]],
      ]),
    );
    expect(info.globals.map((g) => `${g.mutable ? "mut " : ""}${g.type}`)).toEqual(["mut i64", "f64", "i32", "funcref"]);
    expect(info.imports).toEqual([{ module: "env", field: "g", kind: "global" }]);
    expect(info.importedFunctionCount).toBe(0);
    expect(info.start).toBe(0);
  });

  it("keeps sections it does not decode as byte ranges", () => {
    const info = readModule(
      moduleBytes([
        [SectionId.Memory, vec([[0x00, 0x01]])],
        [SectionId.DataCount, [0x00]],
      ]),
    );
    expect(info.sections.map((s) => [s.id, s.end - s.payloadStart])).toEqual([
      [SectionId.Memory, 3],
      [SectionId.DataCount, 1],
    ]);
  });

  it.each<[string, Uint8Array, RegExp]>([
    ["bytes that are not wasm", Uint8Array.of(1, 2, 3, 4), /not a wasm module/],
    ["a section running past the end", Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 9, 0), /runs past the end/],
    ["a GC type (rec group)", moduleBytes([[SectionId.Type, vec([[0x4e, 0x00]])]]), /only function types/],
    ["a function without a body", moduleBytes([[SectionId.Function, vec([[0x00]])]]), /declares 1 functions/],
    ["trailing bytes in a section", moduleBytes([[SectionId.Start, [0x00, 0x00]]]), /unexpected trailing bytes/],
  ])("rejects %s as a malformed runtime", (_, bytes, message) => {
    let error: unknown;
    try {
      readModule(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LinkError);
    expect((error as LinkError).code).toBe("COUNTERSIGN_LINK_MALFORMED_RUNTIME");
    expect((error as LinkError).message).toMatch(message);
  });
});
