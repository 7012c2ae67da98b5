/**
 * Arrays, objects and sets through the contract: building, lookup, iteration order, and path operations.
 */

import { Runtime } from "./harness";

const rt = new Runtime({ pages: 16 });
const x = rt.exports;

function keys(coll: number): unknown[] {
  return Array.from({ length: x.cs_length(coll) }, (_, i) => rt.js(x.cs_iter_key(coll, i)));
}

function values(coll: number): unknown[] {
  return Array.from({ length: x.cs_length(coll) }, (_, i) => rt.js(x.cs_iter_value(coll, i)));
}

describe("iteration", () => {
  it("visits an object's entries in sorted key order, whatever the insertion order", () => {
    const obj = rt.json('{"b": 2, "c": 3, "a": 1}');
    expect(keys(obj)).toEqual(["a", "b", "c"]);
    expect(values(obj)).toEqual([1, 2, 3]);
  });

  it("visits keys of mixed types in Rego's order", () => {
    const obj = rt.rego('{"a": 1, 2: 2, null: 3, [1]: 4, false: 5}');
    expect(rt.regoText(x.cs_iter_key(obj, 0))).toBe("null");
    expect(keys(obj)).toEqual([null, false, 2, "a", [1]]);
  });

  it("visits a set's elements in sorted order, each element its own key and value", () => {
    const set = rt.rego('{"z", 3, "a", [0], 1}');
    expect(keys(set)).toEqual([1, 3, "a", "z", [0]]);
    expect(values(set)).toEqual(keys(set));
  });

  it("visits an array's elements in order with number indices as keys", () => {
    const arr = rt.json('["x", "y", "z"]');
    expect(keys(arr)).toEqual([0, 1, 2]);
    expect(x.cs_type(x.cs_iter_key(arr, 1))).toBe(3);
    expect(values(arr)).toEqual(["x", "y", "z"]);
  });

  it("sorts large objects and sets too, and keeps finding their keys afterwards", () => {
    const n = 1000;
    const order = Array.from({ length: n }, (_, i) => (i * 7919) % n);
    const obj = x.cs_object();
    const set = x.cs_set();
    for (const i of order) {
      x.cs_object_insert(obj, rt.str(`k${String(i).padStart(4, "0")}`), rt.num(i));
      x.cs_set_add(set, rt.num(i));
    }
    expect(keys(obj)).toEqual(Array.from({ length: n }, (_, i) => `k${String(i).padStart(4, "0")}`));
    expect(keys(set)).toEqual(Array.from({ length: n }, (_, i) => i));
    for (const i of order) {
      expect(rt.js(x.cs_get(obj, rt.str(`k${String(i).padStart(4, "0")}`)))).toBe(i);
      expect(x.cs_get(set, rt.num(i))).not.toBe(0);
    }
    expect(x.cs_get(obj, rt.str("k1000"))).toBe(0);
  });

  it("returns undefined for positions past the end and counts nothing in scalars", () => {
    expect(x.cs_iter_key(rt.json("[1]"), 1)).toBe(0);
    expect(x.cs_iter_value(rt.json("{}"), 0)).toBe(0);
    for (const scalar of ['"abc"', "1", "null", "true"]) expect(x.cs_length(rt.json(scalar))).toBe(0);
    expect(x.cs_length(rt.rego("{1, 2}"))).toBe(2);
  });
});

describe("lookup", () => {
  it("indexes arrays only by integral, in-range numbers", () => {
    const arr = rt.json("[10, 20, 30]");
    expect(rt.js(x.cs_get(arr, rt.num(1)))).toBe(20);
    expect(rt.js(x.cs_get(arr, rt.json("1.0")))).toBe(20);
    for (const key of ["1.5", "-1", "3", '"1"', "null", "9007199254740993"]) {
      expect([key, x.cs_get(arr, rt.json(key))]).toEqual([key, 0]);
    }
  });

  it("finds object values by key, with 1 and 1.0 the same key", () => {
    const obj = rt.rego('{"a": 1, 1: "one", [1, {"b": 2}]: "composite"}');
    expect(rt.js(x.cs_get(obj, rt.str("a")))).toBe(1);
    expect(rt.js(x.cs_get(obj, rt.json("1.0")))).toBe("one");
    expect(rt.js(x.cs_get(obj, rt.json('[1.0, {"b": 2}]')))).toBe("composite");
    expect(x.cs_get(obj, rt.str("b"))).toBe(0);
  });

  it("answers set membership with the set's own element", () => {
    const set = rt.rego("{1, 2}");
    const hit = x.cs_get(set, rt.json("2.0"));
    expect(hit).not.toBe(0);
    expect(x.cs_get(set, rt.num(3))).toBe(0);
    expect(hit).toBe(x.cs_iter_value(set, 1));
  });

  it("finds nothing in scalars", () => {
    for (const scalar of ['"abc"', "1", "null", "true"]) expect(x.cs_get(rt.json(scalar), rt.num(0))).toBe(0);
  });
});

describe("building", () => {
  it("grows arrays past the room they were created with", () => {
    const arr = x.cs_array(1);
    for (let i = 0; i < 100; i++) x.cs_array_append(arr, rt.num(i));
    expect(rt.js(arr)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it("replaces the value of an equal key on insert, and ignores a set element already present", () => {
    const obj = x.cs_object();
    x.cs_object_insert(obj, rt.num(1), rt.str("a"));
    x.cs_object_insert(obj, rt.json("1.0"), rt.str("b"));
    expect(rt.regoText(obj)).toBe('{1:"b"}');
    const set = x.cs_set();
    x.cs_set_add(set, rt.num(1));
    x.cs_set_add(set, rt.json("1.0"));
    expect(rt.regoText(set)).toBe("{1}");
  });

  it("reports a conflict from cs_object_insert_unique only for a different value", () => {
    const obj = x.cs_object();
    expect(x.cs_object_insert_unique(obj, rt.str("a"), rt.num(1))).toBe(0);
    expect(x.cs_object_insert_unique(obj, rt.str("a"), rt.json("1.0"))).toBe(0);
    expect(x.cs_object_insert_unique(obj, rt.str("a"), rt.num(2))).toBe(1);
    expect(rt.js(obj)).toEqual({ a: 1 });
  });

  it("builds nested objects with cs_object_insert_path and reports conflicts", () => {
    const doc = x.cs_object();
    expect(x.cs_object_insert_path(doc, rt.json('["a", "b", "c"]'), rt.num(1))).toBe(0);
    expect(x.cs_object_insert_path(doc, rt.json('["a", "b", "d"]'), rt.num(2))).toBe(0);
    expect(x.cs_object_insert_path(doc, rt.json('["a", "b", "c"]'), rt.num(1))).toBe(0);
    expect(x.cs_object_insert_path(doc, rt.json('["a", "b", "c"]'), rt.num(3))).toBe(1);
    expect(x.cs_object_insert_path(doc, rt.json('["a", "b", "c", "e"]'), rt.num(3))).toBe(1);
    expect(rt.js(doc)).toEqual({ a: { b: { c: 1, d: 2 } } });
  });

  it("treats an object value put whole on a path as a rule's value: extending it conflicts, as in OPA, and leaves it alone", () => {
    const shared = rt.json('{"x": 1}');
    const doc = x.cs_tree_object();
    expect(x.cs_object_insert_path(doc, rt.json('["a"]'), shared)).toBe(0);
    expect(x.cs_object_insert_path(doc, rt.json('["a", "y"]'), rt.num(2))).toBe(1);
    expect(x.cs_object_insert_path(doc, rt.json('["a", "x"]'), rt.num(1))).toBe(1);
    expect(rt.js(doc)).toEqual({ a: { x: 1 } });
    expect(rt.js(shared)).toEqual({ x: 1 });
  });

  it("copies a document node given as a rule's value, so that it no longer merges", () => {
    const node = x.cs_tree_object();
    expect(x.cs_object_insert_path(node, rt.json('["x"]'), rt.num(1))).toBe(0);
    const doc = x.cs_tree_object();
    expect(x.cs_object_insert_leaf(doc, rt.str("a"), node)).toBe(0);
    expect(x.cs_object_insert_path(doc, rt.json('["a", "y"]'), rt.num(2))).toBe(1);
    expect(x.cs_object_merge_at(doc, rt.str("a"), node, 0)).toBe(0);
    expect(rt.js(doc)).toEqual({ a: { x: 1 } });
    expect(x.cs_object_merge_at(doc, rt.str("b"), node, 1)).toBe(0);
    const extra = x.cs_tree_object();
    expect(x.cs_object_insert_path(extra, rt.json('["y"]'), rt.num(2))).toBe(0);
    expect(x.cs_object_merge_at(doc, rt.str("b"), extra, 0)).toBe(1);
    expect(rt.js(node)).toEqual({ x: 1 });
  });

  it("adds to the sets of contains rules with cs_object_add_to_set_at, joining and conflicting as OPA does", () => {
    const doc = x.cs_tree_object();
    expect(x.cs_object_add_to_set_at(doc, rt.json('["a", "b"]'), rt.str("m"))).toBe(0);
    expect(x.cs_object_add_to_set_at(doc, rt.json('["a", "b"]'), rt.str("n"))).toBe(0);
    expect(x.cs_object_add_to_set_at(doc, rt.json('["a", "b"]'), rt.str("m"))).toBe(0);
    expect(x.cs_object_insert_path(doc, rt.json('["a", "c"]'), rt.num(1))).toBe(0);
    expect(rt.js(doc)).toEqual({ a: { b: ["m", "n"], c: 1 } });
    // a rule's value where a set is wanted, in the way of one, or below one
    expect(x.cs_object_add_to_set_at(doc, rt.json('["a", "c"]'), rt.num(1))).toBe(1);
    expect(x.cs_object_add_to_set_at(doc, rt.json('["a", "c", "d"]'), rt.num(1))).toBe(1);
    expect(x.cs_object_insert_path(doc, rt.json('["a", "b", "x"]'), rt.num(1))).toBe(1);
    expect(x.cs_object_insert_path(doc, rt.json('["a", "b"]'), rt.json('["m", "n"]'))).toBe(1);
  });

  it("merges document parts with cs_object_merge_at: nodes merge, sets join, values must be equal", () => {
    const build = (steps: [string, number][], sets: [string, string][] = []): number => {
      const doc = x.cs_tree_object();
      for (const [path, v] of steps) expect(x.cs_object_insert_path(doc, rt.json(path), rt.num(v))).toBe(0);
      for (const [path, v] of sets) expect(x.cs_object_add_to_set_at(doc, rt.json(path), rt.str(v))).toBe(0);
      return doc;
    };
    const a = build(
      [
        ['["p", "r"]', 0],
        ['["q"]', 1],
      ],
      [['["s"]', "m"]],
    );
    const b = build(
      [
        ['["p", "r"]', 0],
        ['["p", "t"]', 2],
      ],
      [['["s"]', "n"]],
    );
    const doc = x.cs_tree_object();
    expect(x.cs_object_merge_at(doc, rt.str("k"), a, 0)).toBe(0);
    expect(x.cs_object_merge_at(doc, rt.str("k"), b, 0)).toBe(0);
    expect(rt.js(doc)).toEqual({ k: { p: { r: 0, t: 2 }, q: 1, s: ["m", "n"] } });
    // the parts are left as they were
    expect(rt.js(a)).toEqual({ p: { r: 0 }, q: 1, s: ["m"] });
    expect(rt.js(b)).toEqual({ p: { r: 0, t: 2 }, s: ["n"] });
    // a different value at one place, a value where a node is, or a node given as a rule's value
    expect(x.cs_object_merge_at(doc, rt.str("k"), build([['["q"]', 2]]), 0)).toBe(1);
    expect(x.cs_object_merge_at(doc, rt.str("k"), build([['["p"]', 0]]), 0)).toBe(1);
    expect(x.cs_object_merge_at(doc, rt.str("k"), rt.json('{"q": 1}'), 1)).toBe(1);
    expect(x.cs_object_merge_at(doc, rt.str("v"), a, 1)).toBe(0);
    expect(x.cs_object_merge_at(doc, rt.str("v"), build([['["z"]', 1]]), 0)).toBe(1);
  });

  it("merges objects deeply with cs_merge, the first winning where both hold non-objects", () => {
    const a = rt.json('{"a": {"b": 1, "c": {"d": 2}}, "e": 3}');
    const b = rt.json('{"a": {"c": {"f": 4}, "b": 9}, "g": 5}');
    expect(rt.js(x.cs_merge(a, b))).toEqual({ a: { b: 1, c: { d: 2, f: 4 } }, e: 3, g: 5 });
    expect(rt.js(a)).toEqual({ a: { b: 1, c: { d: 2 } }, e: 3 });
    expect(rt.js(b)).toEqual({ a: { c: { f: 4 }, b: 9 }, g: 5 });
  });

  it("fails cs_merge when an object meets a non-object under the same key", () => {
    expect(x.cs_merge(rt.json('{"a": {"b": 1}}'), rt.json('{"a": 1}'))).toBe(0);
    expect(x.cs_merge(rt.json('{"a": 1}'), rt.json('{"a": {"b": 1}}'))).toBe(0);
  });

  it("places a value with cs_upsert on a copy, leaving the original alone", () => {
    const input = rt.json('{"user": {"name": "ada", "roles": ["dev"]}, "n": 1}');
    const changed = x.cs_upsert(input, rt.json('["user", "roles"]'), rt.json('["admin"]'));
    expect(rt.js(changed)).toEqual({ user: { name: "ada", roles: ["admin"] }, n: 1 });
    expect(rt.js(input)).toEqual({ user: { name: "ada", roles: ["dev"] }, n: 1 });
  });

  it("creates objects with cs_upsert where the path is missing or blocked, from an undefined root too", () => {
    expect(rt.js(x.cs_upsert(0, rt.json('["a", "b"]'), rt.num(1)))).toEqual({ a: { b: 1 } });
    expect(rt.js(x.cs_upsert(rt.json('{"a": 5}'), rt.json('["a", "b"]'), rt.num(1)))).toEqual({ a: { b: 1 } });
    expect(rt.js(x.cs_upsert(rt.json('{"a": 5}'), rt.json("[]"), rt.num(1)))).toBe(1);
  });
});

describe("loaded data edits", () => {
  it("adds values along a path in place with opa_value_add_path", () => {
    const data = rt.json('{"a": {"x": 1}}');
    expect(x.opa_value_add_path(data, rt.json('["a", "b", "c"]'), rt.num(2))).toBe(0);
    expect(x.opa_value_add_path(data, rt.json('["d"]'), rt.json("[3]"))).toBe(0);
    expect(rt.js(data)).toEqual({ a: { x: 1, b: { c: 2 } }, d: [3] });
  });

  it("reports OPA's error codes for invalid types and empty paths", () => {
    const data = rt.json('{"a": 1}');
    expect(x.opa_value_add_path(data, rt.json("[]"), rt.num(2))).toBe(3);
    expect(x.opa_value_add_path(data, rt.json('"a"'), rt.num(2))).toBe(2);
    expect(x.opa_value_add_path(data, rt.json('["a", "b"]'), rt.num(2))).toBe(2);
    expect(x.opa_value_add_path(rt.json("[]"), rt.json('["a"]'), rt.num(2))).toBe(2);
    expect(x.opa_value_remove_path(data, rt.json("[]"))).toBe(3);
  });

  it("removes values in place with opa_value_remove_path, ignoring missing paths", () => {
    const keysText = Array.from({ length: 20 }, (_, i) => `"k${i}": ${i}`).join(",");
    const data = rt.json(`{"a": {"b": 1, "c": 2}, "big": {${keysText}}}`);
    expect(x.opa_value_remove_path(data, rt.json('["a", "b"]'))).toBe(0);
    expect(x.opa_value_remove_path(data, rt.json('["a", "zz", "q"]'))).toBe(0);
    expect(x.opa_value_remove_path(data, rt.json('["big", "k7"]'))).toBe(0);
    expect(rt.js(x.cs_get(data, rt.str("a")))).toEqual({ c: 2 });
    const big = x.cs_get(data, rt.str("big"));
    expect(x.cs_length(big)).toBe(19);
    expect(x.cs_get(big, rt.str("k7"))).toBe(0);
    expect(rt.js(x.cs_get(big, rt.str("k19")))).toBe(19);
  });
});
