// Values written as OPA's Term.String() spells them, which is how sprintf shows non-string operands:
// strings quoted by strconv.Quote, ", " between elements, ": " after keys, sorted keys, set() when empty.

import { ByteWriter } from "../byte-writer";
import {
  TYPE_ARRAY, TYPE_BOOLEAN, TYPE_NULL, TYPE_NUMBER, TYPE_OBJECT, TYPE_SET, TYPE_STRING, TRUE,
  arrayAt, arrayLength, typeOf,
} from "../value";
import { collectionCount, collectionKeyAt, collectionValueAt } from "../collection";
import { appendAscii } from "./output";
import { appendGoQuote } from "./quote";
import { appendNumberText, strLen, strPtr } from "./operands";

/** Appends the OPA String() text of a value. */
export function appendRegoText(out: ByteWriter, v: usize): void {
  switch (typeOf(v)) {
    case TYPE_NULL:
      appendAscii(out, "null");
      return;
    case TYPE_BOOLEAN:
      appendAscii(out, v == TRUE ? "true" : "false");
      return;
    case TYPE_NUMBER:
      appendNumberText(out, v);
      return;
    case TYPE_STRING:
      appendGoQuote(out, strPtr(v), strLen(v));
      return;
    case TYPE_ARRAY: {
      out.byte(0x5b);
      for (let i: u32 = 0, n = arrayLength(v); i < n; i++) {
        if (i > 0) appendAscii(out, ", ");
        appendRegoText(out, arrayAt(v, i));
      }
      out.byte(0x5d);
      return;
    }
    case TYPE_OBJECT: {
      out.byte(0x7b);
      for (let i: u32 = 0, n = collectionCount(v); i < n; i++) {
        if (i > 0) appendAscii(out, ", ");
        appendRegoText(out, collectionKeyAt(v, i));
        appendAscii(out, ": ");
        appendRegoText(out, collectionValueAt(v, i));
      }
      out.byte(0x7d);
      return;
    }
    case TYPE_SET: {
      let n = collectionCount(v);
      if (n == 0) {
        appendAscii(out, "set()");
        return;
      }
      out.byte(0x7b);
      for (let i: u32 = 0; i < n; i++) {
        if (i > 0) appendAscii(out, ", ");
        appendRegoText(out, collectionKeyAt(v, i));
      }
      out.byte(0x7d);
      return;
    }
  }
}
