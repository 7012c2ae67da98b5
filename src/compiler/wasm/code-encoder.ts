/**
 * Encodes a generated function's Instr tree as a wasm function body.
 *
 * Branches name their target label; the encoder keeps the stack of enclosing labels and turns each name into
 * the relative depth wasm wants, so a branch to a label that is not in scope is caught here, with the
 * function's name, rather than as an opaque validation failure later. Locals are declared grouped by type
 * (renumbering them), which keeps the local declarations to one entry per type.
 */

import { EMPTY_BLOCK_TYPE, Op, VALTYPE_CODE } from "./binary-format";
import type { GeneratedFunction, Instr, NumericOp } from "./instructions";
import { LinkError, type LinkErrorCode } from "./link-error";
import { ByteWriter } from "./leb128";
import type { WasmType } from "./runtime-contract";

/** Maps the names instructions use to indices; undefined when nothing has that name. */
export interface NameResolver {
  /** Function index of a callee. */
  functionIndex(name: string): number | undefined;
  /** Global index of a generated global. */
  globalIndex(name: string): number | undefined;
}

const NUMERIC_OPCODES: Readonly<Record<NumericOp, number>> = {
  "i32.eqz": Op["i32.eqz"],
  "i32.eq": Op["i32.eq"],
  "i32.ne": Op["i32.ne"],
  "i32.lt_s": Op["i32.lt_s"],
  "i32.lt_u": Op["i32.lt_u"],
  "i32.gt_s": Op["i32.gt_s"],
  "i32.ge_u": Op["i32.ge_u"],
  "i32.le_s": Op["i32.le_s"],
  "i32.add": Op["i32.add"],
  "i32.sub": Op["i32.sub"],
  "i32.and": Op["i32.and"],
  "i32.or": Op["i32.or"],
};

/** Natural alignment (log2 of the access size) of each store, written in its memarg. */
const STORE_ALIGN = { "i32.store8": 0, "i32.store": 2, "i64.store": 3 } as const;

const MIN_I64 = -(1n << 63n);
const MAX_U64 = (1n << 64n) - 1n;

/**
 * Writes the body of `fn` (local declarations, instructions, final `end`) to `out`, without the size prefix
 * the code section puts before it. Throws a LinkError naming the function for an unknown label, local or
 * callee or global, or an immediate out of range.
 */
export function encodeFunctionBody(fn: GeneratedFunction, names: NameResolver, out: ByteWriter): void {
  const locals = planLocals(fn.params.length, fn.locals);
  out.u32(locals.declarations.length);
  for (const [count, type] of locals.declarations) {
    out.u32(count);
    out.byte(VALTYPE_CODE[type]);
  }
  new BodyEncoder(fn, names, out, locals.newIndex).instrs(fn.body);
  out.byte(Op.end);
}

/** How the locals of a function are declared: runs of one type, and where each original index moved. */
export interface LocalPlan {
  /** (count, type) pairs for the local declarations. */
  readonly declarations: ReadonlyArray<readonly [number, WasmType]>;
  /** New index of each original local index (parameters keep theirs). */
  readonly newIndex: Int32Array;
}

/** Groups the non-parameter locals by type, in order of each type's first appearance. */
export function planLocals(paramCount: number, locals: readonly WasmType[]): LocalPlan {
  const newIndex = new Int32Array(paramCount + locals.length);
  for (let i = 0; i < paramCount; i++) newIndex[i] = i;
  const groups = new Map<WasmType, number[]>();
  locals.forEach((type, i) => {
    const group = groups.get(type);
    if (group) group.push(i);
    else groups.set(type, [i]);
  });
  const declarations: Array<readonly [number, WasmType]> = [];
  let next = paramCount;
  for (const [type, members] of groups) {
    declarations.push([members.length, type]);
    for (const i of members) newIndex[paramCount + i] = next++;
  }
  return { declarations, newIndex };
}

class BodyEncoder {
  /** Labels of the enclosing blocks, innermost last; undefined for an unlabelled block. */
  private readonly labels: Array<string | undefined> = [];

  constructor(
    private readonly fn: GeneratedFunction,
    private readonly names: NameResolver,
    private readonly out: ByteWriter,
    private readonly newLocalIndex: Int32Array,
  ) {}

  instrs(list: readonly Instr[]): void {
    for (const instr of list) this.instr(instr);
  }

  private instr(instr: Instr): void {
    const out = this.out;
    switch (instr.op) {
      case "block":
      case "loop":
        out.byte(Op[instr.op]);
        out.byte(EMPTY_BLOCK_TYPE);
        this.nested(instr.label, instr.body);
        out.byte(Op.end);
        return;
      case "if":
        out.byte(Op.if);
        out.byte(EMPTY_BLOCK_TYPE);
        this.nested(instr.label, instr.then);
        if (instr.else && instr.else.length > 0) {
          out.byte(Op.else);
          this.nested(instr.label, instr.else);
        }
        out.byte(Op.end);
        return;
      case "br":
      case "br_if":
        out.byte(Op[instr.op]);
        out.u32(this.depthOf(instr.label, instr.op));
        return;
      case "local.get":
      case "local.set":
      case "local.tee":
        out.byte(Op[instr.op]);
        out.u32(this.local(instr.index, instr.op));
        return;
      case "global.get":
      case "global.set": {
        const index = this.names.globalIndex(instr.name);
        if (index === undefined) {
          this.fail("COUNTERSIGN_LINK_UNKNOWN_GLOBAL", `${instr.op} "${instr.name}", which is not a generated global`);
        }
        out.byte(Op[instr.op]);
        out.u32(index);
        return;
      }
      case "i32.const":
        // Any integer from -2^31 to 2^32-1: unsigned values wrap to their two's-complement i32.
        if ((instr.value | 0) !== instr.value && instr.value >>> 0 !== instr.value) {
          this.fail("COUNTERSIGN_LINK_BAD_IMMEDIATE", `i32.const ${instr.value} is not a 32-bit integer`);
        }
        out.byte(Op["i32.const"]);
        out.s32(instr.value | 0);
        return;
      case "i64.const":
        if (typeof instr.value !== "bigint" || instr.value < MIN_I64 || instr.value > MAX_U64) {
          this.fail("COUNTERSIGN_LINK_BAD_IMMEDIATE", `i64.const ${String(instr.value)} is not a 64-bit integer`);
        }
        out.byte(Op["i64.const"]);
        out.s64(BigInt.asIntN(64, instr.value));
        return;
      case "f64.const":
        out.byte(Op["f64.const"]);
        out.f64(instr.value);
        return;
      case "i32.store8":
      case "i32.store":
      case "i64.store":
        if (instr.offset >>> 0 !== instr.offset) {
          this.fail("COUNTERSIGN_LINK_BAD_IMMEDIATE", `${instr.op} offset ${instr.offset} is not a u32`);
        }
        out.byte(Op[instr.op]);
        out.u32(STORE_ALIGN[instr.op]);
        out.u32(instr.offset);
        return;
      case "call": {
        const index = this.names.functionIndex(instr.func);
        if (index === undefined) {
          this.fail(
            "COUNTERSIGN_LINK_UNKNOWN_FUNCTION",
            `calls "${instr.func}", which is neither a generated function, a runtime export nor an import`,
          );
        }
        out.byte(Op.call);
        out.u32(index);
        return;
      }
      case "return":
      case "unreachable":
      case "drop":
      case "nop":
        out.byte(Op[instr.op]);
        return;
      default:
        out.byte(numericOpcode(instr.op, this));
    }
  }

  private nested(label: string | undefined, body: readonly Instr[]): void {
    this.labels.push(label);
    this.instrs(body);
    this.labels.pop();
  }

  private depthOf(label: string, op: string): number {
    for (let i = this.labels.length - 1; i >= 0; i--) {
      if (this.labels[i] === label) return this.labels.length - 1 - i;
    }
    const inScope = this.labels.filter((l): l is string => l !== undefined);
    return this.fail(
      "COUNTERSIGN_LINK_UNKNOWN_LABEL",
      `${op} to label "${label}", which is not an enclosing block, loop or if ` +
        `(in scope: ${inScope.length > 0 ? inScope.map((l) => `"${l}"`).join(", ") : "none"})`,
    );
  }

  private local(index: number, op: string): number {
    const count = this.newLocalIndex.length;
    if (index >>> 0 !== index || index >= count) {
      this.fail(
        "COUNTERSIGN_LINK_UNKNOWN_LOCAL",
        `${op} ${index}, but the function has ${this.fn.params.length} parameters and ${this.fn.locals.length} locals`,
      );
    }
    return this.newLocalIndex[index]!;
  }

  fail(code: LinkErrorCode, message: string): never {
    throw new LinkError(code, `generated function "${this.fn.name}" ${message}`, this.fn.name);
  }
}

function numericOpcode(op: NumericOp, encoder: BodyEncoder): number {
  const code = NUMERIC_OPCODES[op];
  if (code === undefined) {
    return encoder.fail("COUNTERSIGN_LINK_UNKNOWN_INSTRUCTION", `uses unknown instruction "${String(op)}"`);
  }
  return code;
}
