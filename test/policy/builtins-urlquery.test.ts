/**
 * urlquery.encode, urlquery.decode, urlquery.encode_object and urlquery.decode_object, compiled into a policy
 * and evaluated many times on one instance.
 */

import type { CompiledPolicy } from "../../src/policy/compiled-policy";
import { loadRego, valueOf } from "./host-builtin-policy";

const MODULE = `package t
import rego.v1

encode := urlquery.encode(input.x)
decode := urlquery.decode(input.x)
encode_object := urlquery.encode_object(input.x)
decode_object := urlquery.decode_object(input.x)
encode_set := urlquery.encode_object({"tags": {"b", "a"}, "q": input.x})
round_trip if urlquery.decode(urlquery.encode(input.x)) == input.x
`;

let policy: CompiledPolicy;
let strict: CompiledPolicy;

beforeAll(async () => {
  policy = await loadRego(MODULE, ["encode", "decode", "encode_object", "decode_object", "encode_set", "round_trip"]);
  strict = await loadRego(MODULE, ["encode", "decode", "encode_object", "decode_object"], { strictBuiltinErrors: true });
});

describe("urlquery.encode and urlquery.decode", () => {
  it.each([
    ["", ""],
    ["abc", "abc"],
    ["a b", "a+b"],
    ["a+b", "a%2Bb"],
    ["x=1&y=2", "x%3D1%26y%3D2"],
    ["-_.~", "-_.~"],
    ["!'()*", "%21%27%28%29%2A"],
    ["/?#[]@", "%2F%3F%23%5B%5D%40"],
    ["é", "%C3%A9"],
    ["😀", "%F0%9F%98%80"],
  ])("urlquery.encode(%j) is %j", (x, want) => {
    expect(valueOf(policy, "t/encode", { x })).toBe(want);
    expect(valueOf(policy, "t/decode", { x: want })).toBe(x);
    expect(valueOf(policy, "t/round_trip", { x })).toBe(true);
  });

  it.each([
    ["a%2fb", "a/b"],
    ["a%20b+c", "a b c"],
    ["%E2%82%AC", "€"],
    ["plain~text", "plain~text"],
  ])("urlquery.decode(%j) is %j", (x, want) => {
    expect(valueOf(policy, "t/decode", { x })).toBe(want);
  });

  it.each([
    ["a%zzb", 'urlquery.decode: invalid URL escape "%zz"'],
    ["abc%", 'urlquery.decode: invalid URL escape "%"'],
    ["abc%4", 'urlquery.decode: invalid URL escape "%4"'],
  ])("urlquery.decode(%j) is undefined, or in strict mode fails with %j", (x, message) => {
    expect(valueOf(policy, "t/decode", { x })).toBeUndefined();
    expect(() => strict.evaluate("t/decode", { x })).toThrow(message);
  });

  it("raises a type error for a number", () => {
    expect(() => strict.evaluate("t/encode", { x: 1 })).toThrow("urlquery.encode: operand 1 must be string but got number");
  });
});

describe("urlquery.encode_object", () => {
  it("sorts keys and keeps each array's order", () => {
    expect(valueOf(policy, "t/encode_object", { x: { z: "1", a: ["y", "x"], m: "a b&c" } })).toBe("a=y&a=x&m=a+b%26c&z=1");
  });

  it("takes sets of strings", () => {
    expect(valueOf(policy, "t/encode_set", { x: "q" })).toBe("q=q&tags=a&tags=b");
  });

  it("leaves out keys with no values and escapes keys", () => {
    expect(valueOf(policy, "t/encode_object", { x: { "a b": "1", none: [] } })).toBe("a+b=1");
    expect(valueOf(policy, "t/encode_object", { x: {} })).toBe("");
  });

  it.each([
    [{ a: 1 }, "urlquery.encode_object: operand 1 values must be string, array[string], or set[string]"],
    [{ a: ["x", 1] }, "urlquery.encode_object: operand 1 values must be string, array[string], or set[string]"],
    ["a=1", "urlquery.encode_object: operand 1 must be object but got string"],
  ])("urlquery.encode_object(%j) fails in strict mode with %j", (x, message) => {
    expect(valueOf(policy, "t/encode_object", { x })).toBeUndefined();
    expect(() => strict.evaluate("t/encode_object", { x })).toThrow(message);
  });
});

describe("urlquery.decode_object", () => {
  it.each([
    ["", {}],
    ["a=1&b=2&a=3", { a: ["1", "3"], b: ["2"] }],
    ["a&&b=", { a: [""], b: [""] }],
    ["q=a+b%26c&x=%3D", { q: ["a b&c"], x: ["="] }],
    ["k=v=w", { k: ["v=w"] }],
    ["__proto__=1", JSON.parse('{"__proto__":["1"]}') as object],
  ])("urlquery.decode_object(%j) is %j", (x, want) => {
    expect(valueOf(policy, "t/decode_object", { x })).toEqual(want);
  });

  it.each([
    ["a=1;b=2", "urlquery.decode_object: invalid semicolon separator in query"],
    ["a=%zz&b=1;c", "urlquery.decode_object: invalid semicolon separator in query"],
    ["a=%zz&b=%yy", 'urlquery.decode_object: invalid URL escape "%zz"'],
  ])("urlquery.decode_object(%j) fails in strict mode with %j", (x, message) => {
    expect(valueOf(policy, "t/decode_object", { x })).toBeUndefined();
    expect(() => strict.evaluate("t/decode_object", { x })).toThrow(message);
  });
});
