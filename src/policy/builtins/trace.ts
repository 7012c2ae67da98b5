/**
 * `trace(note)`: true for a string. OPA adds the note to the evaluation's trace; a compiled policy keeps no
 * trace, so the note goes nowhere.
 */

import { stringOperand, type HostBuiltinFamily } from "./operands";

export const TRACE_BUILTINS: HostBuiltinFamily = {
  trace: (note) => {
    stringOperand("trace", 1, note);
    return true;
  },
};
