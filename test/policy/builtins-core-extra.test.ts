/**
 * crypto.md5/sha1/sha256, rand.intn, strings.split_n, trace and net.cidr_is_valid as OPA answers them, on
 * one reused policy instance.
 */

import { createHash } from "node:crypto";
import * as fc from "fast-check";
import { loadTestPolicy, type TestPolicy } from "./host-builtin-policy";

let p: TestPolicy;
let strict: TestPolicy;

const RULES = `
md5 := crypto.md5(input.s)
sha1 := crypto.sha1(input.s)
sha256 := crypto.sha256(input.s)
split := strings.split_n(input.s, input.sep, input.n)
traced if trace(input.s)
cidr := net.cidr_is_valid(input.s)
rand := [a, b, c, d] if {
  a := rand.intn(input.s, input.n)
  b := rand.intn(input.s, input.n)
  c := rand.intn("other", input.n)
  d := rand.intn(input.s, 0)
}
`;
const ENTRYPOINTS = ["md5", "sha1", "sha256", "split", "traced", "cidr", "rand"];

beforeAll(async () => {
  p = await loadTestPolicy(RULES, ENTRYPOINTS);
  strict = await loadTestPolicy(RULES, ENTRYPOINTS, true);
});

it("digests a string's UTF-8 bytes in hex", () => {
  fc.assert(
    fc.property(fc.string({ unit: "grapheme" }), (s) => {
      for (const alg of ["md5", "sha1", "sha256"]) {
        expect(p.value(alg, { s })).toBe(createHash(alg).update(s, "utf8").digest("hex"));
      }
    }),
    { numRuns: 50 },
  );
  expect(p.value("sha256", { s: "" })).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  expect(p.value("md5", { s: 1 })).toBeUndefined();
  expect(() => strict.value("md5", { s: 1 })).toThrow("crypto.md5: operand 1 must be string but got number");
});

it.each([
  ["a,b,c,d", ",", 2, ["a", "b"]],
  ["a,b,c,d", ",", 0, []],
  ["a,b,c,d", ",", 10, ["a", "b", "c", "d"]],
  ["a,b,c,d", ",", -1, ["d"]],
  ["a,b,c,d", ",", -3, ["b", "c", "d"]],
  ["a,b,c,d", ",", -9, ["a", "b", "c", "d"]],
  ["abc", "", 2, ["a", "b"]],
  ["", ",", 1, [""]],
  ["héllo wörld", "ö", 1, ["héllo w"]],
])("strings.split_n(%j, %j, %j) is %j", (s, sep, n, want) => {
  expect(p.value("split", { s, sep, n })).toEqual(want);
});

it("checks strings.split_n's operands as OPA does", () => {
  expect(p.value("split", { s: "a", sep: ",", n: 1.5 })).toBeUndefined();
  expect(() => strict.value("split", { s: "a", sep: ",", n: 1.5 })).toThrow(
    "strings.split_n: operand 3 must be integer number but got floating-point number",
  );
  expect(() => strict.value("split", { s: "a", sep: 1, n: 1 })).toThrow("strings.split_n: operand 2 must be string but got number");
});

it("trace is true for a string note", () => {
  expect(p.value("traced", { s: "note" })).toBe(true);
  expect(p.value("traced", { s: 1 })).toBeUndefined();
});

it.each([
  ["10.0.0.0/8", true],
  ["192.168.1.1/32", true],
  ["2001:db8::/32", true],
  ["10.0.0.0", false],
  ["10.0.0.0/33", false],
  ["nope", false],
  [7, false],
  [null, false],
])("net.cidr_is_valid(%j) is %j", (s, want) => {
  expect(p.value("cidr", { s })).toBe(want);
});

it("rand.intn draws below |n|, once per key and bound in an evaluation, afresh in the next", () => {
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const [a, b, c, d] = p.value("rand", { s: "k", n: i % 2 === 0 ? 1000 : -1000 }) as number[];
    expect(a).toBe(b);
    expect(d).toBe(0);
    for (const v of [a!, c!]) {
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1000);
    }
    seen.add(a!);
  }
  // 200 draws below 1000 repeating one value would mean the cache outlived its evaluation.
  expect(seen.size).toBeGreaterThan(50);
  expect(p.value("rand", { s: "k", n: 1 })).toEqual([0, 0, 0, 0]);
  expect(() => strict.value("rand", { s: "k", n: 0.5 })).toThrow(
    "rand.intn: operand 2 must be integer number but got floating-point number",
  );
});
