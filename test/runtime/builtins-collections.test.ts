/**
 * Object, array and set builtins and walk, run directly on build/runtime.wasm.
 */

import { row, runTable, typeError } from "./builtins-table";

runTable("object builtins", [
  row("key", "object.get", ['{"a":1}', '"a"', "0"], "1"),
  row("missing key gives the default", "object.get", ['{"a":1}', '"b"', '"d"'], '"d"'),
  row("conformance: complex value . not found", "object.get", ['{"a":{"b":"c"}}', '"b"', "true"], "true"),
  row("path", "object.get", ['{"a":{"b":[10,{"c":3}]}}', '["a","b",1,"c"]', "0"], "3"),
  row("path through a set", "object.get", ['{"a":{"x","y"}}', '["a","x"]', "0"], '"x"'),
  row("path not found", "object.get", ['{"a":{"b":1}}', '["a","c"]', "null"], "null"),
  row("path into a scalar", "object.get", ['{"a":1}', '["a","b"]', '"d"'], '"d"'),
  row("bad array index", "object.get", ['{"a":[1]}', '["a",1.5]', '"d"'], '"d"'),
  row("empty path is the object", "object.get", ['{"a":1}', "[]", "0"], '{"a":1}'),
  row("a false value is found", "object.get", ['{"a":false}', '"a"', "true"], "false"),
  row("not an object", "object.get", ["[]", '"a"', "0"], typeError("object.get: operand 1 must be object but got array")),
  row("keys", "object.keys", ['{"b":1,"a":2}'], '{"a","b"}'),
  row("keys of empty", "object.keys", ["{}"], "set()"),
  row("keys wrong type", "object.keys", ["set()"], typeError("object.keys: operand 1 must be object but got set")),
  row("conformance: remove base", "object.remove", ['{"a":1,"b":{"c":3}}', '{"a"}'], '{"b":{"c":3}}'),
  row("remove by array", "object.remove", ['{"a":1,"b":2,"c":3}', '["a","c"]'], '{"b":2}'),
  row("remove by object keys", "object.remove", ['{"a":1,"b":2}', '{"b":0}'], '{"a":1}'),
  row(
    "conformance: remove string keys",
    "object.remove",
    ['{"a":1}', '"foo"'],
    typeError("object.remove: operand 2 must be one of {object, set, array} but got string"),
  ),
  row(
    "conformance: remove null keys",
    "object.remove",
    ['{"a":1}', "null"],
    typeError("object.remove: operand 2 must be one of {object, set, array} but got null"),
  ),
  row("filter", "object.filter", ['{"a":1,"b":2,"c":3}', '["a","c","z"]'], '{"a":1,"c":3}'),
  row("filter by set", "object.filter", ['{"a":1,"b":2}', '{"b"}'], '{"b":2}'),
  row(
    "filter bad keys",
    "object.filter",
    ['{"a":1}', "1"],
    typeError("object.filter: operand 2 must be one of {object, set, array} but got number"),
  ),
  row("conformance: union both empty", "object.union", ["{}", "{}"], "{}"),
  row("conformance: union left empty", "object.union", ["{}", '{"a":1}'], '{"a":1}'),
  row(
    "conformance: union conflict nested and extra field",
    "object.union",
    ['{"a":1}', '{"a":{"b":{"c":1}},"d":7}'],
    '{"a":{"b":{"c":1}},"d":7}',
  ),
  row("union merges nested objects", "object.union", ['{"a":{"x":1,"y":2}}', '{"a":{"y":3}}'], '{"a":{"x":1,"y":3}}'),
  row("union wrong type", "object.union", ['{"a":1}', "[]"], typeError("object.union: operand 2 must be object but got array")),
  row("union_n", "object.union_n", ['[{"a":1},{"b":2},{"a":3}]'], '{"a":3,"b":2}'),
  row("union_n freezes a key a scalar overwrote", "object.union_n", ['[{"a":{"b":2}},{"a":4},{"a":{"c":3}}]'], '{"a":{"c":3}}'),
  row("subset of objects, recursively", "object.subset", ['{"a":{"b":1,"c":[1,2,3]},"d":{1,2}}', '{"a":{"c":[2,3]},"d":{2}}'], "true"),
  row("not a subset", "object.subset", ['{"a":1}', '{"a":2}'], "false"),
  row("missing key", "object.subset", ['{"a":1}', '{"b":1}'], "false"),
  row("sets", "object.subset", ["{1,2,3}", "{3,1}"], "true"),
  row("arrays need a contiguous run", "object.subset", ["[1,2,3,4]", "[2,4]"], "false"),
  row("arrays", "object.subset", ["[1,2,3,4]", "[2,3]"], "true"),
  row("array and set", "object.subset", ["[1,2,3]", "{3,1}"], "true"),
  row("empty array and empty set (OPA says false)", "object.subset", ["[]", "set()"], "false"),
  row(
    "mixed types",
    "object.subset",
    ["{}", "[]"],
    typeError("object.subset: both arguments object.subset must be of the same type or array and set"),
  ),
  row("union_n empty", "object.union_n", ["[]"], "{}"),
  row(
    "union_n non-object",
    "object.union_n",
    ['[{"a":1},2]'],
    typeError("object.union_n: operand 1 must be array of objects but got array containing number"),
  ),
  row("union_n not an array", "object.union_n", ['{"a":1}'], typeError("object.union_n: operand 1 must be array but got object")),
]);

runTable("array builtins", [
  row("conformance: concat", "array.concat", ["[1,2]", "[3,4]"], "[1,2,3,4]"),
  row("concat empty", "array.concat", ["[]", "[]"], "[]"),
  row(
    "conformance: concat err",
    "array.concat",
    ['{"v1":"hello"}', "[3,4]"],
    typeError("array.concat: operand 1 must be array but got object"),
  ),
  row(
    "conformance: concat err rhs",
    "array.concat",
    ["[1,2]", '{"v1":"hello"}'],
    typeError("array.concat: operand 2 must be array but got object"),
  ),
  row("conformance: slice", "array.slice", ["[1,2,3,4,5]", "1", "3"], "[2,3]"),
  row("slice clamps", "array.slice", ["[1,2,3]", "-5", "10"], "[1,2,3]"),
  row("slice start after stop", "array.slice", ["[1,2,3]", "2", "1"], "[]"),
  row(
    "slice float index",
    "array.slice",
    ["[1,2,3]", "0.5", "1"],
    typeError("array.slice: operand 2 must be integer number but got floating-point number"),
  ),
  row("reverse", "array.reverse", ["[1,[2],3]"], "[3,[2],1]"),
  row("reverse empty", "array.reverse", ["[]"], "[]"),
  row("reverse wrong type", "array.reverse", ['"ab"'], typeError("array.reverse: operand 1 must be array but got string")),
]);

runTable("set builtins", [
  row("union", "union", ["{{1,2},{2,3},set()}"], "{1,2,3}"),
  row("union of none", "union", ["set()"], "set()"),
  row("union element not a set", "union", ["{{1},2}"], typeError("union: operand 1 must be set but got number")),
  row("union not a set", "union", ["[{1}]"], typeError("union: operand 1 must be set but got array")),
  row("intersection", "intersection", ["{{1,2,3},{2,3,4},{3,2}}"], "{2,3}"),
  row("intersection of none", "intersection", ["set()"], "set()"),
  row("intersection disjoint", "intersection", ["{{1},{2}}"], "set()"),
  row("intersection element not a set", "intersection", ['{{1},"a"}'], typeError("intersection: operand 1 must be set but got string")),
]);

runTable("walk", [
  row("conformance: scalar", "walk", ["1"], "[[[],1]]"),
  row("conformance: arrays", "walk", ["[1,2,3,4]"], "[[[],[1,2,3,4]],[[0],1],[[1],2],[[2],3],[[3],4]]"),
  row(
    "objects in key order, pre-order",
    "walk",
    ['{"b":{"c":1},"a":2}'],
    '[[[],{"a":2,"b":{"c":1}}],[["a"],2],[["b"],{"c":1}],[["b","c"],1]]',
  ),
  row("sets use the element as the key", "walk", ['{"x"}'], '[[[],{"x"}],[["x"],"x"]]'),
  row(
    "conformance: array path not overwritten (issue 7656)",
    "walk",
    ['[{"aa":"AA"},{"bb":"BB"}]'],
    '[[[],[{"aa":"AA"},{"bb":"BB"}]],[[0],{"aa":"AA"}],[[0,"aa"],"AA"],[[1],{"bb":"BB"}],[[1,"bb"],"BB"]]',
  ),
]);
