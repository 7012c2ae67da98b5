/**
 * `units.parse` and `units.parse_bytes`: amounts with SI or binary suffixes ("1.5Gi", "10KB") to numbers, the
 * way OPA computes them (exact rationals for units.parse, 64-bit binary floats truncated for parse_bytes),
 * handed to the policy as JSON text so that results beyond 2^53 keep every digit.
 */

import { HostBuiltinError } from "../policy-error";
import { rawJson, stringOperand, type HostBuiltinFamily } from "./operands";

/** A decimal amount: (-1)^neg × digits × 10^exp10. */
interface Decimal {
  readonly neg: boolean;
  readonly digits: bigint;
  readonly exp10: number;
}

/**
 * Decimal exponents beyond this magnitude are refused (OPA's arithmetic refuses them a little later, near
 * 10^6; one this large would already be a thousand-digit number).
 */
const MAX_EXP10 = 1000;

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Parses a decimal amount (sign, digits with an optional point, optional exponent), or null. */
function parseDecimal(text: string): Decimal | null {
  const m = DECIMAL.exec(text);
  if (m === null) return null;
  const whole = m[2] ?? "";
  const frac = m[3] ?? "";
  if (whole.length + frac.length === 0) return null;
  const digits = BigInt(whole + frac);
  if (digits === 0n) return { neg: m[1] === "-", digits: 0n, exp10: 0 };
  const exponentText = (m[4] ?? "0").replace(/^([+-]?)0+(?=\d)/, "$1");
  if (exponentText.replace(/^[+-]/, "").length > 6) return null;
  const exp10 = Number(exponentText) - frac.length;
  if (Math.abs(exp10) > MAX_EXP10) return null;
  return { neg: m[1] === "-", digits, exp10 };
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

/**
 * Splits "2.5e3Ki" into the amount "2.5e3" and the unit "Ki": the amount runs over digits, points and signs,
 * and over an `e`/`E` only when a digit or sign follows it (so "10e" is ten exa, "1e3" a thousand).
 */
function splitAmount(s: string): [amount: string, unit: string] {
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (isDigit(c) || c === "." || c === "+" || c === "-") continue;
    if (c === "e" || c === "E") {
      const next = s[i + 1];
      if (isDigit(next)) continue;
      if (next === "+" || next === "-") {
        i++;
        continue;
      }
    }
    return [s.slice(0, i), s.slice(i)];
  }
  return [s, ""];
}

const POW10 = (n: number): bigint => 10n ** BigInt(n);
const K = 1000n;
const KI = 1024n;

/** Multipliers shared by both builtins, by lower-case prefix ("k", "ki", ...). */
const DECIMAL_PREFIXES: ReadonlyMap<string, bigint> = new Map(["k", "m", "g", "t", "p", "e"].map((p, i) => [p, K ** BigInt(i + 1)]));
const BINARY_PREFIXES: ReadonlyMap<string, bigint> = new Map(["ki", "mi", "gi", "ti", "pi", "ei"].map((p, i) => [p, KI ** BigInt(i + 1)]));

/** The binary value nearest 0.001 (what OPA multiplies by for milli): 1152921504606847 / 2^60. */
const MILLI: readonly [bigint, bigint] = [1152921504606847n, 1n << 60n];

/** n/d (d > 0) as OPA prints a non-integer rational: rounded to ten decimals, halves away from zero. */
function tenDecimals(n: bigint, d: bigint): string {
  const neg = n < 0n;
  const a = neg ? -n : n;
  let whole = a / d;
  const scale = POW10(10);
  const scaled = (a % d) * scale;
  let frac = scaled / d;
  if (2n * (scaled % d) >= d) frac += 1n;
  if (frac >= scale) {
    whole += 1n;
    frac -= scale;
  }
  const fracText = frac.toString().padStart(10, "0").replace(/0+$/, "");
  if (whole === 0n && fracText === "") return "0";
  return `${neg ? "-" : ""}${whole}${fracText === "" ? "" : `.${fracText}`}`;
}

function unitsParse(operand: unknown): ArrayBuffer {
  const name = "units.parse";
  const s = stringOperand(name, 1, operand).replace(/"/g, "");
  if (s.includes(" ")) throw new HostBuiltinError("eval_builtin_error", name, "spaces not allowed in resource strings");
  const [amount, rawUnit] = splitAmount(s);
  if (amount === "") throw new HostBuiltinError("eval_builtin_error", name, "no amount provided");
  // Only the letters after the first are case-insensitive, so that "m" (milli) and "M" (mega) differ.
  const unit = rawUnit.length > 1 ? rawUnit[0] + rawUnit.slice(1).toLowerCase() : rawUnit;
  let factor: readonly [bigint, bigint];
  if (unit === "") factor = [1n, 1n];
  else if (unit === "m") factor = MILLI;
  else if (unit === "M") factor = [DECIMAL_PREFIXES.get("m")!, 1n];
  else if (unit.length === 1 && DECIMAL_PREFIXES.has(unit.toLowerCase())) factor = [DECIMAL_PREFIXES.get(unit.toLowerCase())!, 1n];
  else if (unit.length === 2 && BINARY_PREFIXES.has(unit.toLowerCase())) factor = [BINARY_PREFIXES.get(unit.toLowerCase())!, 1n];
  else {
    throw new HostBuiltinError("eval_builtin_error", name, `unit ${unit} not recognized`);
  }
  const dec = parseDecimal(amount);
  if (dec === null) throw new HostBuiltinError("eval_builtin_error", name, "could not parse amount to a number");
  let n = (dec.neg ? -dec.digits : dec.digits) * factor[0];
  let d = factor[1];
  if (dec.exp10 >= 0) n *= POW10(dec.exp10);
  else d *= POW10(-dec.exp10);
  return rawJson(n % d === 0n ? (n / d).toString() : tenDecimals(n, d));
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** n/d (both > 0) rounded to `bits` significant bits, nearest-even: [mantissa, exponent], value mantissa × 2^exponent. */
function roundToBits(n: bigint, d: bigint, bits: number): [bigint, number] {
  const limit = 1n << BigInt(bits);
  let exp = bitLength(n) - bitLength(d) - bits;
  const quotient = (e: number): [bigint, bigint] => (e >= 0 ? [n, d << BigInt(e)] : [n << BigInt(-e), d]);
  let [a, b] = quotient(exp);
  let q = a / b;
  if (q >= limit) {
    exp += 1;
    [a, b] = quotient(exp);
    q = a / b;
  }
  const twice = 2n * (a - q * b);
  if (twice > b || (twice === b && (q & 1n) === 1n)) {
    q += 1n;
    if (q === limit) {
      q >>= 1n;
      exp += 1;
    }
  }
  return [q, exp];
}

/** The precision of the binary floats OPA computes byte amounts with. */
const FLOAT_BITS = 64;

function unitsParseBytes(operand: unknown): ArrayBuffer {
  const name = "units.parse_bytes";
  const s = stringOperand(name, 1, operand).toLowerCase().replace(/"/g, "");
  if (s.includes(" ")) throw new HostBuiltinError("eval_builtin_error", name, "spaces not allowed in resource strings");
  const [amount, unit] = splitAmount(s);
  if (amount === "") throw new HostBuiltinError("eval_builtin_error", name, "no byte amount provided");
  const prefix = unit.endsWith("b") ? unit.slice(0, -1) : unit;
  const factor = unit === "" ? 1n : unit === "b" ? undefined : (DECIMAL_PREFIXES.get(prefix) ?? BINARY_PREFIXES.get(prefix));
  if (factor === undefined) throw new HostBuiltinError("eval_builtin_error", name, `byte unit ${unit} not recognized`);
  const dec = parseDecimal(amount);
  if (dec === null) throw new HostBuiltinError("eval_builtin_error", name, "could not parse byte amount to a number");
  if (dec.digits === 0n) return rawJson("0");
  // The amount as a 64-bit binary float, times the unit rounded again to 64 bits, truncated toward zero.
  const [amountMant, amountExp] =
    dec.exp10 >= 0 ? roundToBits(dec.digits * POW10(dec.exp10), 1n, FLOAT_BITS) : roundToBits(dec.digits, POW10(-dec.exp10), FLOAT_BITS);
  const [mant, exp2] = roundToBits(amountMant * factor, 1n, FLOAT_BITS);
  const exp = amountExp + exp2;
  const magnitude = exp >= 0 ? mant << BigInt(exp) : mant >> BigInt(-exp);
  return rawJson((dec.neg ? -magnitude : magnitude).toString());
}

/** The units builtins by name. */
export const UNITS_BUILTINS: HostBuiltinFamily = {
  "units.parse": unitsParse,
  "units.parse_bytes": unitsParseBytes,
};
