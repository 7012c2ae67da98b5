/**
 * Rego's order and equality over JSON operands, and set results as the host can hand them back: arrays
 * in Rego's set order without duplicates (the SDK passes values as JSON, which has no sets).
 */

import { HostBuiltinError } from "../policy-error";

function rank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  switch (typeof v) {
    case "boolean":
      return 1;
    case "number":
      return 2;
    case "string":
      return 3;
    default:
      return Array.isArray(v) ? 4 : 5;
  }
}

/** Compares strings by code point, as Go compares UTF-8 bytes. */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** -1, 0 or 1 by Rego's order (null < booleans < numbers < strings < arrays < objects); 0 when equal. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return 0;
    case 1:
    case 2:
      return a === b ? 0 : (a as number) < (b as number) ? -1 : 1;
    case 3:
      return compareStrings(a as string, b as string);
    case 4: {
      const xs = a as unknown[];
      const ys = b as unknown[];
      for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
        const c = compareValues(xs[i], ys[i]);
        if (c !== 0) return c;
      }
      return xs.length === ys.length ? 0 : xs.length < ys.length ? -1 : 1;
    }
    default: {
      const xo = a as Record<string, unknown>;
      const yo = b as Record<string, unknown>;
      const xk = Object.keys(xo).sort(compareStrings);
      const yk = Object.keys(yo).sort(compareStrings);
      for (let i = 0; i < Math.min(xk.length, yk.length); i++) {
        const kc = compareStrings(xk[i]!, yk[i]!);
        if (kc !== 0) return kc;
        const vc = compareValues(xo[xk[i]!], yo[yk[i]!]);
        if (vc !== 0) return vc;
      }
      return xk.length === yk.length ? 0 : xk.length < yk.length ? -1 : 1;
    }
  }
}

/** Rego equality of two JSON values. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  return compareValues(a, b) === 0;
}

/** A set result: the values sorted in Rego's order, duplicates dropped. */
export function setResult(values: Iterable<unknown>): unknown[] {
  const sorted = [...values].sort(compareValues);
  return sorted.filter((v, i) => i === 0 || compareValues(sorted[i - 1], v) !== 0);
}

/** True for a JSON object operand (not an array, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** An `eval_builtin_error` for `builtin` with OPA's `<builtin>: <detail>` wording. */
export function builtinError(builtin: string, detail: string): HostBuiltinError {
  return new HostBuiltinError("eval_builtin_error", builtin, detail);
}
