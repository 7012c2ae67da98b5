/**
 * The operator builtins of the core (`in`, comparison, arithmetic, set algebra), with OPA's error texts.
 */

import { builtinError, row, runTable, typeError } from "./builtins-table";
import { Runtime, RuntimeAbort } from "./harness";

runTable("membership", [
  row("element of an array", "internal.member_2", ["2", "[1,2,3]"], "true"),
  row("1.0 is the element 1", "internal.member_2", ["1.0", "[1]"], "true"),
  row("not an element", "internal.member_2", ["4", "[1,2,3]"], "false"),
  row("element of a set", "internal.member_2", ['"b"', '{"a","b"}'], "true"),
  row("a value, not a key, of an object", "internal.member_2", ["1", '{"a":1}'], "true"),
  row("an object's key is not a member", "internal.member_2", ['"a"', '{"a":1}'], "false"),
  row("nothing is in a string", "internal.member_2", ['"a"', '"abc"'], "false"),
  row("index and element of an array", "internal.member_3", ["1", '"b"', '["a","b"]'], "true"),
  row("index out of range", "internal.member_3", ["2", '"b"', '["a","b"]'], "false"),
  row("fractional index", "internal.member_3", ["0.5", '"a"', '["a","b"]'], "false"),
  row("key and value of an object", "internal.member_3", ['"a"', "1", '{"a":1}'], "true"),
  row("key with another value", "internal.member_3", ['"a"', "2", '{"a":1}'], "false"),
  row("set element as its own key", "internal.member_3", ["1", "1", "{1,2}"], "true"),
  row("set element with another value", "internal.member_3", ["1", "2", "{1,2}"], "false"),
  row("scalars have no members", "internal.member_3", ["0", '"a"', '"a"'], "false"),
]);

runTable("comparison", [
  row("equal numbers of different spelling", "equal", ["1", "1.0"], "true"),
  row("different types are unequal", "equal", ["1", '"1"'], "false"),
  row("not equal", "neq", ["[1]", "[2]"], "true"),
  row("equal sets are not unequal", "neq", ["{1,2}", "{2,1}"], "false"),
  row("numbers", "lt", ["1", "2"], "true"),
  row("across types by Rego's order", "lt", ["2", '"1"'], "true"),
  row("equal is not less", "lt", ["1", "1"], "false"),
  row("equal is at most", "lte", ["1", "1.0"], "true"),
  row("strings", "gt", ['"b"', '"a"'], "true"),
  row("sets after objects", "gt", ["set()", "{}"], "true"),
  row("big integers", "gte", ["28857836529306024611913", "28857836529306024611912"], "true"),
  row("less is not at least", "gte", ["1", "2"], "false"),
]);

runTable("arithmetic", [
  row("integers", "plus", ["1", "2"], "3"),
  row("fractions", "plus", ["0.5", "0.25"], "0.75"),
  row("past 2^53 stays exact", "plus", ["9007199254740992", "1"], "9007199254740993"),
  row("big integers", "plus", ["28857836529306024611913", "1"], "28857836529306024611914"),
  row("back below 2^53", "minus", ["9007199254740993", "9007199254740992"], "1"),
  row("numbers", "minus", ["5", "7"], "-2"),
  row("set difference", "minus", ["{1,2,3}", "{2,4}"], "{1,3}"),
  row("integers", "mul", ["6", "7"], "42"),
  row("past 2^64 stays exact", "mul", ["4294967296", "4294967296"], "18446744073709551616"),
  row("fractions", "mul", ["1.5", "2"], "3"),
  row("fraction", "div", ["10", "4"], "2.5"),
  row("integral quotient prints as an integer", "div", ["4", "2"], "2"),
  row("integers", "rem", ["7", "3"], "1"),
  row("takes the dividend's sign", "rem", ["-7", "3"], "-1"),
  row("integral floats count as integers", "rem", ["7.0", "2"], "1"),
  row("big integers", "rem", ["28857836529306024611913", "10"], "3"),
  row("negative big integers", "rem", ["-28857836529306024611913", "1000"], "-913"),
]);

runTable("arithmetic errors", [
  row("operand 1 not a number", "plus", ['"a"', "1"], typeError("plus: operand 1 must be number but got string")),
  row("operand 2 not a number", "plus", ["1", "{1}"], typeError("plus: operand 2 must be number but got set")),
  row("set minus number (conformance: minus/type error)", "minus", ["{1}", "1"], typeError("minus: operand 2 must be set but got number")),
  row("number minus set (conformance: minus/type error)", "minus", ["1", "{1}"], typeError("minus: operand 2 must be number but got set")),
  row("neither number nor set", "minus", ['"a"', "1"], typeError("minus: operand 1 must be one of {number, set} but got string")),
  row("mul of null", "mul", ["null", "1"], typeError("mul: operand 1 must be number but got null")),
  row("div of array", "div", ["1", "[]"], typeError("div: operand 2 must be number but got array")),
  row("divide by zero", "div", ["1", "0"], builtinError("div: divide by zero")),
  row("rem of object", "rem", ["{}", "1"], typeError("rem: operand 1 must be number but got object")),
  row(
    "modulo on a float (conformance: remainder+error+floating)",
    "rem",
    ["1.1", "1"],
    builtinError("rem: modulo on floating-point number"),
  ),
  row("modulo by zero", "rem", ["1", "0"], builtinError("rem: modulo by zero")),
]);

runTable("set algebra", [
  row("intersection", "and", ["{1,2,3}", "{2,3,4}"], "{2,3}"),
  row("disjoint", "and", ["{1}", "{2}"], "set()"),
  row("union", "or", ["{1,2}", "{2,3}"], "{1,2,3}"),
  row("union with the empty set", "or", ["set()", '{"a"}'], '{"a"}'),
  row("and of a non-set", "and", ["[1]", "{1}"], typeError("and: operand 1 must be set but got array")),
  row("or of a non-set", "or", ["{1}", "1"], typeError("or: operand 2 must be set but got number")),
]);

describe("builtin error state", () => {
  const rt = new Runtime();
  const x = rt.exports;

  it("is clear after a builtin that succeeds or is undefined", () => {
    x.cs_bi_plus(rt.str("a"), rt.num(1));
    expect(x.cs_builtin_failed()).toBe(1);
    expect(x.cs_bi_plus(rt.num(1), rt.num(1))).not.toBe(0);
    expect(x.cs_builtin_failed()).toBe(0);
  });

  it("aborts with '<location>: <code>: <message>' through cs_raise_builtin_error", () => {
    x.cs_bi_div(rt.num(1), rt.num(0));
    expect(() => x.cs_raise_builtin_error(...rt.put("policy.rego:4"))).toThrow(
      new RuntimeAbort("policy.rego:4: eval_builtin_error: div: divide by zero"),
    );
  });

  it("aborts with the given message through cs_raise", () => {
    expect(() => x.cs_raise(...rt.put("policy.rego:7: eval_conflict_error: complete rules must not produce multiple outputs"))).toThrow(
      new RuntimeAbort("policy.rego:7: eval_conflict_error: complete rules must not produce multiple outputs"),
    );
  });

  it("is clear at the start of every evaluation", () => {
    x.cs_bi_plus(rt.str("a"), rt.num(1));
    x.eval(x.opa_eval_ctx_new());
    expect(x.cs_builtin_failed()).toBe(0);
  });
});
