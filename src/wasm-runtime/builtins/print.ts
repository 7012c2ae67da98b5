// Rego's print: writes its operands, separated by spaces, as one line through the host's opa_println.
//
// The compiler evaluates each operand on its own and passes them as one array, with undefined operands
// already replaced by the string "<undefined>", so print itself never fails. Strings print raw; every other
// value prints as Rego text (sets as {…}), as OPA does.

import { ByteWriter } from "../byte-writer";
import { clearBuiltinError } from "../errors";
import { opa_println } from "../host";
import { writeValue } from "../json-dump";
import { TRUE, TYPE_ARRAY, TYPE_STRING, arrayAt, arrayLength, stringLen, stringPtr, typeOf } from "../value";

/** internal.print(operands): prints and returns true. */
export function cs_bi_internal__print(operands: usize): usize {
  clearBuiltinError();
  let w = new ByteWriter(128);
  if (typeOf(operands) == TYPE_ARRAY) {
    let n = arrayLength(operands);
    for (let i: i32 = 0; i < <i32>n; i++) {
      if (i > 0) w.byte(0x20);
      let v = arrayAt(operands, i);
      if (typeOf(v) == TYPE_STRING) w.bytes(stringPtr(v), stringLen(v));
      else writeValue(w, v, true);
    }
  }
  opa_println(w.finishCString());
  return TRUE;
}
