/**
 * Table-driven checks of runtime builtins: each row calls one `cs_bi_*` export of build/runtime.wasm with
 * operands given as Rego value text and states the result (as Rego value text), undefined, or the error.
 */

import { builtinExportName } from "../../src/compiler/wasm/runtime-contract";
import { Runtime, RuntimeAbort } from "./harness";

/** What a call must produce. */
export type Want =
  | string // the result, as the runtime's Rego value text (`[1,2]`, `{"a":1}`, `{1,2}`, `set()`)
  | { readonly undefined: true }
  | { readonly error: string; readonly code?: "eval_type_error" | "eval_builtin_error" };

/** One behaviour: a builtin, its operands as Rego value text, and what it must produce. */
export interface Row {
  readonly note: string;
  readonly builtin: string;
  readonly args: readonly string[];
  readonly want: Want;
}

/** Shorthand for a row. */
export function row(note: string, builtin: string, args: readonly string[], want: Want): Row {
  return { note, builtin, args, want };
}

/** The undefined result. */
export const UNDEFINED: Want = { undefined: true };

/** A type error (eval_type_error) with the given full message. */
export function typeError(message: string): Want {
  return { error: message, code: "eval_type_error" };
}

/** A builtin error (eval_builtin_error) with the given full message. */
export function builtinError(message: string): Want {
  return { error: message, code: "eval_builtin_error" };
}

/** The outcome of calling a builtin, in the shape of Want. */
export function call(rt: Runtime, builtin: string, args: readonly string[]): Want {
  const fn = rt.exports[builtinExportName(builtin)];
  if (typeof fn !== "function") throw new Error(`runtime does not export ${builtinExportName(builtin)}`);
  const values = args.map((a) => rt.rego(a));
  const result = fn(...values);
  if (result !== 0) {
    if (rt.exports.cs_builtin_failed() !== 0) throw new Error(`${builtin} returned a value but flagged an error`);
    return rt.regoText(result);
  }
  if (rt.exports.cs_builtin_failed() === 0) return UNDEFINED;
  try {
    rt.exports.cs_raise_builtin_error(...rt.put("at"));
  } catch (e) {
    if (!(e instanceof RuntimeAbort)) throw e;
    const match = /^at: (eval_type_error|eval_builtin_error): ([\s\S]*)$/.exec(e.message);
    if (!match) throw new Error(`unexpected abort message: ${e.message}`, { cause: e });
    return { error: match[2]!, code: match[1] as "eval_type_error" | "eval_builtin_error" };
  }
  throw new Error("cs_raise_builtin_error returned");
}

/** Registers one jest test per row, all sharing one runtime instance. */
export function runTable(title: string, rows: readonly Row[]): void {
  describe(title, () => {
    const rt = new Runtime({ pages: 16 });
    for (const r of rows) {
      it(`${r.builtin}: ${r.note}`, () => {
        const got = call(rt, r.builtin, r.args);
        if (typeof r.want === "object" && "error" in r.want && r.want.code === undefined) {
          expect(got).toEqual(expect.objectContaining({ error: r.want.error }));
        } else {
          expect(got).toEqual(r.want);
        }
      });
    }
  });
}
