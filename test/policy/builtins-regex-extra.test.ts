/** regex.replace and regex.globs_match, on one reused instance. */

import { loadTestPolicy, type TestPolicy } from "./host-builtin-policy";

let p: TestPolicy;

beforeAll(async () => {
  p = await loadTestPolicy(
    `replaced := regex.replace(input.s, input.pattern, input.value)
globs if regex.globs_match(input.a, input.b)`,
    ["replaced", "globs"],
  );
});

it.each([
  ["-wy-wxxy-", "w(x*)y", "0", "-0-0-"],
  ["foo", "(foo)", "$1$1", "foofoo"],
  ["foo bar", "(?P<first>\\w+) (\\w+)", "${2} ${first}", "bar foo"],
  ["abc", "b", "$$", "a$c"],
  ["abc", "(b)", "$1x", "ac"],
  ["abc", "(b)", "${1}x", "abxc"],
  ["baaac", "a*", "X", "XbXcX"],
  ["", "x*", "-", "-"],
  ["héllo", "l+", "L", "héLo"],
])("regex.replace(%j, %j, %j)", (s, pattern, value, want) => {
  expect(p.value("replaced", { s, pattern, value })).toBe(want);
});

it("is undefined for a bad pattern", () => {
  expect(p.value("replaced", { s: "foo", pattern: "[", value: "x" })).toBeUndefined();
});

it.each([
  ["[a-z]+", "[0-9]*", false],
  ["b.*", "bar", true],
  ["b.*", "foo", false],
  ["[a-z]+\\[[0-9]+\\]", "foo\\[1\\]", true],
  ["[a-z]+\\[[0-9]+\\]", 'foo["bar"]', false],
  ["a*", "", true],
  ["a+", "", false],
  ["ab?c", "a.", true],
  ["ab?c", "a.d", false],
  ["ab?c", "a.c", true],
  ["[^a]x", "ax", false],
  [".*foo.*", ".*bar.*", true],
])("regex.globs_match(%j, %j)", (a, b, want) => {
  expect(p.value("globs", { a, b }) === true).toBe(want);
});
