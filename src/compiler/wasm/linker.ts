/**
 * Links generated policy functions into the runtime module, producing a policy module with OPA's Wasm ABI.
 *
 * The generated functions, their types and globals are appended after the runtime's own, so no index the
 * runtime's code uses ever changes and its code is copied byte for byte: linking is a single pass over the
 * section table plus the encoding of the new bodies. Hook placeholders the runtime exports get a new body
 * that forwards to a generated function, and the export section is cut down to OPA's ABI surface.
 */

import { FUNC_TYPE_FORM, Op, SectionId, VALTYPE_CODE, WASM_HEADER, externKindCode, sectionRank } from "./binary-format";
import { encodeFunctionBody, type NameResolver } from "./code-encoder";
import type { GeneratedFunction, LinkRequest } from "./instructions";
import { ByteReader, ByteWriter, encodeU32, u32Size } from "./leb128";
import { LinkError } from "./link-error";
import {
  customSection,
  findSection,
  formatFuncType,
  functionType,
  readModule,
  type Export,
  type FuncType,
  type ModuleInfo,
  type Section,
} from "./module-reader";
import { builtinFromExportName, POLICY_HOOKS, RUNTIME_FUNCTIONS, type RuntimeFunction } from "./runtime-contract";

export { LinkError, LINK_ERROR_CODES, type LinkErrorCode } from "./link-error";

/** Function exports of OPA's Wasm ABI; the linked module keeps those the runtime has and drops the rest. */
export const OPA_ABI_FUNCTION_EXPORTS: readonly string[] = [
  "opa_malloc",
  "opa_free",
  "opa_json_parse",
  "opa_value_parse",
  "opa_json_dump",
  "opa_value_dump",
  "opa_heap_ptr_get",
  "opa_heap_ptr_set",
  "opa_eval_ctx_new",
  "opa_eval_ctx_set_input",
  "opa_eval_ctx_set_data",
  "opa_eval_ctx_set_entrypoint",
  "opa_eval_ctx_get_result",
  "eval",
  "builtins",
  "entrypoints",
  "opa_eval",
  "opa_value_add_path",
  "opa_value_remove_path",
];

/** Global exports of OPA's Wasm ABI (the ABI version the SDK checks). */
export const OPA_ABI_GLOBAL_EXPORTS: readonly string[] = ["opa_wasm_abi_version", "opa_wasm_abi_minor_version"];

/** The memory export kept when the runtime has one. */
export const OPA_ABI_MEMORY_EXPORT = "memory";

/** A linked policy module, with what diagnostics need to name functions by index. */
export interface LinkedModule {
  readonly bytes: Uint8Array;
  /** Function index of each generated function, by name. */
  readonly functionIndex: ReadonlyMap<string, number>;
  /** Name of each generated function, by function index. */
  readonly functionNames: ReadonlyMap<number, string>;
  /** Says which function an index is: `generated function "x"`, `runtime function "cs_null"`, or `function #n`. */
  describeFunction(index: number): string;
}

/**
 * Links generated functions into the runtime module (see LinkRequest) and returns the module's bytes.
 * Throws a LinkError with a stable code when the request or the runtime is wrong.
 */
export function link(req: LinkRequest): Uint8Array {
  return linkModule(req).bytes;
}

/** Like link, and also returns the function index ↔ name maps that diagnostics use. */
export function linkModule(req: LinkRequest): LinkedModule {
  return new Linker(req).run();
}

/**
 * Compiles a linked module with the host's WebAssembly engine and throws a LinkError
 * (COUNTERSIGN_LINK_INVALID_OUTPUT) naming the generated function at fault when the engine rejects it.
 */
export function verifyLinked(linked: LinkedModule): void {
  const host = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => unknown } }).WebAssembly;
  try {
    new host.Module(linked.bytes);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const match = /function #(\d+)/.exec(message);
    const index = match ? Number(match[1]) : undefined;
    const where = index === undefined ? "the linked module" : linked.describeFunction(index);
    throw new LinkError(
      "COUNTERSIGN_LINK_INVALID_OUTPUT",
      `${where} does not compile: ${message}`,
      index === undefined ? undefined : linked.functionNames.get(index),
    );
  }
}

/** Runtime exports whose signatures are fixed by the runtime contract, with the table that fixes them. */
const CONTRACT = new Map<string, { readonly fn: RuntimeFunction; readonly table: string }>([
  ...Object.entries(RUNTIME_FUNCTIONS).map(([name, fn]) => [name, { fn, table: "RUNTIME_FUNCTIONS" }] as const),
  ...Object.entries(POLICY_HOOKS).map(([name, fn]) => [name, { fn, table: "POLICY_HOOKS" }] as const),
]);

const POLICY_HOOK_NAMES = new Set(Object.keys(POLICY_HOOKS));
const ABI_FUNCTIONS = new Set(OPA_ABI_FUNCTION_EXPORTS);
const ABI_GLOBALS = new Set(OPA_ABI_GLOBAL_EXPORTS);

/** The output module as a list of sections, each a list of byte chunks forming its payload. */
interface OutSection {
  readonly id: number;
  readonly chunks: Uint8Array[];
  /** The runtime section it comes from; absent for a section the linker adds. */
  readonly source?: Section;
}

class Linker {
  private readonly info: ModuleInfo;
  private readonly bytes: Uint8Array;
  private readonly firstGenerated: number;
  private readonly exportsByName = new Map<string, Export>();
  private readonly funcExports = new Map<string, number>();
  private readonly importedFuncByField = new Map<string, number>();
  private readonly generated = new Map<string, number>();
  private readonly generatedGlobals = new Map<string, number>();
  private readonly contractChecked = new Set<string>();

  constructor(private readonly req: LinkRequest) {
    this.bytes = req.runtime;
    this.info = readModule(req.runtime);
    this.firstGenerated = this.info.importedFunctionCount + this.info.functionTypeIndices.length;
  }

  run(): LinkedModule {
    const { info, req } = this;
    this.indexRuntime();
    this.indexGenerated();

    const { typeIndices, newTypes } = this.assignTypes();
    const newCode = this.encodeGenerated();
    const replacedBodies = this.hookBodies();

    const sections: OutSection[] = info.sections.map((s) => ({ id: s.id, chunks: [this.payload(s)], source: s }));
    const newTypeBytes = new ByteWriter(newTypes.length * 8 + 8);
    for (const t of newTypes) writeFuncType(newTypeBytes, t);
    this.appendToVector(sections, SectionId.Type, newTypes.length, newTypeBytes.view());

    const newFunctionBytes = new ByteWriter(typeIndices.length * 2 + 8);
    for (const t of typeIndices) newFunctionBytes.u32(t);
    this.appendToVector(sections, SectionId.Function, typeIndices.length, newFunctionBytes.view());

    const globals = req.globals ?? [];
    const newGlobalBytes = new ByteWriter(globals.length * 12 + 8);
    for (const g of globals) writeZeroGlobal(newGlobalBytes, VALTYPE_CODE[g.type]);
    this.appendToVector(sections, SectionId.Global, globals.length, newGlobalBytes.view());

    if (!req.keepRuntimeExports) this.replaceExports(sections);
    this.replaceCode(sections, replacedBodies, req.functions.length, newCode);
    this.updateNames(sections);

    return this.result(assemble(sections));
  }

  /** Indexes the runtime's exports and imported functions by name. */
  private indexRuntime(): void {
    for (const e of this.info.exports) {
      if (!this.exportsByName.has(e.name)) this.exportsByName.set(e.name, e);
      if (e.kind === "func" && !this.funcExports.has(e.name)) this.funcExports.set(e.name, e.index);
    }
    let funcIndex = 0;
    for (const imp of this.info.imports) {
      if (imp.kind !== "func") continue;
      if (!this.importedFuncByField.has(imp.field)) this.importedFuncByField.set(imp.field, funcIndex);
      funcIndex++;
    }
  }

  /** Gives each generated function and global its index, rejecting duplicate and clashing names. */
  private indexGenerated(): void {
    this.req.functions.forEach((fn, i) => {
      const clash = this.generated.has(fn.name)
        ? "another generated function"
        : this.exportsByName.has(fn.name)
          ? "a runtime export"
          : this.importedFuncByField.has(fn.name)
            ? "an imported function"
            : undefined;
      if (clash !== undefined) {
        throw new LinkError(
          "COUNTERSIGN_LINK_DUPLICATE_FUNCTION",
          `generated function "${fn.name}" has the same name as ${clash}`,
          fn.name,
        );
      }
      this.generated.set(fn.name, this.firstGenerated + i);
    });
    const firstGlobal = this.info.imports.filter((i) => i.kind === "global").length + this.info.globals.length;
    (this.req.globals ?? []).forEach((g, i) => {
      if (this.generatedGlobals.has(g.name)) {
        throw new LinkError("COUNTERSIGN_LINK_DUPLICATE_GLOBAL", `generated global "${g.name}" is defined twice`);
      }
      this.generatedGlobals.set(g.name, firstGlobal + i);
    });
  }

  /** The type index of each generated function, reusing the runtime's types and adding the missing ones. */
  private assignTypes(): { typeIndices: number[]; newTypes: FuncType[] } {
    const byKey = new Map<string, number>();
    this.info.types.forEach((t, i) => {
      const key = typeKey(t);
      if (!byKey.has(key)) byKey.set(key, i);
    });
    const newTypes: FuncType[] = [];
    const typeIndices = this.req.functions.map((fn) => {
      const t = generatedType(fn);
      const key = typeKey(t);
      let index = byKey.get(key);
      if (index === undefined) {
        index = this.info.types.length + newTypes.length;
        newTypes.push(t);
        byKey.set(key, index);
      }
      return index;
    });
    return { typeIndices, newTypes };
  }

  /** The generated functions' code section entries (size-prefixed bodies), concatenated. */
  private encodeGenerated(): Uint8Array {
    const names: NameResolver = {
      functionIndex: (name) => this.resolveFunction(name),
      globalIndex: (name) => this.generatedGlobals.get(name),
    };
    const scratch = new ByteWriter(1024);
    const out = new ByteWriter(this.req.functions.length * 64 + 16);
    for (const fn of this.req.functions) {
      scratch.reset();
      encodeFunctionBody(fn, names, scratch);
      out.u32(scratch.length);
      out.bytes(scratch.view());
    }
    return out.view();
  }

  /** Resolves a callee: generated functions, then runtime exports (contract-checked), then imports by field. */
  private resolveFunction(name: string): number | undefined {
    const generated = this.generated.get(name);
    if (generated !== undefined) return generated;
    const exported = this.funcExports.get(name);
    if (exported !== undefined) {
      this.checkContract(name, exported);
      return exported;
    }
    return this.importedFuncByField.get(name);
  }

  /**
   * Throws when a runtime export named in the runtime contract has another signature there; `cs_bi_*`
   * builtins must take and return values (i32 addresses), whatever their arity.
   */
  private checkContract(name: string, index: number): void {
    if (this.contractChecked.has(name)) return;
    const actual = this.typeOf(index);
    const contract = CONTRACT.get(name);
    if (contract !== undefined) {
      const expected: FuncType = {
        params: contract.fn.params,
        results: contract.fn.result === null ? [] : [contract.fn.result],
      };
      if (typeKey(actual) !== typeKey(expected)) {
        throw new LinkError(
          "COUNTERSIGN_LINK_SIGNATURE_DRIFT",
          `runtime function "${name}" has signature ${formatFuncType(actual)}, but ${contract.table} in ` +
            `runtime-contract.ts says ${formatFuncType(expected)}; rebuild the runtime or update the contract`,
        );
      }
    } else if (builtinFromExportName(name) !== null) {
      const valuesOnly = actual.params.every((p) => p === "i32") && actual.results.length === 1 && actual.results[0] === "i32";
      if (!valuesOnly) {
        throw new LinkError(
          "COUNTERSIGN_LINK_SIGNATURE_DRIFT",
          `runtime builtin "${name}" has signature ${formatFuncType(actual)}, but runtime-contract.ts says ` +
            `builtins take values and return a value (all i32)`,
        );
      }
    }
    this.contractChecked.add(name);
  }

  private typeOf(index: number): FuncType {
    const t = functionType(this.info, index);
    if (t === undefined) {
      throw new LinkError("COUNTERSIGN_LINK_MALFORMED_RUNTIME", `function ${index} has no valid type`);
    }
    return t;
  }

  /** New bodies for the hook placeholders, by defined-function position. */
  private hookBodies(): Map<number, Uint8Array> {
    const bodies = new Map<number, Uint8Array>();
    const hookAt = new Map<number, string>();
    for (const [hook, target] of Object.entries(this.req.hooks)) {
      const index = this.funcExports.get(hook);
      if (index === undefined) {
        throw new LinkError("COUNTERSIGN_LINK_UNKNOWN_HOOK", `the runtime exports no function "${hook}" to replace`);
      }
      if (index < this.info.importedFunctionCount) {
        throw new LinkError(
          "COUNTERSIGN_LINK_UNKNOWN_HOOK",
          `hook "${hook}" is an imported function, not a placeholder the runtime defines`,
        );
      }
      const targetIndex = this.generated.get(target);
      if (targetIndex === undefined) {
        throw new LinkError(
          "COUNTERSIGN_LINK_UNKNOWN_FUNCTION",
          `hook "${hook}" forwards to generated function "${target}", which does not exist`,
        );
      }
      this.checkContract(hook, index);
      const placeholder = this.typeOf(index);
      const generatedSignature = generatedType(this.req.functions[targetIndex - this.firstGenerated]!);
      if (typeKey(placeholder) !== typeKey(generatedSignature)) {
        throw new LinkError(
          "COUNTERSIGN_LINK_SIGNATURE_MISMATCH",
          `hook "${hook}" has signature ${formatFuncType(placeholder)}, but generated function "${target}" ` +
            `has ${formatFuncType(generatedSignature)}`,
          target,
        );
      }
      this.checkReplaceable(hook, index, hookAt);
      hookAt.set(index, hook);

      const body = new ByteWriter(16);
      body.u32(0); // no locals
      for (let p = 0; p < placeholder.params.length; p++) {
        body.byte(Op["local.get"]);
        body.u32(p);
      }
      body.byte(Op.call);
      body.u32(targetIndex);
      body.byte(Op.end);
      bodies.set(index - this.info.importedFunctionCount, body.toBytes());
    }
    return bodies;
  }

  /**
   * Refuses placeholders whose replacement would not take effect or would hit something else: one function
   * behind two hooks or behind another contract export (identical placeholders merged by an optimiser), and a
   * policy hook that the runtime never calls (its body was inlined into its callers). The call check looks
   * for the bytes of `call <index>`, so it can only miss a problem, never invent one.
   */
  private checkReplaceable(hook: string, index: number, hookAt: ReadonlyMap<number, string>): void {
    const other = hookAt.get(index);
    const alias = this.info.exports.find((e) => e.kind === "func" && e.index === index && e.name !== hook && CONTRACT.has(e.name));
    if (other !== undefined || alias !== undefined) {
      throw new LinkError(
        "COUNTERSIGN_LINK_UNUSABLE_HOOK",
        `hook "${hook}" is the same runtime function as "${other ?? alias!.name}" (identical functions merged ` +
          `by an optimiser?); replacing it would replace both`,
      );
    }
    if (!POLICY_HOOK_NAMES.has(hook) || this.isReferenced(index)) return;
    throw new LinkError(
      "COUNTERSIGN_LINK_UNUSABLE_HOOK",
      `the runtime never calls its placeholder "${hook}", so replacing it would have no effect; the optimiser ` +
        `probably inlined it into its callers: build the runtime so that policy hooks are not inlined`,
    );
  }

  /** True when the runtime may call the function: a call or ref.func, an element entry, start, or an ABI export. */
  private isReferenced(index: number): boolean {
    const { info, bytes } = this;
    if (info.start === index) return true;
    if (info.exports.some((e) => e.kind === "func" && e.index === index && ABI_FUNCTIONS.has(e.name))) return true;
    const leb = encodeU32(index);
    const own = info.code[index - info.importedFunctionCount]!;
    const code = findSection(info, SectionId.Code)!;
    for (const opcode of [Op.call, Op["ref.func"]]) {
      const pattern = Uint8Array.of(opcode, ...leb);
      if (contains(bytes, code.payloadStart, own.start, pattern) || contains(bytes, own.end, code.end, pattern)) {
        return true;
      }
    }
    const elements = findSection(info, SectionId.Element);
    return elements !== undefined && contains(bytes, elements.payloadStart, elements.end, leb);
  }

  /** The unchanged payload of a runtime section. */
  private payload(s: Section): Uint8Array {
    return this.bytes.subarray(s.payloadStart, s.end);
  }

  /** Appends `count` encoded items to a vector section, creating the section when the runtime has none. */
  private appendToVector(sections: OutSection[], id: number, count: number, items: Uint8Array): void {
    if (count === 0) return;
    const existing = findSection(this.info, id);
    if (existing === undefined) {
      insertSection(sections, { id, chunks: [encodeU32(count), items] });
      return;
    }
    const r = new ByteReader(this.bytes, existing.payloadStart, existing.end);
    const oldCount = r.u32();
    const out = sections.find((s) => s.id === id)!;
    const oldItems = this.bytes.subarray(r.pos, existing.end);
    out.chunks.splice(0, out.chunks.length, encodeU32(oldCount + count), oldItems, items);
  }

  /** Rewrites the export section to keep only OPA's ABI surface. */
  private replaceExports(sections: OutSection[]): void {
    const out = sections.find((s) => s.id === SectionId.Export);
    if (out === undefined) return;
    const kept = this.info.exports.filter(
      (e) =>
        (e.kind === "func" && ABI_FUNCTIONS.has(e.name)) ||
        (e.kind === "global" && ABI_GLOBALS.has(e.name)) ||
        (e.kind === "memory" && e.name === OPA_ABI_MEMORY_EXPORT),
    );
    const w = new ByteWriter(kept.length * 24 + 8);
    w.u32(kept.length);
    for (const e of kept) {
      w.name(e.name);
      w.byte(externKindCode(e.kind));
      w.u32(e.index);
    }
    out.chunks.splice(0, out.chunks.length, w.view());
  }

  /** Rewrites the code section: runtime bodies copied in runs, hook bodies replaced, generated bodies appended. */
  private replaceCode(sections: OutSection[], replaced: ReadonlyMap<number, Uint8Array>, addedCount: number, added: Uint8Array): void {
    const { info, bytes } = this;
    const existing = findSection(info, SectionId.Code);
    if (existing === undefined) {
      if (addedCount > 0) insertSection(sections, { id: SectionId.Code, chunks: [encodeU32(addedCount), added] });
      return;
    }
    if (replaced.size === 0 && addedCount === 0) return;
    const chunks: Uint8Array[] = [encodeU32(info.code.length + addedCount)];
    let runStart = -1;
    info.code.forEach((body, i) => {
      const replacement = replaced.get(i);
      if (replacement === undefined) {
        if (runStart < 0) runStart = body.entryStart;
        return;
      }
      if (runStart >= 0) chunks.push(bytes.subarray(runStart, body.entryStart));
      runStart = -1;
      chunks.push(encodeU32(replacement.length), replacement);
    });
    if (runStart >= 0) chunks.push(bytes.subarray(runStart, existing.end));
    chunks.push(added);
    sections.find((s) => s.id === SectionId.Code)!.chunks.splice(0, Infinity, ...chunks);
  }

  /**
   * Adds the generated functions to the name section's function names, so engines name policy functions in
   * stack traces and error messages; creates a name section when the runtime has none. A name section the
   * linker cannot read is dropped: names are debug information and never worth failing a link over.
   */
  private updateNames(sections: OutSection[]): void {
    const fns = this.req.functions;
    if (fns.length === 0) return;
    const added = new ByteWriter(fns.length * 24 + 8);
    fns.forEach((fn, i) => {
      added.u32(this.firstGenerated + i);
      added.name(fn.name);
    });

    const existing = customSection(this.info, "name");
    const nameField = new ByteWriter(8);
    nameField.name("name");
    if (existing === undefined) {
      const sub = [encodeU32(fns.length), added.view()];
      sections.push({ id: SectionId.Custom, chunks: [nameField.view(), Uint8Array.of(1), ...sized(sub)] });
      return;
    }
    const index = sections.findIndex((s) => s.source === existing);
    try {
      const subsections = this.mergeNames(existing, fns.length, added.view());
      sections[index] = { id: SectionId.Custom, chunks: [nameField.view(), ...subsections], source: existing };
    } catch (e) {
      if (!(e instanceof LinkError)) throw e;
      sections.splice(index, 1);
    }
  }

  /** The subsections of an existing name section with `added` entries appended to its function names. */
  private mergeNames(existing: Section, addedCount: number, added: Uint8Array): Uint8Array[] {
    const r = new ByteReader(this.bytes, existing.contentStart!, existing.end);
    const chunks: Uint8Array[] = [];
    let merged = false;
    const pushFunctionNames = (count: number, entries: Uint8Array[]): void => {
      chunks.push(Uint8Array.of(1), ...sized([encodeU32(count + addedCount), ...entries, added]));
      merged = true;
    };
    while (!r.atEnd) {
      const start = r.pos;
      const id = r.u8();
      const size = r.u32();
      const payloadStart = r.pos;
      r.skip(size);
      if (!merged && id > 1) pushFunctionNames(0, []);
      if (id === 1) {
        const sub = new ByteReader(this.bytes, payloadStart, payloadStart + size);
        const count = sub.u32();
        pushFunctionNames(count, [this.bytes.subarray(sub.pos, payloadStart + size)]);
      } else {
        chunks.push(this.bytes.subarray(start, r.pos));
      }
    }
    if (!merged) pushFunctionNames(0, []);
    return chunks;
  }

  private result(bytes: Uint8Array): LinkedModule {
    const functionNames = new Map<number, string>();
    for (const [name, index] of this.generated) functionNames.set(index, name);
    const runtimeNames = new Map<number, string>();
    for (const e of this.info.exports) {
      if (e.kind === "func" && !runtimeNames.has(e.index)) runtimeNames.set(e.index, e.name);
    }
    this.info.imports
      .filter((i) => i.kind === "func")
      .forEach((imp, i) => {
        if (!runtimeNames.has(i)) runtimeNames.set(i, `${imp.module}.${imp.field}`);
      });
    return {
      bytes,
      functionIndex: this.generated,
      functionNames,
      describeFunction(index: number): string {
        const generated = functionNames.get(index);
        if (generated !== undefined) return `generated function "${generated}" (#${index})`;
        const runtime = runtimeNames.get(index);
        if (runtime !== undefined) return `runtime function "${runtime}" (#${index})`;
        return `runtime function #${index}`;
      },
    };
  }
}

/** The signature of a generated function. */
function generatedType(fn: GeneratedFunction): FuncType {
  return { params: fn.params, results: fn.result === null ? [] : [fn.result] };
}

/** A key equal for equal signatures. */
function typeKey(t: FuncType): string {
  return `${t.params.join(",")}>${t.results.join(",")}`;
}

function writeFuncType(w: ByteWriter, t: FuncType): void {
  w.byte(FUNC_TYPE_FORM);
  w.u32(t.params.length);
  for (const p of t.params) w.byte(VALTYPE_CODE[p]);
  w.u32(t.results.length);
  for (const r of t.results) w.byte(VALTYPE_CODE[r]);
}

/** A mutable global of the given value type code, initialised to zero. */
function writeZeroGlobal(w: ByteWriter, typeCode: number): void {
  w.byte(typeCode);
  w.byte(1); // mutable
  if (typeCode === VALTYPE_CODE.f64) {
    w.byte(Op["f64.const"]);
    w.f64(0);
  } else {
    w.byte(Op["i32.const"]);
    w.s32(0);
  }
  w.byte(Op.end);
}

/** Chunks prefixed with their total length as a u32. */
function sized(chunks: Uint8Array[]): Uint8Array[] {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  return [encodeU32(total), ...chunks];
}

/** Inserts a new non-custom section before the first section that must follow it. */
function insertSection(sections: OutSection[], section: OutSection): void {
  const rank = sectionRank(section.id);
  const at = sections.findIndex((s) => sectionRank(s.id) > rank);
  if (at < 0) {
    // After the last non-custom section, so trailing custom sections (names) stay last.
    let last = -1;
    sections.forEach((s, i) => {
      if (s.id !== SectionId.Custom) last = i;
    });
    sections.splice(last + 1, 0, section);
  } else {
    sections.splice(at, 0, section);
  }
}

/** Writes the module header and the sections into one buffer. */
function assemble(sections: readonly OutSection[]): Uint8Array {
  let total = 8;
  const sizes = sections.map((s) => {
    const size = s.chunks.reduce((n, c) => n + c.length, 0);
    total += 1 + u32Size(size) + size;
    return size;
  });
  const out = new ByteWriter(total);
  out.bytes(Uint8Array.from(WASM_HEADER));
  sections.forEach((s, i) => {
    out.byte(s.id);
    out.u32(sizes[i]!);
    for (const c of s.chunks) out.bytes(c);
  });
  return out.view();
}

/** True when `pattern` occurs in bytes[start, end). */
function contains(bytes: Uint8Array, start: number, end: number, pattern: Uint8Array): boolean {
  const first = pattern[0]!;
  const last = end - pattern.length;
  outer: for (let i = bytes.indexOf(first, start); i >= 0 && i <= last; i = bytes.indexOf(first, i + 1)) {
    for (let j = 1; j < pattern.length; j++) if (bytes[i + j] !== pattern[j]) continue outer;
    return true;
  }
  return false;
}
