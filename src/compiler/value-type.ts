/**
 * The type codes of Rego values, shared by every stage that names a value's type: the IR (`isType`), the
 * emitter and the runtime contract (`cs_type` returns them).
 *
 * They are the same numbers OPA's own runtime uses. They live here, before the planner, so that the planner
 * can name them without reaching into `wasm/`, a stage after it.
 */

/** Type codes returned by `cs_type`. */
export const ValueType = {
  Null: 1,
  Boolean: 2,
  Number: 3,
  String: 4,
  Array: 5,
  Object: 6,
  Set: 7,
} as const;

/** One of the ValueType codes. */
export type ValueTypeCode = (typeof ValueType)[keyof typeof ValueType];
