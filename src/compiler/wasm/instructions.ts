/**
 * The WebAssembly instructions the emitter produces and the linker encodes.
 *
 * A deliberately small subset: structured control flow with named labels (the encoder turns names into
 * relative depths), locals, i32/i64/f64 constants, the integer operations loops need, stores for building
 * constant bytes, and calls by name. Blocks carry no result type; values travel through locals.
 */

import type { WasmType } from "./runtime-contract";

/** Integer operations taking operands from the stack. */
export type NumericOp =
  | "i32.eqz"
  | "i32.eq"
  | "i32.ne"
  | "i32.lt_s"
  | "i32.lt_u"
  | "i32.gt_s"
  | "i32.ge_u"
  | "i32.le_s"
  | "i32.add"
  | "i32.sub"
  | "i32.and"
  | "i32.or";

/** One instruction. */
export type Instr =
  /** `block` (br jumps to its end) or `loop` (br jumps to its start), with an optional label for br. */
  | { readonly op: "block" | "loop"; readonly label?: string; readonly body: readonly Instr[] }
  /** Pops an i32; runs `then` when non-zero, else `else`. */
  | { readonly op: "if"; readonly label?: string; readonly then: readonly Instr[]; readonly else?: readonly Instr[] }
  /** Branches to the enclosing block/loop/if named `label`; br_if pops an i32 condition first. */
  | { readonly op: "br" | "br_if"; readonly label: string }
  | { readonly op: "local.get" | "local.set" | "local.tee"; readonly index: number }
  /** Reads or writes a generated global (LinkRequest.globals) by name. */
  | { readonly op: "global.get" | "global.set"; readonly name: string }
  | { readonly op: "i32.const"; readonly value: number }
  | { readonly op: "i64.const"; readonly value: bigint }
  | { readonly op: "f64.const"; readonly value: number }
  /** Stores the value on top of the stack at (address below it + offset). */
  | { readonly op: "i32.store8" | "i32.store" | "i64.store"; readonly offset: number }
  /**
   * Calls a function by name: a generated function, an exported runtime function (`cs_*`, `opa_*`), or an
   * imported host function (`opa_builtin0` … `opa_builtin4`, `opa_abort`).
   */
  | { readonly op: "call"; readonly func: string }
  | { readonly op: "return" | "unreachable" | "drop" | "nop" }
  | { readonly op: NumericOp };

/** A function produced by the emitter. Parameters come first in the local index space, then `locals`. */
export interface GeneratedFunction {
  readonly name: string;
  readonly params: readonly WasmType[];
  readonly result: WasmType | null;
  readonly locals: readonly WasmType[];
  readonly body: readonly Instr[];
}

/** What the linker needs to produce a policy module. */
export interface LinkRequest {
  /** The runtime module's bytes (`build/runtime.wasm`). */
  readonly runtime: Uint8Array;
  /** Generated functions, appended to the runtime's. Names must be unique and not clash with runtime exports. */
  readonly functions: readonly GeneratedFunction[];
  /**
   * Runtime placeholder functions (exported by the runtime under these names, see POLICY_HOOKS) whose
   * bodies are replaced by a call to the named generated function with the same signature.
   */
  readonly hooks: Readonly<Record<string, string>>;
  /**
   * Mutable globals the generated code uses (for example the addresses of constant values built at start),
   * appended after the runtime's globals, each initialised to zero of its type.
   */
  readonly globals?: readonly GeneratedGlobal[];
  /**
   * Keep every runtime export (including internal `cs_*` ones) instead of only OPA's ABI surface, for
   * debugging.
   */
  readonly keepRuntimeExports?: boolean;
}

/** A mutable global added by the linker. */
export interface GeneratedGlobal {
  readonly name: string;
  readonly type: WasmType;
}
