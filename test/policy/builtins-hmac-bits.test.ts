/** crypto.hmac.* and bits.*, on one reused instance. */

import { createHmac } from "node:crypto";
import { loadTestPolicy, type TestPolicy } from "./host-builtin-policy";

let p: TestPolicy;
let strict: TestPolicy;

const RULES = `
md5 := crypto.hmac.md5(input.m, input.k)
sha1 := crypto.hmac.sha1(input.m, input.k)
sha256 := crypto.hmac.sha256(input.m, input.k)
sha512 := crypto.hmac.sha512(input.m, input.k)
equal := crypto.hmac.equal(input.a, input.b)
bits := [bits.and(input.x, input.y), bits.or(input.x, input.y), bits.xor(input.x, input.y), bits.negate(input.x)]
lsh := bits.lsh(input.x, input.y)
rsh := bits.rsh(input.x, input.y)
big := sprintf("%d", [bits.lsh(1, 70)])
`;

beforeAll(async () => {
  p = await loadTestPolicy(RULES, ["md5", "sha1", "sha256", "sha512", "equal", "bits", "lsh", "rsh", "big"]);
  strict = await loadTestPolicy(RULES, ["sha256", "lsh"], true);
});

it.each([
  ["hello", "secret"],
  ["", ""],
  ["héllo wörld ✓", "ключ"],
])("HMACs %j under %j", (m, k) => {
  for (const alg of ["md5", "sha1", "sha256", "sha512"]) {
    expect(p.value(alg, { m, k })).toBe(createHmac(alg, k).update(m).digest("hex"));
  }
});

it("compares MACs", () => {
  expect(p.value("equal", { a: "abc", b: "abc" })).toBe(true);
  expect(p.value("equal", { a: "abc", b: "abd" })).toBe(false);
  expect(p.value("equal", { a: "abc", b: "abcd" })).toBe(false);
  expect(() => strict.value("sha256", { m: 1, k: "k" })).toThrow("crypto.hmac.sha256: operand 1 must be string but got number");
});

it.each([
  [42, 3, [2, 43, 41, -43]],
  [-8, 5, [0, -3, -3, 7]],
  [0, 0, [0, 0, 0, -1]],
])("bits of %d and %d", (x, y, want) => {
  expect(p.value("bits", { x, y })).toEqual(want);
});

it("shifts, exactly beyond 2^53", () => {
  expect(p.value("lsh", { x: 7, y: 2 })).toBe(28);
  expect(p.value("rsh", { x: -9, y: 1 })).toBe(-5);
  expect(p.value("big")).toBe("1180591620717411303424");
});

it("raises OPA's errors for floats and negative shifts", () => {
  expect(p.value("lsh", { x: 7.2, y: 1 })).toBeUndefined();
  expect(() => strict.value("lsh", { x: 7.2, y: 42 })).toThrow("bits.lsh: operand 1 must be integer number but got floating-point number");
  expect(() => strict.value("lsh", { x: 1, y: -1 })).toThrow(
    "bits.lsh: operand 2 must be unsigned integer number but got negative integer",
  );
});
