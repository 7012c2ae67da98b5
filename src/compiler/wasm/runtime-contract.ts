/**
 * The contract between compiled policy code and the AssemblyScript runtime it is linked into.
 *
 * The runtime (`src/wasm-runtime/`, built to `build/runtime.wasm`) exports every function listed here;
 * the linker checks each signature when it links, so a drift between the two sides is a build error rather
 * than a trap at evaluation time. Values are i32 addresses of runtime values in linear memory; the address
 * 0 means "undefined" wherever a value is returned.
 */

/** A wasm value type used at the seam. */
export type WasmType = "i32" | "f64";

/** One runtime function as the emitter sees it. */
export interface RuntimeFunction {
  readonly params: readonly WasmType[];
  readonly result: WasmType | null;
  /** What the function does, including its undefined case. */
  readonly doc: string;
}

/** Type codes returned by `cs_type` (defined before the planner, in value-type.ts). */
export { ValueType } from "../value-type";

const v = "i32" as const;

/** Every runtime export the emitter may call, by export name. */
export const RUNTIME_FUNCTIONS = {
  // ---- constructors -------------------------------------------------------------------------
  cs_null: { params: [], result: v, doc: "the null value" },
  cs_boolean: { params: [v], result: v, doc: "true when the argument is non-zero, else false" },
  cs_number_f64: { params: ["f64"], result: v, doc: "a number" },
  cs_number_ref: {
    params: [v, v],
    result: v,
    doc: "a number parsed from the UTF-8 literal text at (ptr, len); keeps integers beyond 2^53 exact",
  },
  cs_string: {
    params: [v, v],
    result: v,
    doc: "a string over the UTF-8 bytes at (ptr, len); the bytes are not copied and must outlive the value",
  },
  cs_array: { params: [v], result: v, doc: "an empty array with room for n elements" },
  cs_array_append: { params: [v, v], result: null, doc: "appends a value to an array" },
  cs_object: { params: [], result: v, doc: "an empty object" },
  cs_object_insert: { params: [v, v, v], result: null, doc: "sets obj[key] = value, replacing any old value" },
  cs_set: { params: [], result: v, doc: "an empty set" },
  cs_set_add: { params: [v, v], result: null, doc: "adds a value to a set (no-op when present)" },
  cs_array_to_set: {
    params: [v],
    result: v,
    doc: "the set of an array's elements (a host builtin's set result, which JSON brings back as an array); other values and 0 as they are",
  },
  cs_object_overlay: {
    params: [v, v],
    result: v,
    doc: "a copy of object b with object a's entries laid over it (a host builtin's few changed keys of its first operand); other values and 0 as they are",
  },

  cs_set_operand_keys: {
    params: [v, v, v],
    result: v,
    doc: "a host builtin's [key, key] pairs with each index into a set operand (b, c) replaced by that element; other values and 0 as they are",
  },

  // ---- partial rule documents -----------------------------------------------------------------
  cs_object_insert_unique: {
    params: [v, v, v],
    result: v,
    doc: "inserts obj[key] = value; returns 0, or 1 when key is present with a different value (conflict)",
  },
  cs_tree_object: { params: [], result: v, doc: "an empty object that is a node of a rule document (it merges with other rules' nodes)" },
  cs_tree_set: { params: [], result: v, doc: "an empty set of contains rules, a node of a rule document" },
  cs_object_insert_leaf: {
    params: [v, v, v],
    result: v,
    doc: "places a rule's value at obj[key]; returns 0, or 1 when a different value is there (conflict)",
  },
  cs_object_insert_path: {
    params: [v, v, v],
    result: v,
    doc:
      "places a rule's value at the key path (an array value) below obj, creating document nodes on the way; " +
      "returns 0, or 1 on a conflict (a different value already there, or a rule's value in the way)",
  },
  cs_object_add_to_set_at: {
    params: [v, v, v],
    result: v,
    doc:
      "adds a value to the set of contains rules at the key path below obj, creating it and the nodes on the " +
      "way; returns 0, or 1 on a conflict (a rule's value in the way or at the path)",
  },
  cs_object_merge_at: {
    params: [v, v, v, v],
    result: v,
    doc:
      "merges a document part into obj[key]: document nodes merge, sets of contains rules join, other values " +
      "must be equal; a non-zero 4th argument marks the part as a rule's value; returns 0, or 1 on a conflict",
  },
  cs_merge: {
    params: [v, v],
    result: v,
    doc: "deep merge of two objects (b wins only where a has no key); 0 when a non-object collides with an object",
  },

  // ---- inspection -----------------------------------------------------------------------------
  cs_type: { params: [v], result: v, doc: "the ValueType code of a value" },
  cs_is_false: { params: [v], result: v, doc: "1 when the value is boolean false, else 0" },
  cs_equal: { params: [v, v], result: v, doc: "1 when the values are equal by Rego's rules (1 == 1.0), else 0" },
  cs_compare: { params: [v, v], result: v, doc: "-1, 0 or 1 by Rego's total order of values" },
  cs_get: {
    params: [v, v],
    result: v,
    doc: "array element by number index, object value by key, or the element itself for set membership; 0 when absent",
  },
  cs_length: { params: [v], result: v, doc: "number of elements of an array, object or set; 0 for anything else" },
  cs_iter_key: {
    params: [v, v],
    result: v,
    doc: "the key of the i-th element: array index as a number, object key, set element; objects and sets in sorted order",
  },
  cs_iter_value: { params: [v, v], result: v, doc: "the value of the i-th element (for a set, the element)" },

  // ---- documents under `with` -----------------------------------------------------------------
  cs_upsert: {
    params: [v, v, v],
    result: v,
    doc:
      "a copy of root with value placed at the path (an array of keys), creating objects on the way; " +
      "root 0 counts as an empty object; the original is not modified",
  },

  // ---- per-evaluation memo (rule results), stacked by `with` ----------------------------------
  cs_memo_get: { params: [v], result: v, doc: "the value memoised under id in the top frame, or 0" },
  cs_memo_put: { params: [v, v], result: null, doc: "memoises a value under id in the top frame" },
  cs_memo_push: { params: [], result: null, doc: "starts a new, empty memo frame (entering a with)" },
  cs_memo_pop: { params: [], result: null, doc: "drops the top memo frame (leaving a with)" },

  // ---- errors ---------------------------------------------------------------------------------
  cs_raise: {
    params: [v, v],
    result: null,
    doc: "aborts evaluation with the UTF-8 message at (ptr, len) via opa_abort; does not return",
  },
  cs_builtin_failed: {
    params: [],
    result: v,
    doc: "1 when the last builtin returned 0 because of an error rather than an undefined result",
  },
  cs_raise_builtin_error: {
    params: [v, v],
    result: null,
    doc:
      "aborts with '<location>: <code>: <message>' for the last builtin error, the location being the UTF-8 " +
      "text at (ptr, len); does not return",
  },
} as const satisfies Record<string, RuntimeFunction>;

/** Name of a runtime function the emitter may call. */
export type RuntimeFunctionName = keyof typeof RUNTIME_FUNCTIONS;

/**
 * Builtins implemented inside the runtime are exported as `cs_bi_<name>` with dots written as `__`
 * (`strings.any_prefix_match` → `cs_bi_strings__any_prefix_match`). Each takes its operands as values and
 * returns a value, or 0 when undefined; an error sets the state read by `cs_builtin_failed`.
 */
export function builtinExportName(builtin: string): string {
  return "cs_bi_" + builtin.replace(/\./g, "__");
}

/** The inverse of builtinExportName, or null for an export that is not a builtin. */
export function builtinFromExportName(exportName: string): string | null {
  return exportName.startsWith("cs_bi_") ? exportName.slice(6).replace(/__/g, ".") : null;
}

/**
 * Hooks the runtime defines as placeholders and the linker replaces with generated code. Their signatures
 * are fixed here; the runtime calls them.
 */
export const POLICY_HOOKS = {
  /** Runs once at instantiation, before the SDK reads the heap pointer: builds constant values. */
  cs_policy_init: { params: [], result: null, doc: "builds the policy's constants" },
  /** Evaluates entrypoint `id` against (input, data) and returns the result set (a set or array of objects). */
  cs_policy_eval: { params: [v, v, v], result: v, doc: "evaluates an entrypoint; returns the result set" },
  /** The value `{builtin name: id}` listing host builtins the policy calls through opa_builtinN. */
  cs_policy_builtins: { params: [], result: v, doc: "the builtins object" },
  /** The value `{entrypoint name: id}`. */
  cs_policy_entrypoints: { params: [], result: v, doc: "the entrypoints object" },
} as const satisfies Record<string, RuntimeFunction>;

/** Host builtin imports of OPA's ABI: opa_builtinN(builtinId, ctx, arg1..argN) -> value. */
export function hostBuiltinImport(arity: number): string {
  if (arity < 0 || arity > 4) throw new RangeError(`host builtins take 0 to 4 operands, not ${arity}`);
  return `opa_builtin${arity}`;
}
