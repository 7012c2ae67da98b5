/**
 * The numbers of the WebAssembly binary format that the reader, the encoder and the linker share.
 *
 * Only what Countersign reads or writes is here: section ids and their required order, value types,
 * external kinds, and the opcodes of the Instr subset (plus the few a constant expression may hold).
 */

/** The wasm magic number and version 1, the first eight bytes of every module. */
export const WASM_HEADER: readonly number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** Section ids. */
export const SectionId = {
  Custom: 0,
  Type: 1,
  Import: 2,
  Function: 3,
  Table: 4,
  Memory: 5,
  Global: 6,
  Export: 7,
  Start: 8,
  Element: 9,
  Code: 10,
  Data: 11,
  DataCount: 12,
  Tag: 13,
} as const;

/**
 * The position of each non-custom section in a valid module (the data count section sits between element
 * and code; the exception-handling tag section between memory and global). Custom sections may go anywhere.
 */
const SECTION_RANK: Readonly<Record<number, number>> = {
  [SectionId.Type]: 1,
  [SectionId.Import]: 2,
  [SectionId.Function]: 3,
  [SectionId.Table]: 4,
  [SectionId.Memory]: 5,
  [SectionId.Tag]: 6,
  [SectionId.Global]: 7,
  [SectionId.Export]: 8,
  [SectionId.Start]: 9,
  [SectionId.Element]: 10,
  [SectionId.DataCount]: 11,
  [SectionId.Code]: 12,
  [SectionId.Data]: 13,
};

/** Where a non-custom section must appear relative to the others (higher comes later); -1 for custom or unknown. */
export function sectionRank(id: number): number {
  return SECTION_RANK[id] ?? -1;
}

/** Value types the linker understands (numeric, vector, and the two MVP reference types). */
export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";

/** The byte encoding each value type. */
export const VALTYPE_CODE: Readonly<Record<ValType, number>> = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
  funcref: 0x70,
  externref: 0x6f,
};

/** The value type encoded by a byte, or undefined for a byte that is not one the linker understands. */
export function valTypeFromCode(code: number): ValType | undefined {
  switch (code) {
    case 0x7f:
      return "i32";
    case 0x7e:
      return "i64";
    case 0x7d:
      return "f32";
    case 0x7c:
      return "f64";
    case 0x7b:
      return "v128";
    case 0x70:
      return "funcref";
    case 0x6f:
      return "externref";
    default:
      return undefined;
  }
}

/** The form byte that opens a function type in the type section. */
export const FUNC_TYPE_FORM = 0x60;

/** The kinds of imports and exports. */
export type ExternKind = "func" | "table" | "memory" | "global" | "tag";

/** Byte encodings of the external kinds, in the order of their codes. */
export const EXTERN_KINDS: readonly ExternKind[] = ["func", "table", "memory", "global", "tag"];

/** The byte encoding of an external kind. */
export function externKindCode(kind: ExternKind): number {
  return EXTERN_KINDS.indexOf(kind);
}

/** Opcodes the encoder emits and the constant-expression reader recognises. */
export const Op = {
  unreachable: 0x00,
  nop: 0x01,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  return: 0x0f,
  call: 0x10,
  drop: 0x1a,
  "local.get": 0x20,
  "local.set": 0x21,
  "local.tee": 0x22,
  "global.get": 0x23,
  "global.set": 0x24,
  "i32.store": 0x36,
  "i64.store": 0x37,
  "i32.store8": 0x3a,
  "i32.const": 0x41,
  "i64.const": 0x42,
  "f32.const": 0x43,
  "f64.const": 0x44,
  "i32.eqz": 0x45,
  "i32.eq": 0x46,
  "i32.ne": 0x47,
  "i32.lt_s": 0x48,
  "i32.lt_u": 0x49,
  "i32.gt_s": 0x4a,
  "i32.ge_u": 0x4f,
  "i32.le_s": 0x4c,
  "i32.add": 0x6a,
  "i32.sub": 0x6b,
  "i32.mul": 0x6c,
  "i32.and": 0x71,
  "i32.or": 0x72,
  "i64.add": 0x7c,
  "i64.sub": 0x7d,
  "i64.mul": 0x7e,
  "ref.null": 0xd0,
  "ref.func": 0xd2,
  /** Prefix of the SIMD opcodes (v128.const is 0xfd 12). */
  simdPrefix: 0xfd,
} as const;

/** The block type of a block that takes and yields nothing. */
export const EMPTY_BLOCK_TYPE = 0x40;
