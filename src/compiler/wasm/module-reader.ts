/**
 * Splits a wasm module into its sections and decodes the ones the linker needs to reason about.
 *
 * Decoded: type, import, function, global, export, start, and the boundaries of each code body. Every
 * other section (and every function body) stays as a byte range into the original module, so the linker can
 * copy it unchanged. Reading never copies the module.
 */

import { EXTERN_KINDS, FUNC_TYPE_FORM, Op, SectionId, WASM_HEADER, valTypeFromCode, type ExternKind, type ValType } from "./binary-format";
import { ByteReader } from "./leb128";

/** One section: its id and where it lies in the module. */
export interface Section {
  readonly id: number;
  /** Offset of the section id byte. */
  readonly start: number;
  /** Offset of the first payload byte (after id and size). */
  readonly payloadStart: number;
  /** Offset just past the payload. */
  readonly end: number;
  /** For a custom section, its name; its content starts at `contentStart`. */
  readonly customName?: string;
  readonly contentStart?: number;
}

/** A function type. */
export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

/** One import. `typeIndex` is set for function imports. */
export interface Import {
  readonly module: string;
  readonly field: string;
  readonly kind: ExternKind;
  readonly typeIndex?: number;
}

/** One export. `index` is in the index space of its kind. */
export interface Export {
  readonly name: string;
  readonly kind: ExternKind;
  readonly index: number;
}

/** One defined global; its initialiser is kept as the byte range of a constant expression (with its `end`). */
export interface Global {
  readonly type: ValType;
  readonly mutable: boolean;
  readonly initStart: number;
  readonly initEnd: number;
}

/** Where one function body lies in the code section. */
export interface CodeBody {
  /** Offset of the body's size prefix. */
  readonly entryStart: number;
  /** Offset of the body itself (local declarations, then instructions). */
  readonly start: number;
  /** Offset just past the body. */
  readonly end: number;
}

/** A module split into sections, with the sections the linker needs decoded. */
export interface ModuleInfo {
  readonly bytes: Uint8Array;
  readonly sections: readonly Section[];
  readonly types: readonly FuncType[];
  readonly imports: readonly Import[];
  /** Number of imported functions: defined function i has function index importedFunctionCount + i. */
  readonly importedFunctionCount: number;
  /** Type index of each imported function, in function index order. */
  readonly importedFunctionTypeIndices: readonly number[];
  /** Type index of each defined function. */
  readonly functionTypeIndices: readonly number[];
  readonly globals: readonly Global[];
  readonly exports: readonly Export[];
  /** Function index of the start function, or null without a start section. */
  readonly start: number | null;
  /** One entry per defined function. */
  readonly code: readonly CodeBody[];
}

/** Reads a module. Throws a LinkError (COUNTERSIGN_LINK_MALFORMED_RUNTIME) on bytes it cannot read. */
export function readModule(bytes: Uint8Array): ModuleInfo {
  const r = new ByteReader(bytes);
  for (const expected of WASM_HEADER) {
    if (r.atEnd || r.u8() !== expected) r.fail("not a wasm module (bad magic number or version)", 0);
  }

  const sections: Section[] = [];
  const info = {
    bytes,
    sections,
    types: [] as FuncType[],
    imports: [] as Import[],
    importedFunctionCount: 0,
    importedFunctionTypeIndices: [] as number[],
    functionTypeIndices: [] as number[],
    globals: [] as Global[],
    exports: [] as Export[],
    start: null as number | null,
    code: [] as CodeBody[],
  };

  while (!r.atEnd) {
    const start = r.pos;
    const id = r.u8();
    const size = r.u32();
    const payloadStart = r.pos;
    const end = payloadStart + size;
    if (end > bytes.length) r.fail(`section ${id} runs past the end of the module`, start);
    const s = new ByteReader(bytes, payloadStart, end);
    switch (id) {
      case SectionId.Custom: {
        const customName = s.name();
        sections.push({ id, start, payloadStart, end, customName, contentStart: s.pos });
        r.pos = end;
        continue;
      }
      case SectionId.Type:
        readTypes(s, info.types);
        break;
      case SectionId.Import:
        readImports(s, info.imports);
        for (const i of info.imports) if (i.typeIndex !== undefined) info.importedFunctionTypeIndices.push(i.typeIndex);
        info.importedFunctionCount = info.importedFunctionTypeIndices.length;
        break;
      case SectionId.Function:
        for (let n = s.u32(), i = 0; i < n; i++) info.functionTypeIndices.push(s.u32());
        break;
      case SectionId.Global:
        for (let n = s.u32(), i = 0; i < n; i++) info.globals.push(readGlobal(s));
        break;
      case SectionId.Export:
        for (let n = s.u32(), i = 0; i < n; i++) {
          const name = s.name();
          const kind = readExternKind(s);
          info.exports.push({ name, kind, index: s.u32() });
        }
        break;
      case SectionId.Start:
        info.start = s.u32();
        break;
      case SectionId.Code:
        for (let n = s.u32(), i = 0; i < n; i++) {
          const entryStart = s.pos;
          const bodySize = s.u32();
          const bodyStart = s.pos;
          s.skip(bodySize);
          info.code.push({ entryStart, start: bodyStart, end: s.pos });
        }
        break;
      default:
        // Kept as raw bytes: table, memory, element, data, data count, tag, and anything newer.
        s.pos = end;
    }
    if (s.pos !== end) s.fail(`section ${id} has ${end - s.pos} unexpected trailing bytes`);
    sections.push({ id, start, payloadStart, end });
    r.pos = end;
  }

  if (info.code.length !== info.functionTypeIndices.length) {
    r.fail(
      `the function section declares ${info.functionTypeIndices.length} functions but the code section ` +
        `holds ${info.code.length} bodies`,
      0,
    );
  }
  return info;
}

/** The section with this id, if the module has one (custom sections: use `customSection`). */
export function findSection(info: ModuleInfo, id: number): Section | undefined {
  return info.sections.find((s) => s.id === id);
}

/** The first custom section with this name. */
export function customSection(info: ModuleInfo, name: string): Section | undefined {
  return info.sections.find((s) => s.id === SectionId.Custom && s.customName === name);
}

/** The signature of a function by function index (imports first, then defined functions). */
export function functionType(info: ModuleInfo, funcIndex: number): FuncType | undefined {
  const typeIndex =
    funcIndex < info.importedFunctionCount
      ? info.importedFunctionTypeIndices[funcIndex]
      : info.functionTypeIndices[funcIndex - info.importedFunctionCount];
  return typeIndex === undefined ? undefined : info.types[typeIndex];
}

/** Text form of a signature, as used in messages: `(i32, f64) -> i32`. */
export function formatFuncType(t: FuncType): string {
  const results = t.results.length === 0 ? "nothing" : t.results.join(", ");
  return `(${t.params.join(", ")}) -> ${results}`;
}

function readTypes(s: ByteReader, out: FuncType[]): void {
  for (let n = s.u32(), i = 0; i < n; i++) {
    const at = s.pos;
    const form = s.u8();
    if (form !== FUNC_TYPE_FORM) {
      s.fail(`type ${i} has form 0x${form.toString(16)}; only function types are supported (no GC types)`, at);
    }
    const params = readValTypes(s);
    const results = readValTypes(s);
    out.push({ params, results });
  }
}

function readValTypes(s: ByteReader): ValType[] {
  const types: ValType[] = [];
  for (let n = s.u32(), i = 0; i < n; i++) types.push(readValType(s));
  return types;
}

function readValType(s: ByteReader): ValType {
  const at = s.pos;
  const code = s.u8();
  return valTypeFromCode(code) ?? s.fail(`unsupported value type 0x${code.toString(16)}`, at);
}

function readExternKind(s: ByteReader): ExternKind {
  const at = s.pos;
  const code = s.u8();
  return EXTERN_KINDS[code] ?? s.fail(`unknown external kind ${code}`, at);
}

function readImports(s: ByteReader, out: Import[]): void {
  for (let n = s.u32(), i = 0; i < n; i++) {
    const module = s.name();
    const field = s.name();
    const kind = readExternKind(s);
    switch (kind) {
      case "func":
        out.push({ module, field, kind, typeIndex: s.u32() });
        continue;
      case "table":
        readValType(s);
        skipLimits(s);
        break;
      case "memory":
        skipLimits(s);
        break;
      case "global":
        readValType(s);
        s.u8();
        break;
      case "tag":
        s.u8();
        s.u32();
        break;
    }
    out.push({ module, field, kind });
  }
}

/** Limits: a flags byte (bit 0: has maximum; bit 2: 64-bit), a minimum, and maybe a maximum. */
function skipLimits(s: ByteReader): void {
  const flags = s.u8();
  const count = flags & 1 ? 2 : 1;
  for (let i = 0; i < count; i++) {
    if (flags & 4) s.s64();
    else s.u32();
  }
}

function readGlobal(s: ByteReader): Global {
  const type = readValType(s);
  const mutable = s.u8() === 1;
  const initStart = s.pos;
  skipConstExpr(s);
  return { type, mutable, initStart, initEnd: s.pos };
}

/** Skips a constant expression up to and including its `end`. */
function skipConstExpr(s: ByteReader): void {
  for (;;) {
    const at = s.pos;
    const op = s.u8();
    switch (op) {
      case Op.end:
        return;
      case Op["i32.const"]:
        s.s32();
        break;
      case Op["i64.const"]:
        s.s64();
        break;
      case Op["f32.const"]:
        s.skip(4);
        break;
      case Op["f64.const"]:
        s.skip(8);
        break;
      case Op["global.get"]:
      case Op["ref.func"]:
        s.u32();
        break;
      case Op["ref.null"]:
        s.u8();
        break;
      case Op["i32.add"]:
      case Op["i32.sub"]:
      case Op["i32.mul"]:
      case Op["i64.add"]:
      case Op["i64.sub"]:
      case Op["i64.mul"]:
        break;
      case Op.simdPrefix: {
        const sub = s.u32();
        if (sub !== 12) s.fail(`unsupported SIMD opcode ${sub} in a constant expression`, at);
        s.skip(16);
        break;
      }
      default:
        s.fail(`unsupported opcode 0x${op.toString(16)} in a constant expression`, at);
    }
  }
}
