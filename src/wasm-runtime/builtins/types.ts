// Type tests and names: is_string, is_number, is_boolean, is_array, is_object, is_set, is_null, type_name.
//
// The tests never fail: any defined operand gives true or false.

import { clearBuiltinError } from "../errors";
import {
  TYPE_ARRAY, TYPE_BOOLEAN, TYPE_NULL, TYPE_NUMBER, TYPE_OBJECT, TYPE_SET, TYPE_STRING, newBoolean, newStringRef,
  typeOf,
} from "../value";

/** is_string(x) */
export function cs_bi_is_string(x: usize): usize {
  clearBuiltinError();
  return newBoolean(typeOf(x) == TYPE_STRING);
}

/** is_number(x) */
export function cs_bi_is_number(x: usize): usize {
  clearBuiltinError();
  return newBoolean(typeOf(x) == TYPE_NUMBER);
}

/** is_boolean(x) */
export function cs_bi_is_boolean(x: usize): usize {
  clearBuiltinError();
  return newBoolean(typeOf(x) == TYPE_BOOLEAN);
}

/** is_array(x) */
export function cs_bi_is_array(x: usize): usize {
  clearBuiltinError();
  return newBoolean(typeOf(x) == TYPE_ARRAY);
}

/** is_object(x) */
export function cs_bi_is_object(x: usize): usize {
  clearBuiltinError();
  return newBoolean(typeOf(x) == TYPE_OBJECT);
}

/** is_set(x) */
export function cs_bi_is_set(x: usize): usize {
  clearBuiltinError();
  return newBoolean(typeOf(x) == TYPE_SET);
}

/** is_null(x) */
export function cs_bi_is_null(x: usize): usize {
  clearBuiltinError();
  return newBoolean(typeOf(x) == TYPE_NULL);
}

// The names, as static UTF-8 so that type_name allocates only the string box.
const NAMES = memory.data<u8>([
  0x6e, 0x75, 0x6c, 0x6c, // null
  0x62, 0x6f, 0x6f, 0x6c, 0x65, 0x61, 0x6e, // boolean
  0x6e, 0x75, 0x6d, 0x62, 0x65, 0x72, // number
  0x73, 0x74, 0x72, 0x69, 0x6e, 0x67, // string
  0x61, 0x72, 0x72, 0x61, 0x79, // array
  0x6f, 0x62, 0x6a, 0x65, 0x63, 0x74, // object
  0x73, 0x65, 0x74, // set
]);

/** type_name(x): "null", "boolean", "number", "string", "array", "object" or "set". */
export function cs_bi_type_name(x: usize): usize {
  clearBuiltinError();
  switch (typeOf(x)) {
    case TYPE_NULL: return newStringRef(NAMES, 4);
    case TYPE_BOOLEAN: return newStringRef(NAMES + 4, 7);
    case TYPE_NUMBER: return newStringRef(NAMES + 11, 6);
    case TYPE_STRING: return newStringRef(NAMES + 17, 6);
    case TYPE_ARRAY: return newStringRef(NAMES + 23, 5);
    case TYPE_OBJECT: return newStringRef(NAMES + 28, 6);
    case TYPE_SET: return newStringRef(NAMES + 34, 3);
  }
  return 0;
}
