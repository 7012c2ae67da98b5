/**
 * Equality and a total order over JSON values, for comparing expected and actual result sets.
 *
 * The order follows Rego's: null < booleans < numbers < strings < arrays < objects; arrays compare
 * element by element, objects by their sorted keys and then their values. Numbers compare by value.
 */

function rank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  switch (typeof v) {
    case "boolean":
      return 1;
    case "number":
    case "bigint":
      return 2;
    case "string":
      return 3;
    default:
      return Array.isArray(v) ? 4 : 5;
  }
}

function cmpPrimitive<T extends number | string | boolean>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** -1, 0 or 1 by the canonical order; 0 exactly when the values are equal. */
export function compareJson(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return cmpPrimitive(a as boolean, b as boolean);
    case 2:
      return cmpPrimitive(Number(a), Number(b));
    case 3:
      return cmpPrimitive(a as string, b as string);
    case 4: {
      const xs = a as unknown[];
      const ys = b as unknown[];
      for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
        const c = compareJson(xs[i], ys[i]);
        if (c !== 0) return c;
      }
      return cmpPrimitive(xs.length, ys.length);
    }
    default: {
      const xo = a as Record<string, unknown>;
      const yo = b as Record<string, unknown>;
      const xk = Object.keys(xo).sort();
      const yk = Object.keys(yo).sort();
      for (let i = 0; i < Math.min(xk.length, yk.length); i++) {
        const kc = cmpPrimitive(xk[i]!, yk[i]!);
        if (kc !== 0) return kc;
        const vc = compareJson(xo[xk[i]!], yo[yk[i]!]);
        if (vc !== 0) return vc;
      }
      return cmpPrimitive(xk.length, yk.length);
    }
  }
}

/** Deep equality with numbers compared by value. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return compareJson(a, b) === 0;
}

/** A copy of the list sorted by the canonical order. */
export function sortJson<T>(xs: readonly T[]): T[] {
  return [...xs].sort(compareJson);
}
