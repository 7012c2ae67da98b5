/**
 * JSON and base64 builtins, run directly on build/runtime.wasm.
 */

import { builtinError, row, runTable, typeError } from "./builtins-table";

runTable("json builtins", [
  row("conformance: marshal", "json.marshal", ['[{"foo":{1,2,3}}]'], '"[{\\"foo\\":[1,2,3]}]"'),
  row("keys sorted", "json.marshal", ['{"b":1,"a":[true,null,"x"]}'], '"{\\"a\\":[true,null,\\"x\\"],\\"b\\":1}"'),
  row("HTML characters escaped", "json.marshal", ['"<a & b>"'], '"\\"\\\\u003ca \\\\u0026 b\\\\u003e\\""'),
  row("control characters", "json.marshal", ['"a\\nb\\u0001"'], '"\\"a\\\\nb\\\\u0001\\""'),
  row("non-string keys become their JSON text", "json.marshal", ['{1:"a",[2]:"b"}'], '"{\\"1\\":\\"a\\",\\"[2]\\":\\"b\\"}"'),
  row("numbers", "json.marshal", ["[1,2.5,-0.125,123456789123456789123]"], '"[1,2.5,-0.125,123456789123456789123]"'),
  row(
    "floats as Go's encoding/json writes them",
    "json.marshal",
    ["[0.30000000000000004,1e21,1e-7,0.000001,9223372036854775808]"],
    '"[0.30000000000000004,1e+21,1e-7,0.000001,9223372036854775808]"',
  ),
  row("unmarshal object", "json.unmarshal", ['"{\\"a\\": [1, \\"x\\", null]}"'], '{"a":[1,"x",null]}'),
  row("unmarshal big integer", "json.unmarshal", ['"123456789123456789123"'], "123456789123456789123"),
  row("unmarshal with white space", "json.unmarshal", ['"  true  "'], "true"),
  row("unmarshal error", "json.unmarshal", ['"{\\"a\\" 1}"'], builtinError("json.unmarshal: invalid character '1' after object key")),
  row(
    "unmarshal bad value",
    "json.unmarshal",
    ['"plainstring"'],
    builtinError("json.unmarshal: invalid character 'p' looking for beginning of value"),
  ),
  row("unmarshal truncated", "json.unmarshal", ['"{"'], builtinError("json.unmarshal: unexpected EOF")),
  row("unmarshal empty", "json.unmarshal", ['""'], builtinError("json.unmarshal: EOF")),
  row(
    "unmarshal trailing value",
    "json.unmarshal",
    ['"1 2"'],
    builtinError("json.unmarshal: error: invalid character '2' after top-level value"),
  ),
  row("unmarshal bad literal", "json.unmarshal", ['"tru"'], builtinError("json.unmarshal: unexpected EOF")),
  row(
    "unmarshal bad literal char",
    "json.unmarshal",
    ['"trux"'],
    builtinError("json.unmarshal: invalid character 'x' in literal true (expecting 'e')"),
  ),
  row("unmarshal wrong type", "json.unmarshal", ["1"], typeError("json.unmarshal: operand 1 must be string but got number")),
  row("conformance: is_valid plainstring", "json.is_valid", ['"plainstring"'], "false"),
  row("conformance: is_valid open brace", "json.is_valid", ['"{"'], "false"),
  row("conformance: is_valid object", "json.is_valid", ['"{\\"json\\": \\"ok\\"}"'], "true"),
  row("conformance: is_valid not string", "json.is_valid", ["1"], "false"),
  row("is_valid trailing text", "json.is_valid", ['"[1] x"'], "false"),
  row("is_valid leading zero", "json.is_valid", ['"01"'], "false"),
  row("is_valid number forms", "json.is_valid", ['"-0.5e+10"'], "true"),
]);

runTable("base64 builtins", [
  row("conformance: encode-2", "base64.encode", ['"there"'], '"dGhlcmU="'),
  row("conformance: encode-slash", "base64.encode", ['"subjects?_d"'], '"c3ViamVjdHM/X2Q="'),
  row("encode empty", "base64.encode", ['""'], '""'),
  row("encode wrong type", "base64.encode", ["1"], typeError("base64.encode: operand 1 must be string but got number")),
  row("conformance: decode-slash", "base64.decode", ['"c3ViamVjdHM/X2Q="'], '"subjects?_d"'),
  row("decode ignores newlines", "base64.decode", ['"aGVs\\nbG8="'], '"hello"'),
  row("decode without padding", "base64.decode", ['"aGVsbG8"'], builtinError("base64.decode: illegal base64 data at input byte 4")),
  row("decode bad character", "base64.decode", ['"aGV$bG8="'], builtinError("base64.decode: illegal base64 data at input byte 3")),
  row("decode trailing garbage", "base64.decode", ['"aGVsbG8=x"'], builtinError("base64.decode: illegal base64 data at input byte 8")),
  row("is_valid yes", "base64.is_valid", ['"aGVsbG8="'], "true"),
  row("is_valid no", "base64.is_valid", ['"aGVsbG8"'], "false"),
  row("is_valid not string", "base64.is_valid", ["[]"], "false"),
  row("url encode", "base64url.encode", ['"ÿþ?>"'], '"w7_Dvj8-"'),
  row("url encode pads", "base64url.encode", ['"hell"'], '"aGVsbA=="'),
  row("url encode no pad", "base64url.encode_no_pad", ['"hell"'], '"aGVsbA"'),
  row("url decode unpadded", "base64url.decode", ['"aGVsbA"'], '"hell"'),
  row("url decode padded", "base64url.decode", ['"aGVsbA=="'], '"hell"'),
  row("url decode url alphabet", "base64url.decode", ['"w7_Dvj8-"'], '"ÿþ?>"'),
  row("url decode bad length", "base64url.decode", ['"abcde"'], builtinError("base64url.decode: illegal base64url string: abcde")),
  row("url decode bad character", "base64url.decode", ['"ab+d"'], builtinError("base64url.decode: illegal base64 data at input byte 2")),
]);

runTable("hex builtins", [
  row("encode", "hex.encode", ['"hi!"'], '"686921"'),
  row("encode empty", "hex.encode", ['""'], '""'),
  row("decode", "hex.decode", ['"686921"'], '"hi!"'),
  row("decode upper case", "hex.decode", ['"4A4b"'], '"JK"'),
  row("decode invalid byte", "hex.decode", ['"6g"'], builtinError("hex.decode: encoding/hex: invalid byte: U+0067 'g'")),
  row("decode odd length", "hex.decode", ['"686"'], builtinError("hex.decode: encoding/hex: odd length hex string")),
  row(
    "decode odd length with a bad last byte",
    "hex.decode",
    ['"68z"'],
    builtinError("hex.decode: encoding/hex: invalid byte: U+007A 'z'"),
  ),
  row("wrong type", "hex.encode", ["1"], typeError("hex.encode: operand 1 must be string but got number")),
]);
