/** Number literals in exponent form that denote wide integers are spelt out in digits and stay exact. */

import { integerDigits } from "../../../src/compiler/wasm/emitter";
import { loadRego, valueOf } from "../../policy/host-builtin-policy";

it.each([
  ["1e30", "1000000000000000000000000000000"],
  ["-2.5E20", "-250000000000000000000"],
  ["1.50e3", "1500"],
  ["100e-2", "1"],
  ["0.0e5", "0"],
  ["1.5", null],
  ["1e-3", null],
  ["1e1000", null],
])("integerDigits(%s) is %j", (text, want) => {
  expect(integerDigits(text)).toBe(want);
});

it("adds exactly to a wide integer literal in exponent form", async () => {
  const policy = await loadRego(
    'package t\nimport rego.v1\np := [sprintf("%v", [1e30 + 1]), sprintf("%v", [2.5e20 * 2]), sprintf("%v", [1.5e3 + 1])]\n',
    ["p"],
  );
  for (let i = 0; i < 2; i++) {
    expect(valueOf(policy, "t/p", {})).toEqual(["1000000000000000000000000000001", "500000000000000000000", "1501"]);
  }
});
