/**
 * Rego value text in and out of the runtime: opa_value_parse and opa_value_dump.
 */

import { Runtime } from "./harness";

const rt = new Runtime();

describe("Rego value text", () => {
  it("parses sets, including the empty set()", () => {
    expect(rt.exports.cs_type(rt.rego("{1, 2}"))).toBe(7);
    expect(rt.exports.cs_length(rt.rego("{1, 2, 2, 1.0}"))).toBe(2);
    expect(rt.exports.cs_type(rt.rego("set()"))).toBe(7);
    expect(rt.exports.cs_length(rt.rego("set()"))).toBe(0);
    expect(rt.regoText(rt.rego('{"a": set(), "b": [{1}, set()]}'))).toBe('{"a":set(),"b":[{1},set()]}');
  });

  it("reads {} as the empty object", () => {
    expect(rt.exports.cs_type(rt.rego("{}"))).toBe(6);
  });

  it("parses objects whose keys are not strings", () => {
    const obj = rt.rego('{1: "one", [2]: "two", {3}: "three", null: 0}');
    expect(rt.exports.cs_length(obj)).toBe(4);
    expect(rt.regoText(rt.exports.cs_get(obj, rt.num(1)))).toBe('"one"');
    expect(rt.regoText(rt.exports.cs_get(obj, rt.rego("{3}")))).toBe('"three"');
  });

  it("writes sets in braces, the empty set as set(), and keys of any type, in Rego's order", () => {
    expect(rt.regoText(rt.rego('{"b", 1, "a"}'))).toBe('{1,"a","b"}');
    expect(rt.regoText(rt.rego("set()"))).toBe("set()");
    expect(rt.regoText(rt.rego('{[1]: 2, 3: 4, "x": {5}}'))).toBe('{3:4,"x":{5},[1]:2}');
  });

  it("rejects malformed value text", () => {
    for (const bad of ["{1,}", "{1:}", "{1 2}", "set(", "set(1)", "{,}"]) {
      expect([bad, rt.exports.opa_value_parse(...rt.put(bad))]).toEqual([bad, 0]);
    }
  });
});
