/** json.remove, json.filter and json.patch, compiled and evaluated on one reused instance. */

import { PolicyEvalError } from "../../src/policy/policy-error";
import { loadTestPolicy, type TestPolicy } from "./host-builtin-policy";

const RULES = `
removed := json.remove(input.doc, input.paths)
filtered := json.filter(input.doc, input.paths)
patched := json.patch(input.doc, input.patch)
set_paths := json.remove({"a": {"b": 1, "c": 2}, "d": 3}, {"a/b", ["d"]})
`;

let p: TestPolicy;
let strict: TestPolicy;

beforeAll(async () => {
  p = await loadTestPolicy(RULES, ["removed", "filtered", "patched", "set_paths"]);
  strict = await loadTestPolicy(RULES, ["removed", "filtered", "patched"], true);
});

describe("json.remove / json.filter", () => {
  const doc = { a: { b: { c: 7, d: 8 }, e: [{ x: 1, y: 2 }, { z: 3 }] }, f: 9 };

  it.each([
    [["a/b/c"], { a: { b: { d: 8 }, e: [{ x: 1, y: 2 }, { z: 3 }] }, f: 9 }],
    [["a/b", "a/b/c"], { a: { e: [{ x: 1, y: 2 }, { z: 3 }] }, f: 9 }],
    [["a/e/0/x", "a/e/1"], { a: { b: { c: 7, d: 8 }, e: [{ y: 2 }] }, f: 9 }],
    [[["a", "b", "c"], "f"], { a: { b: { d: 8 }, e: [{ x: 1, y: 2 }, { z: 3 }] } }],
    [["/a/missing", ""], doc],
    [[], doc],
  ])("removes %j", (paths, want) => {
    expect(p.value("removed", { doc, paths })).toEqual(want);
  });

  it.each([
    [["a/b/c"], { a: { b: { c: 7 } } }],
    [["a/e/1", "a/e/0/y"], { a: { e: [{ y: 2 }, { z: 3 }] } }],
    [["f", ["a", "b"]], { a: { b: { c: 7, d: 8 } }, f: 9 }],
    [["nothing"], {}],
  ])("filters %j", (paths, want) => {
    expect(p.value("filtered", { doc, paths })).toEqual(want);
  });

  it("accepts a set of paths", () => {
    expect(p.value("set_paths")).toEqual({ a: { c: 2 } });
  });

  it("is undefined on bad operands, and raises OPA's type errors in strict mode", () => {
    expect(p.value("removed", { doc: "x", paths: [] })).toBeUndefined();
    expect(() => strict.value("removed", { doc: 1, paths: [] })).toThrow("json.remove: operand 1 must be object but got number");
    expect(() => strict.value("filtered", { doc: {}, paths: 3 })).toThrow(
      "json.filter: operand 2 must be one of {set, array} but got number",
    );
    expect(() => strict.value("removed", { doc: {}, paths: [{ a: 1 }] })).toThrow(
      "operand 2 must be one of {set, array} containing string paths or array of path segments but got object",
    );
    try {
      strict.value("removed", { doc: 1, paths: [] });
    } catch (err) {
      expect((err as PolicyEvalError).code).toBe("eval_type_error");
    }
  });
});

describe("json.patch", () => {
  it.each([
    [{ foo: "bar" }, [{ op: "add", path: "/baz", value: "qux" }], { foo: "bar", baz: "qux" }],
    [{ foo: ["a", "c"] }, [{ op: "add", path: "/foo/1", value: "b" }], { foo: ["a", "b", "c"] }],
    [{ foo: ["a"] }, [{ op: "add", path: "/foo/-", value: "b" }], { foo: ["a", "b"] }],
    [{ a: 1, b: 2 }, [{ op: "remove", path: "/a" }], { b: 2 }],
    [{ a: 1 }, [{ op: "replace", path: "/a", value: [1] }], { a: [1] }],
    [{ a: { x: 1 }, b: {} }, [{ op: "move", from: "/a/x", path: "/b/y" }], { a: {}, b: { y: 1 } }],
    [{ a: [1, 2, 3] }, [{ op: "move", from: "/a/0", path: "/a/2" }], { a: [2, 3, 1] }],
    [{ a: { x: [1] } }, [{ op: "copy", from: "/a", path: "/b" }], { a: { x: [1] }, b: { x: [1] } }],
    [{ a: [1, 2] }, [{ op: "test", path: "/a/1", value: 2 }], { a: [1, 2] }],
    ["scalar", [{ op: "replace", path: "", value: { whole: true } }], { whole: true }],
    [{}, [{ op: "add", path: "/", value: 1 }], { "": 1 }],
    [
      { "a/b": 1, "m~n": 2 },
      [
        { op: "remove", path: "/a~1b" },
        { op: "remove", path: "/m~0n" },
      ],
      {},
    ],
  ])("patches %j with %j", (doc, patch, want) => {
    expect(p.value("patched", { doc, patch })).toEqual(want);
  });

  it.each([
    [{ a: 1 }, [{ op: "test", path: "/a", value: "1" }]],
    [{ a: [1] }, [{ op: "add", path: "/a/2", value: 1 }]],
    [{ a: [1] }, [{ op: "remove", path: "/a/01" }]],
    [{ a: 1 }, [{ op: "remove", path: "/b" }]],
    [{ a: 1 }, [{ op: "add", path: "/x/y", value: 1 }]],
    [{ a: 1 }, [{ op: "frobnicate", path: "/a" }]],
    [{ a: 1 }, [{ op: "add", path: "/b" }]],
    [{ a: 1 }, [{ op: "copy", from: "/nope", path: "/b" }]],
  ])("is undefined for %j with %j", (doc, patch) => {
    expect(p.value("patched", { doc, patch })).toBeUndefined();
  });

  it("does not change its operand", () => {
    expect(p.value("patched", { doc: { a: [1] }, patch: [{ op: "add", path: "/a/0", value: 0 }] })).toEqual({ a: [0, 1] });
    expect(p.value("patched", { doc: { a: [1] }, patch: [] })).toEqual({ a: [1] });
  });
});
