/**
 * Mocks: what `with` replaces while lowering — a function or built-in by another or by a value, or a whole
 * rule by a value — and how a set of mocks travels into the rule functions lowered under it.
 *
 * Rules reached under mocks are lowered again for those mocks (see ProgramLowerer.ruleFunction); mocks by
 * value become extra parameters of those functions, after the arguments, in mockValueNames order.
 */

import type { Replacement } from "../check/names";
import type { Operand } from "../ir";

/**
 * What replaces a mocked function or built-in (another built-in, a user function, or a value), or the value
 * replacing a whole rule (`with data.pkg.rule as v`). Values are operands of the function being lowered.
 */
export type Mock = Replacement | { readonly kind: "value"; readonly op: Operand } | { readonly kind: "rule"; readonly op: Operand };

/** The mocks in effect, by the mocked name (`count`, `data.pkg.f`). */
export type MockEnv = ReadonlyMap<string, Mock>;

/** No mocks. */
export const NO_MOCKS: MockEnv = new Map();

/** Identifies a set of mocks for lowering ("" for none); value mocks are told apart by name only. */
export function mockKey(mocks: MockEnv): string {
  return [...mocks.keys()]
    .sort()
    .map((n) => {
      const m = mocks.get(n)!;
      return `${n} as ${m.kind === "builtin" ? m.name : m.kind === "func" ? `data.${m.set.path.join(".")}` : m.kind}`;
    })
    .join(", ");
}

/** The names of the mocks by value, in the order their values are passed to lowered functions. */
export function mockValueNames(mocks: MockEnv): string[] {
  return [...mocks.keys()].filter((n) => isValueMock(mocks.get(n)!)).sort();
}

/** True for a mock by value (of a function, built-in or rule). */
export function isValueMock(m: Mock): m is Mock & { kind: "value" | "rule" } {
  return m.kind === "value" || m.kind === "rule";
}

/** The mocks a replacing function runs under: no function mocks, only the replaced rules. */
export function ruleMocksOnly(mocks: MockEnv): MockEnv {
  if (mocks.size === 0) return mocks;
  return new Map([...mocks].filter(([, m]) => m.kind === "rule"));
}

/** The same mocks inside a called function, whose value mocks arrive as parameters from `first` on. */
export function calleeMocks(mocks: MockEnv, first: number): MockEnv {
  if (mocks.size === 0) return mocks;
  const out = new Map(mocks);
  mockValueNames(mocks).forEach((n, i) =>
    out.set(n, { kind: mocks.get(n)!.kind as "value" | "rule", op: { kind: "local", local: first + i } }),
  );
  return out;
}
