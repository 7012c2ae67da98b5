/**
 * Float formatting in sprintf against an independent model: Go's %v is %g with the shortest round-trip
 * digits (which JavaScript's toExponential() also produces) and an exponent from 1e-4 below or 1e6 up.
 */

import { Runtime } from "./harness";
import { call } from "./builtins-table";

/** Go's %v (strconv 'g', shortest) of a finite float, written from JavaScript's shortest digits. */
function goV(x: number): string {
  if (x === 0) return "0";
  const [mantissa, expText] = x.toExponential().split("e");
  const negative = mantissa!.startsWith("-");
  const digits = mantissa!.replace("-", "").replace(".", "");
  const exp = Number(expText);
  const sign = negative ? "-" : "";
  if (exp < -4 || exp >= 6) {
    const frac = digits.length > 1 ? "." + digits.slice(1) : "";
    const e = Math.abs(exp);
    return `${sign}${digits[0]}${frac}e${exp < 0 ? "-" : "+"}${e < 10 ? "0" + e : e}`;
  }
  if (exp >= 0) {
    const int = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    const frac = digits.slice(exp + 1);
    return sign + int + (frac ? "." + frac : "");
  }
  return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
}

describe("sprintf float formatting", () => {
  const rt = new Runtime({ pages: 32 });

  it("prints the shortest, closest digits (0.1 + 0.2)", () => {
    expect(call(rt, "sprintf", ['"%v"', `[${0.1 + 0.2}]`])).toBe('"0.30000000000000004"');
  });

  it("agrees with Go's %v on random floats of every magnitude", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const mismatches: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const x = (random() - 0.5) * Math.pow(10, Math.floor(random() * 40) - 20);
      if (Number.isInteger(x)) continue; // integers are Go ints, not floats
      const got = call(rt, "sprintf", ['"%v"', `[${x}]`]);
      const want = JSON.stringify(goV(x));
      if (got !== want) mismatches.push(`${x}: got ${String(got)} want ${want}`);
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});
