/**
 * semver.is_valid and semver.compare, compiled into a policy and evaluated many times on one instance.
 */

import type { CompiledPolicy } from "../../src/policy/compiled-policy";
import { loadRego, valueOf } from "./host-builtin-policy";

const MODULE = `package t
import rego.v1

valid := semver.is_valid(input.v)
cmp := semver.compare(input.a, input.b)
`;

let policy: CompiledPolicy;
let strict: CompiledPolicy;

beforeAll(async () => {
  policy = await loadRego(MODULE, ["valid", "cmp"]);
  strict = await loadRego(MODULE, ["cmp"], { strictBuiltinErrors: true });
});

describe("semver.is_valid", () => {
  it.each([
    ["0.0.0", true],
    ["1.2.3", true],
    ["1.2.3-0", true],
    ["1.2.3-0a", true],
    ["1.2.3-alpha.1", true],
    ["1.2.3-x-y-z.--", true],
    ["1.2.3+01", true],
    ["1.2.3-rc.1+build.5.sha-1f2", true],
    ["99999999999999999999.0.0", true],
    ["01.2.3", false],
    ["1.02.3", false],
    ["1.2.03", false],
    ["1.2.3-01", false],
    ["1.2.3-alpha.01", false],
    ["1.2.3-", false],
    ["1.2.3+", false],
    ["1.2.3-a..b", false],
    ["1.2.3+a..b", false],
    ["1.2.3-a_b", false],
    ["v1.2.3", false],
    ["1.2", false],
    ["1.2.3.4", false],
    [" 1.2.3", false],
    ["1.2.3\n", false],
    ["", false],
    [1, false],
    [null, false],
  ])("semver.is_valid(%j) is %j", (v, want) => {
    expect(valueOf(policy, "t/valid", { v })).toBe(want);
  });
});

describe("semver.compare", () => {
  it("orders the SemVer 2.0.0 precedence example, each against each", () => {
    const ordered = [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.0.1",
      "1.1.0",
      "1.10.0",
      "2.0.0",
      "18446744073709551616.0.0",
    ];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect(valueOf(policy, "t/cmp", { a: ordered[i], b: ordered[j] })).toBe(Math.sign(i - j));
      }
    }
  });

  it.each([
    ["1.2.3+01", "1.2.3+2", 0],
    ["1.2.3-0", "1.2.3-1", -1],
    ["1.2.3-2", "1.2.3-10", -1],
    ["1.2.3-a", "1.2.3-1", 1],
    ["1.2.3-B", "1.2.3-a", -1],
  ])("semver.compare(%j, %j) is %j", (a, b, want) => {
    expect(valueOf(policy, "t/cmp", { a, b })).toBe(want);
  });

  it.each([
    ["1", "1.0.0", 'semver.compare: operand 1: string "1" is not a valid SemVer'],
    ["1.02.3", "1.2.3", 'semver.compare: operand 1: string "1.02.3" is not a valid SemVer'],
    ["1.2.3", "1.2.3-01", 'semver.compare: operand 2: string "1.2.3-01" is not a valid SemVer'],
    ["bad", 2, "semver.compare: operand 2 must be string but got number"],
    [1, "1.0.0", "semver.compare: operand 1 must be string but got number"],
  ])("semver.compare(%j, %j) is undefined, or in strict mode fails with %j", (a, b, message) => {
    expect(valueOf(policy, "t/cmp", { a, b })).toBeUndefined();
    expect(() => strict.evaluate("t/cmp", { a, b })).toThrow(message);
  });
});
