/**
 * Equality and Rego's total order of values: cs_equal and cs_compare.
 */

import { Runtime } from "./harness";

const rt = new Runtime();
const eq = (a: string, b: string) => rt.exports.cs_equal(rt.rego(a), rt.rego(b));
const cmp = (a: string, b: string) => rt.exports.cs_compare(rt.rego(a), rt.rego(b));

describe("equality", () => {
  it("treats 1 and 1.0 (and -0 and 0) as the same number", () => {
    expect(eq("1", "1.0")).toBe(1);
    expect(rt.exports.cs_equal(rt.num(1), rt.rego("1.0"))).toBe(1);
    expect(eq("-0", "0")).toBe(1);
    expect(eq('[1, {"a": 2.0}]', '[1.0, {"a": 2}]')).toBe(1);
  });

  it("compares objects and sets regardless of insertion order", () => {
    expect(eq('{"a": 1, "b": [2]}', '{"b": [2], "a": 1}')).toBe(1);
    expect(eq("{3, 1, 2}", "{2, 3, 1}")).toBe(1);
    const big = Array.from({ length: 50 }, (_, i) => `"k${i}": ${i}`);
    expect(eq(`{${big.join(",")}}`, `{${big.reverse().join(",")}}`)).toBe(1);
  });

  it("tells values of different types or contents apart", () => {
    for (const [a, b] of [
      ["1", '"1"'],
      ["null", "false"],
      ["[]", "{}"],
      ["{}", "set()"],
      ["[1]", "[1, 1]"],
      ['{"a": 1}', '{"a": 2}'],
      ['{"a": 1}', '{"b": 1}'],
      ["{1}", "{2}"],
      ['"a"', '"A"'],
      ["0.1", "0.10000000000000002"],
    ]) {
      expect([a, b, eq(a!, b!)]).toEqual([a, b, 0]);
    }
  });

  it("tells apart big integers that share a nearest double (conformance: arithmetic/big_int)", () => {
    expect(eq("28857836529306024611913", "28857836529306024611912")).toBe(0);
    expect(eq("28857836529306024611913", "28857836529306024611913")).toBe(1);
    expect(eq("9007199254740993", "9007199254740992")).toBe(0);
    expect(eq("18014398509481984", "1.8014398509481984e16")).toBe(1);
  });
});

describe("order", () => {
  it("sorts values of different types null < false < true < numbers < strings < arrays < objects < sets", () => {
    const ascending = ["null", "false", "true", "-1", "2.5", '""', '"a"', "[]", "[0]", "{}", '{"a":0}', "set()", "{0}"];
    for (let i = 0; i < ascending.length; i++) {
      for (let j = 0; j < ascending.length; j++) {
        expect([ascending[i], ascending[j], cmp(ascending[i]!, ascending[j]!)]).toEqual([ascending[i], ascending[j], Math.sign(i - j)]);
      }
    }
  });

  it("orders strings by their bytes, which is code point order", () => {
    expect(cmp('"Z"', '"a"')).toBe(-1);
    expect(cmp('"ab"', '"abc"')).toBe(-1);
    expect(cmp('"é"', '"z"')).toBe(1);
    expect(cmp('"\uffff"', '"😀"')).toBe(-1);
    expect(cmp('"abcdefghij1"', '"abcdefghij2"')).toBe(-1);
  });

  it("orders arrays lexicographically, a prefix first", () => {
    expect(cmp("[1, 2]", "[1, 3]")).toBe(-1);
    expect(cmp("[1, 2]", "[1]")).toBe(1);
    expect(cmp("[2]", "[1, 5]")).toBe(1);
  });

  it("orders objects by their sorted keys, each key followed by its value", () => {
    expect(cmp('{"a": 2}', '{"a": 1, "b": 0}')).toBe(1);
    expect(cmp('{"a": 1}', '{"a": 1, "b": 0}')).toBe(-1);
    expect(cmp('{"b": 0}', '{"a": 5}')).toBe(1);
    expect(cmp('{"b": 1, "a": 1}', '{"a": 1, "c": 0}')).toBe(-1);
  });

  it("orders sets by their sorted elements, a prefix first", () => {
    expect(cmp("{3, 1}", "{1, 2, 4}")).toBe(1);
    expect(cmp("{1, 2}", "{2, 1, 3}")).toBe(-1);
  });

  it("orders big integers exactly, also against doubles", () => {
    expect(cmp("28857836529306024611913", "28857836529306024611912")).toBe(1);
    expect(cmp("-28857836529306024611913", "-28857836529306024611912")).toBe(-1);
    expect(cmp("9007199254740993", "9007199254740992")).toBe(1);
    expect(rt.exports.cs_compare(rt.rego("9007199254740993"), rt.num(9007199254740992))).toBe(1);
    expect(rt.exports.cs_compare(rt.rego("9007199254740993"), rt.num(9007199254740994))).toBe(-1);
    expect(cmp("1e300", "123456789012345678901234567890")).toBe(1);
  });

  it("compares numbers by value", () => {
    expect(cmp("1", "1.0")).toBe(0);
    expect(cmp("-1.5", "-1")).toBe(-1);
    expect(cmp("0.1", "0.2")).toBe(-1);
  });
});
