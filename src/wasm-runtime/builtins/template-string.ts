// Rego template strings ($"…{expr}…"): internal.template_string joins the parts the compiler passes.
//
// The compiler turns each template into one call on an array of parts: literal text and scalar constants
// as they are, and for every other embedded expression the set of its values. Strings are written raw and
// every other value as Rego text (sets as {…} or set()); an empty set, an undefined expression, is written
// `<undefined>`; a set with several values is OPA's conflict error, which halts evaluation.

import { ByteWriter } from "../byte-writer";
import { ERROR_CONFLICT, ERROR_TYPE, builtinError, clearBuiltinError } from "../errors";
import { collectionCount, collectionKeyAt } from "../collection";
import { TYPE_ARRAY, TYPE_OBJECT, TYPE_SET, TYPE_STRING, arrayAt, arrayLength, typeName, typeOf } from "../value";
import { appendAscii } from "./output";
import { appendRegoText } from "./rego-text";
import { strLen, strPtr, typeError } from "./operands";

/** internal.template_string(parts): the template's text. */
export function cs_bi_internal__template_string(parts: usize): usize {
  clearBuiltinError();
  if (typeOf(parts) != TYPE_ARRAY) return typeError("internal.template_string", 1, parts, "array");
  let out = new ByteWriter(64);
  for (let i: u32 = 0, n = arrayLength(parts); i < n; i++) {
    let part = arrayAt(parts, i);
    let t = typeOf(part);
    if (t == TYPE_SET) {
      let count = collectionCount(part);
      if (count == 0) appendAscii(out, "<undefined>");
      else if (count == 1) appendPart(out, collectionKeyAt(part, 0));
      else return builtinError(ERROR_CONFLICT, "template-strings must not produce multiple outputs");
    } else if (t == TYPE_ARRAY || t == TYPE_OBJECT) {
      return builtinError(ERROR_TYPE, "internal.template_string: illegal argument type: " + typeName(part));
    } else {
      appendPart(out, part);
    }
  }
  return out.finishString();
}

/** Appends one value: a string as it is, anything else as Rego text. */
function appendPart(out: ByteWriter, v: usize): void {
  if (typeOf(v) == TYPE_STRING) out.bytes(strPtr(v), <usize>strLen(v));
  else appendRegoText(out, v);
}
