/**
 * The error catalogue of the wasm linker: every way linking can fail, each with a stable code.
 *
 * Link errors are exceptions rather than diagnostics: they mean the compiler's own output or the runtime
 * it was built against is wrong, not that a policy author made a mistake.
 */

/** Stable codes of link failures, with what each means. */
export const LINK_ERROR_CODES = {
  /** The runtime module cannot be read, or uses a binary feature the linker does not understand. */
  COUNTERSIGN_LINK_MALFORMED_RUNTIME: "the runtime module is malformed or unsupported",
  /** Two generated functions share a name, or a generated name is also a runtime export. */
  COUNTERSIGN_LINK_DUPLICATE_FUNCTION: "a function name is defined twice",
  /** Two generated globals share a name. */
  COUNTERSIGN_LINK_DUPLICATE_GLOBAL: "a global name is defined twice",
  /** A global.get/global.set names no generated global. */
  COUNTERSIGN_LINK_UNKNOWN_GLOBAL: "an accessed global does not exist",
  /** A call (or a hook) names a function that is neither generated, exported by the runtime, nor imported. */
  COUNTERSIGN_LINK_UNKNOWN_FUNCTION: "a called function does not exist",
  /** A runtime export's signature differs from the one RUNTIME_FUNCTIONS or POLICY_HOOKS promises. */
  COUNTERSIGN_LINK_SIGNATURE_DRIFT: "the runtime disagrees with the runtime contract",
  /** A hook's generated function does not have the placeholder's signature. */
  COUNTERSIGN_LINK_SIGNATURE_MISMATCH: "a hook and its generated function have different signatures",
  /** A hook names no function the runtime defines and exports. */
  COUNTERSIGN_LINK_UNKNOWN_HOOK: "a hook placeholder does not exist",
  /** A hook placeholder is unusable: shared with another export, or never called (inlined by an optimiser). */
  COUNTERSIGN_LINK_UNUSABLE_HOOK: "a hook placeholder cannot be replaced safely",
  /** A br/br_if names no enclosing block, loop or if. */
  COUNTERSIGN_LINK_UNKNOWN_LABEL: "a branch targets a label that is not in scope",
  /** A local.get/set/tee index is beyond the function's parameters and locals. */
  COUNTERSIGN_LINK_UNKNOWN_LOCAL: "a local index is out of range",
  /** An instruction whose `op` is not in the Instr subset. */
  COUNTERSIGN_LINK_UNKNOWN_INSTRUCTION: "an instruction is not one the encoder knows",
  /** A constant or memory offset does not fit its instruction. */
  COUNTERSIGN_LINK_BAD_IMMEDIATE: "an immediate operand is out of range",
  /** The linked module does not compile; the message names the generated function at fault when it can. */
  COUNTERSIGN_LINK_INVALID_OUTPUT: "the linked module is not valid WebAssembly",
} as const;

/** A stable link error code. */
export type LinkErrorCode = keyof typeof LINK_ERROR_CODES;

/** A link failure. `functionName` is the generated function at fault, when there is one. */
export class LinkError extends Error {
  override readonly name = "LinkError";

  constructor(
    readonly code: LinkErrorCode,
    message: string,
    readonly functionName?: string,
  ) {
    super(`${code}: ${message}`);
  }
}
